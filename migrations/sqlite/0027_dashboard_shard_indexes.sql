-- The dashboard counts a unit's changed shards again (a patient's shard is its id modulo 32):
-- a unit's patients by shard;
CREATE INDEX patients_unit_shard ON patients(unit_id, (id % 32));
-- a unit's open follow-ups by due date, with the patient, so the overdue ones of a shard are
-- counted inside the index;
DROP INDEX followups_unit;
CREATE INDEX followups_unit ON followups(unit_id, status, due_on, created_at, patient_id);
-- the follow-ups closed after a day, for the figures of days past;
CREATE INDEX followups_unit_done ON followups(unit_id, done_on);
-- and the first day of the accounts' history, asked at every count.
CREATE INDEX staff_history_valid_from ON staff_history(valid_from);
