-- Patients are found through patient_name_words (0011); the old lower-cased search column is
-- no longer read.
ALTER TABLE patients DROP COLUMN name_search;
