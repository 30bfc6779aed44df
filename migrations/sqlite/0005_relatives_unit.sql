-- The patient's unit kept on each relative, so that a unit's children without a follow-up
-- are found from an index on the unit's young relatives instead of every relative of the
-- unit. Kept equal to patients.unit_id by the code that adds relatives and moves patients.
ALTER TABLE relatives ADD COLUMN unit_id INTEGER REFERENCES units(id);
UPDATE relatives SET unit_id = (SELECT p.unit_id FROM patients p WHERE p.id = relatives.patient_id);
CREATE INDEX relatives_unit_birth ON relatives(unit_id, birth_date, age_group);
