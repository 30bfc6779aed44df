-- A follow-up's history keeps typed values: who it moved between (user ids) and which dates,
-- so names and dates are rendered when shown. from_value/to_value hold only older text.
ALTER TABLE followup_changes ADD COLUMN from_user BIGINT REFERENCES users(id);
ALTER TABLE followup_changes ADD COLUMN to_user BIGINT REFERENCES users(id);
ALTER TABLE followup_changes ADD COLUMN from_date DATE;
ALTER TABLE followup_changes ADD COLUMN to_date DATE;

-- Older reassignments written as user ids.
UPDATE followup_changes c SET from_user = c.from_value::BIGINT, from_value = ''
WHERE c.from_value ~ '^[0-9]{1,18}$' AND EXISTS (SELECT 1 FROM users u WHERE u.id = c.from_value::BIGINT);
UPDATE followup_changes c SET to_user = c.to_value::BIGINT, to_value = ''
WHERE c.to_value ~ '^[0-9]{1,18}$' AND EXISTS (SELECT 1 FROM users u WHERE u.id = c.to_value::BIGINT);

-- Older dates written as dd.mm.åååå.
UPDATE followup_changes SET from_date = to_date(from_value, 'DD.MM.YYYY'), from_value = ''
WHERE from_value ~ '^[0-9]{2}\.[0-9]{2}\.[0-9]{4}$';
UPDATE followup_changes SET to_date = to_date(to_value, 'DD.MM.YYYY'), to_value = ''
WHERE to_value ~ '^[0-9]{2}\.[0-9]{2}\.[0-9]{4}$';
