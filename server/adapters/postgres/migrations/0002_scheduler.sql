-- depends: 0001_initial
-- The scheduler's memory (hakobu scheduler): per job, the latest due time a run was started for and how
-- that run ended. A due time is claimed with one conditional upsert before the job runs, so a restarted
-- scheduler, or a second replica, never runs the same due time twice. Job names come from the deployment's
-- schedule file, not from an organization, so this table has no organization_id.

CREATE TABLE scheduler_state (
    job          text PRIMARY KEY,
    last_due_at  timestamptz NOT NULL,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz,
    outcome      text CHECK (outcome IN ('ok', 'failed')),  -- NULL while running, or if the run died
    message      text NOT NULL DEFAULT ''
);
