-- Change counters for the pages kept in memory between changes. Every transaction that
-- changes what a patient's pages show adds one to the patient's counter and to the counter of
-- each unit whose lists show the patient; changes to accounts, units and offers add one to
-- the catalogue counter. A page kept in memory is served only while the counters it was
-- built from are unchanged, so no instance serves a page older than the database.
-- Counters are updated in place (not read as the newest row id), so on PostgreSQL a change
-- that commits late is still seen: its update waits for the row and adds to the newest value.
ALTER TABLE patients ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE units ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0;
CREATE TABLE catalog_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    change_seq BIGINT NOT NULL
);
INSERT INTO catalog_version (id, change_seq) VALUES (1, 0);
