-- A child relative's follow-ups by relative and time: the worker's list asks whether one
-- was recorded after a day, for every child relative of the unit.
DROP INDEX child_followups_relative;
CREATE INDEX child_followups_relative ON child_followups(relative_id, recorded_at);
