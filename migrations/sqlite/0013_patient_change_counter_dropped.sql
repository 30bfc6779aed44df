-- Patient pages are no longer kept in memory between changes, so nothing reads a counter
-- per patient; the units' counters stay for the dashboard's figures.
ALTER TABLE patients DROP COLUMN change_seq;
