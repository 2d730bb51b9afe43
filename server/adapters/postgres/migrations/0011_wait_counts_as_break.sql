-- depends: 0010_stop_events
-- Planning setting (see server/plans/planning.py): count a wait of 30 min or more for a time window as
-- the 430 break (the pre-2024 reading). NULL = the next wider level, then the default false.
ALTER TABLE planning_settings ADD COLUMN IF NOT EXISTS wait_counts_as_break boolean;
