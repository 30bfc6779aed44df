-- The overdue follow-ups of the dashboard read `followups_unit_shard` (0028) for both the
-- open ones and the ones closed after the day; every other query of follow-ups by unit asks
-- for the open ones (`followups_unit`, `followups_unit_owner`). Nothing reads this index
-- any more, and every follow-up written kept it up to date.
DROP INDEX followups_unit_due;
