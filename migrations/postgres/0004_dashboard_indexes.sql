-- Indexes that let the district dashboard answer from the index alone.
CREATE INDEX followups_unit_due ON followups(unit_id, due_on, status, done_on, created_at);
CREATE INDEX relatives_patient_involvement ON relatives(patient_id, involvement, created_at, contact_person_id);
CREATE INDEX mappings_relative_date ON mappings(relative_id, mapped_on);
