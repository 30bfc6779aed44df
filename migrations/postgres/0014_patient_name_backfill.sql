-- The patients whose names may not be in patient_name_words yet: those registered before
-- migration 0011 (every later registration writes its words). The start-up backfill reads
-- ids up to `up_to` and sets it to 0 when done, so later starts cost one small query.
CREATE TABLE patient_name_backfill (up_to BIGINT NOT NULL);
INSERT INTO patient_name_backfill (up_to) SELECT COALESCE(MAX(id), 0) FROM patients;
