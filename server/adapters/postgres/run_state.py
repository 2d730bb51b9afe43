"""The scheduler's run state in PostgreSQL (table ``scheduler_state``, migration 0002)."""

from __future__ import annotations

import datetime

from server.adapters.postgres.database import Database
from server.scheduler.loop import JobResult, LastRun


class PostgresRunState:
    """Run state in table ``scheduler_state`` (migration 0002): shared by restarts and every replica."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def check(self) -> None:
        """Fail early, with the fix, when the migration that creates the table has not been applied."""
        import psycopg

        try:
            with self.db.transaction() as conn:
                conn.execute("SELECT 1 FROM scheduler_state LIMIT 1")
        except psycopg.errors.UndefinedTable as exc:
            raise RuntimeError(
                "scheduler_state テーブルがありません。hakobu db migrate を実行してください / "
                "table scheduler_state is missing: run `hakobu db migrate`"
            ) from exc

    def last(self, job: str) -> LastRun | None:
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT job, last_due_at, started_at, finished_at, outcome, message "
                "FROM scheduler_state WHERE job = %s",
                (job,),
            ).fetchone()
        if row is None:
            return None
        return LastRun(
            row["job"], row["last_due_at"], row["started_at"], row["finished_at"], row["outcome"],
            row["message"],
        )

    def claim(self, job: str, due: datetime.datetime, started: datetime.datetime) -> bool:
        with self.db.transaction() as conn:
            row = conn.execute(
                "INSERT INTO scheduler_state (job, last_due_at, started_at) VALUES (%s, %s, %s) "
                "ON CONFLICT (job) DO UPDATE SET last_due_at = EXCLUDED.last_due_at, "
                "started_at = EXCLUDED.started_at, finished_at = NULL, outcome = NULL, message = '' "
                "WHERE scheduler_state.last_due_at < EXCLUDED.last_due_at RETURNING job",
                (job, due, started),
            ).fetchone()
        return row is not None

    def finish(
        self, job: str, due: datetime.datetime, finished: datetime.datetime, result: JobResult
    ) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE scheduler_state SET finished_at = %s, outcome = %s, message = %s "
                "WHERE job = %s AND last_due_at = %s",
                (finished, "ok" if result.ok else "failed", result.message[:2000], job, due),
            )


