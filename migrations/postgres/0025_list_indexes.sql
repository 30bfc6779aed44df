-- A child relative's follow-ups by relative and time: the worker's list asks whether one
-- was recorded after a day, for every child relative of the unit.
DROP INDEX child_followups_relative;
CREATE INDEX child_followups_relative ON child_followups(relative_id, recorded_at);
-- The unit's open follow-ups by owner, with their ids: the follow-ups that need an owner
-- are found in the index alone (SQLite's indexes carry the row id already).
DROP INDEX followups_unit_owner;
CREATE INDEX followups_unit_owner ON followups(unit_id, status, owner_id) INCLUDE (id);
