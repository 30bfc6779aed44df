-- Early warnings for managers. Each agreement version keeps its contact rhythm and contact
-- person as columns (they were only inside the version's content), so the dashboard can
-- tell which version was in force on a day and whether its rhythm is kept.
ALTER TABLE agreement_versions ADD COLUMN contact_rhythm TEXT NOT NULL DEFAULT '';
ALTER TABLE agreement_versions ADD COLUMN contact_person_id INTEGER REFERENCES users(id);
UPDATE agreement_versions
   SET contact_rhythm = COALESCE(json_extract(content, '$.contact_rhythm'), ''),
       contact_person_id = json_extract(content, '$.contact.user_id');

-- What an account was (role, unit, active) from a moment on, and a relative's unit and
-- contact person from a moment on: the dashboard's "contact person inactive or no longer in
-- the unit" on a past day. History starts when this migration runs; the trend shows no
-- figure for the days before.
CREATE TABLE staff_history (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    unit_id INTEGER REFERENCES units(id),
    active BOOLEAN NOT NULL,
    valid_from TEXT NOT NULL
);
CREATE INDEX staff_history_user ON staff_history(user_id, valid_from);
INSERT INTO staff_history (user_id, role, unit_id, active, valid_from)
SELECT id, role, unit_id, active, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') FROM users;

CREATE TABLE relative_history (
    id INTEGER PRIMARY KEY,
    relative_id INTEGER NOT NULL REFERENCES relatives(id),
    unit_id INTEGER REFERENCES units(id),
    contact_person_id INTEGER REFERENCES users(id),
    valid_from TEXT NOT NULL
);
CREATE INDEX relative_history_relative ON relative_history(relative_id, valid_from);
INSERT INTO relative_history (relative_id, unit_id, contact_person_id, valid_from)
SELECT id, unit_id, contact_person_id, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') FROM relatives;

-- The meetings a relative took part in, read for each relative the warnings count.
CREATE INDEX meeting_relatives_relative ON meeting_relatives(relative_id);
