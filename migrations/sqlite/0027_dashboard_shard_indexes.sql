-- The dashboard counts a unit's changed shards again (a patient's shard is its id modulo 64):
-- a unit's patients by shard, and the first day of the accounts' history, asked at every
-- count.
CREATE INDEX patients_unit_shard ON patients(unit_id, (id % 64));
CREATE INDEX staff_history_valid_from ON staff_history(valid_from);
-- SQLite chooses between a table's indexes by their statistics (`ANALYZE`, as demo-data
-- makes them). An index made after them has none and looks the narrowest: the patient list
-- would read the unit by shard and sort it. The new index gets its statistics from a sample,
-- without the value samples (see demo-data).
PRAGMA analysis_limit = 2000;
ANALYZE patients_unit_shard;
DELETE FROM sqlite_stat4 WHERE idx = 'patients_unit_shard';
