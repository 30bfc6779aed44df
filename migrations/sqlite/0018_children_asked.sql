-- Children, asked every time: whether the patient has minor children or minor siblings
-- ('' not yet asked, 'yes', 'no', 'unknown' = not known yet) and on which day it was answered;
-- why a patient was archived; and whether a child who is a relative has care tasks.
ALTER TABLE patients ADD COLUMN minor_children TEXT NOT NULL DEFAULT ''
    CHECK (minor_children IN ('', 'yes', 'no', 'unknown'));
ALTER TABLE patients ADD COLUMN minor_children_on TEXT;
ALTER TABLE patients ADD COLUMN archive_reason TEXT NOT NULL DEFAULT ''
    CHECK (archive_reason IN ('', 'died', 'moved', 'no_services'));
ALTER TABLE child_followups ADD COLUMN care_tasks TEXT NOT NULL DEFAULT ''
    CHECK (care_tasks IN ('', 'yes', 'no', 'unsure'));
ALTER TABLE child_followups ADD COLUMN care_tasks_note TEXT NOT NULL DEFAULT '';

-- A patient with a child registered as a relative has, on the record, minor children or
-- siblings: answered on the day the first was registered.
UPDATE patients SET minor_children = 'yes',
    minor_children_on = (SELECT substr(MIN(r.created_at), 1, 10) FROM relatives r
                         WHERE r.patient_id = patients.id AND r.age_group = 'child')
 WHERE EXISTS (SELECT 1 FROM relatives r WHERE r.patient_id = patients.id AND r.age_group = 'child');
