-- A unit's relatives side by side, patient by patient, with what the dashboard reads of them:
-- its figures find each patient's relatives, and the unit's children, in one small stretch
-- of the index instead of pages scattered over every unit's relatives (the rowid is part of
-- every SQLite index). It replaces the narrower index on (unit_id, birth_date, age_group).
CREATE INDEX relatives_unit_patient ON relatives(unit_id, patient_id, involvement, created_at, contact_person_id, age_group, birth_date);
DROP INDEX relatives_unit_birth;
-- A patient's agreements with the dates and contact person the dashboard counts by, read
-- without visiting the agreements' rows; replaces the index on patient_id alone.
DROP INDEX agreements_patient;
CREATE INDEX agreements_patient ON agreements(patient_id, created_at, activated_on, ended_on, evaluation_on, contact_person_id);
