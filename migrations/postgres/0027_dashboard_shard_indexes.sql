-- The dashboard counts a unit's changed shards again (a patient's shard is its id modulo 64):
-- a unit's patients by shard, and the first day of the accounts' history, asked at every
-- count.
CREATE INDEX patients_unit_shard ON patients(unit_id, (id % 64));
CREATE INDEX staff_history_valid_from ON staff_history(valid_from);
