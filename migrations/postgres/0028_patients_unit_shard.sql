-- A unit's patients by shard (id modulo 16): the dashboard counts a unit's changed shards
-- again and reads only their patients.
CREATE INDEX patients_unit_shard ON patients(unit_id, (id % 16));
