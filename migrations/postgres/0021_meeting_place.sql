-- Where a meeting is held, for the invitation letter to the relative.
ALTER TABLE meetings ADD COLUMN place TEXT NOT NULL DEFAULT '';
