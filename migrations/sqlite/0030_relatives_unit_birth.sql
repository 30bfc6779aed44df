-- The unit's children, for the worker's list and day: those born after a day, and those with
-- no birth date registered as children, each one stretch of this index. Without it the list
-- read every relative of the unit to find its children.
CREATE INDEX relatives_unit_birth ON relatives(unit_id, birth_date, age_group);
