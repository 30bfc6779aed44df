-- The dashboard counts the overdue follow-ups of a unit's changed shards again: the unit's
-- follow-ups by status, shard of their patient and due date (and, for the closed ones, the
-- day they were closed), without reading the rest of the unit's follow-ups from the table.
CREATE INDEX followups_unit_shard ON followups(unit_id, status, (patient_id % 64), due_on, done_on);
-- Its statistics from a sample, without value samples, as for `patients_unit_shard` (0027):
-- without them SQLite would take it for the worker's follow-up list.
PRAGMA analysis_limit = 2000;
ANALYZE followups_unit_shard;
DELETE FROM sqlite_stat4 WHERE idx = 'followups_unit_shard';
