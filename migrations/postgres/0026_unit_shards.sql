-- Change counters per unit and shard of its patients (a patient's shard is its id modulo
-- 64): the dashboard keeps each shard's figures and, after a change to one patient, counts
-- only that patient's shard again. A row is made at the first change of its shard.
CREATE TABLE unit_shards (
    unit_id BIGINT NOT NULL REFERENCES units(id),
    shard BIGINT NOT NULL CHECK (shard >= 0 AND shard < 64),
    change_seq BIGINT NOT NULL,
    PRIMARY KEY (unit_id, shard)
);
