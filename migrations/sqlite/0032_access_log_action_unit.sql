-- The managers' reports on the access log (who viewed most a day, what was refused) ask for
-- one action in a district's units over a month. By action and time alone they read every
-- unit's entries of that action (all views of the municipality); by action, unit and time
-- only the district's, and with the user and patient in the index the views are counted
-- without reading the log's rows.
DROP INDEX access_log_action;
CREATE INDEX access_log_action ON access_log(action, unit_id, at, username, patient_id);
