-- A unit's open follow-ups by owner: the follow-ups that need a new owner (their owner no
-- longer works in the unit) are found inside the index instead of by reading every open
-- follow-up of the unit.
CREATE INDEX followups_unit_owner ON followups(unit_id, status, owner_id);
