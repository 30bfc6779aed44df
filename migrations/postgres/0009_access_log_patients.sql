-- The patients a list view or an export contained, one row each, so that a patient's access
-- history shows "included in an export by X". Append-only like the log it belongs to.
CREATE TABLE access_log_patients (
    access_id BIGINT NOT NULL REFERENCES access_log(id),
    patient_id BIGINT NOT NULL,
    PRIMARY KEY (access_id, patient_id)
);
CREATE INDEX access_log_patients_patient ON access_log_patients(patient_id, access_id);

CREATE TRIGGER access_log_patients_no_change BEFORE UPDATE OR DELETE ON access_log_patients
FOR EACH ROW EXECUTE FUNCTION access_log_append_only();

-- A list served again unchanged (a kept page) names the entry that first listed its patients
-- instead of listing them again.
ALTER TABLE access_log ADD COLUMN listing_id BIGINT REFERENCES access_log(id);
CREATE INDEX access_log_listing ON access_log(listing_id) WHERE listing_id IS NOT NULL;

-- Refused requests and failed logins are reviewed by action.
CREATE INDEX access_log_action ON access_log(action, at);
