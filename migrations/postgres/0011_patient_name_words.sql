-- The patient search: each word of a patient's name, folded (domain::text::name_words), with
-- the patient's unit, so a search finds the start of a word within the user's units through
-- the index instead of reading every name. Filled by the application (at start for patients
-- registered before this table existed) in the same transaction as each name or unit change.
CREATE TABLE patient_name_words (
    patient_id BIGINT NOT NULL REFERENCES patients(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    word TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (patient_id, word)
);
CREATE INDEX patient_name_words_unit_word ON patient_name_words(unit_id, word, patient_id);
