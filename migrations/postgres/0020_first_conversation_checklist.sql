-- The first conversation's checklist, recorded with the minutes: the keys of the points gone
-- through (domain::meeting::CHECKLIST), comma-separated.
ALTER TABLE meetings ADD COLUMN checklist TEXT NOT NULL DEFAULT '';
