-- Indexes from which one unit's dashboard figures are read without visiting scattered table
-- rows: the unit's patients with their state, a relative's mappings with the scores that
-- make the care heavy, a relative's agreements and referrals, and a patient's meetings with
-- their state. The wider indexes replace narrower ones with the same leading columns.
CREATE INDEX patients_unit_state ON patients(unit_id, created_at, archived_at, identify_outcome, identify_outcome_on);
DROP INDEX mappings_relative_date;
DROP INDEX mappings_relative;
CREATE INDEX mappings_relative ON mappings(relative_id, id, mapped_on, strain_score, hours_per_week);
DROP INDEX agreement_relatives_relative;
CREATE INDEX agreement_relatives_relative ON agreement_relatives(relative_id, agreement_id);
DROP INDEX referrals_relative;
CREATE INDEX referrals_relative ON referrals(relative_id, referred_on, offer_id, state);
CREATE INDEX meetings_patient_state ON meetings(patient_id, status, completed_at);
