-- The dashboard counts a unit's overdue follow-ups per shard of their patients: the index
-- on unit and due date carries the patient, so the count stays inside the index.
DROP INDEX followups_unit_due;
CREATE INDEX followups_unit_due ON followups(unit_id, due_on, status, done_on, created_at, patient_id);
