-- A follow-up's history keeps typed values: who it moved between (user ids) and which dates,
-- so names and dates are rendered when shown. from_value/to_value hold only older text.
ALTER TABLE followup_changes ADD COLUMN from_user INTEGER REFERENCES users(id);
ALTER TABLE followup_changes ADD COLUMN to_user INTEGER REFERENCES users(id);
ALTER TABLE followup_changes ADD COLUMN from_date TEXT;
ALTER TABLE followup_changes ADD COLUMN to_date TEXT;

-- Older reassignments written as user ids.
UPDATE followup_changes SET from_user = CAST(from_value AS INTEGER), from_value = ''
WHERE from_value <> '' AND from_value NOT GLOB '*[^0-9]*'
  AND EXISTS (SELECT 1 FROM users u WHERE u.id = CAST(followup_changes.from_value AS INTEGER));
UPDATE followup_changes SET to_user = CAST(to_value AS INTEGER), to_value = ''
WHERE to_value <> '' AND to_value NOT GLOB '*[^0-9]*'
  AND EXISTS (SELECT 1 FROM users u WHERE u.id = CAST(followup_changes.to_value AS INTEGER));

-- Older dates written as dd.mm.åååå.
UPDATE followup_changes
SET from_date = substr(from_value, 7, 4) || '-' || substr(from_value, 4, 2) || '-' || substr(from_value, 1, 2), from_value = ''
WHERE from_value GLOB '[0-9][0-9].[0-9][0-9].[0-9][0-9][0-9][0-9]';
UPDATE followup_changes
SET to_date = substr(to_value, 7, 4) || '-' || substr(to_value, 4, 2) || '-' || substr(to_value, 1, 2), to_value = ''
WHERE to_value GLOB '[0-9][0-9].[0-9][0-9].[0-9][0-9][0-9][0-9]';
