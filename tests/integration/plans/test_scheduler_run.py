"""The scheduler against the real test database: ``--once`` re-plans with the real solver, and the run state
in PostgreSQL keeps a restarted scheduler from running a due time twice."""

from __future__ import annotations

import datetime
import threading
import uuid
from pathlib import Path

import pytest

from server.adapters.postgres.database import Database
from server.adapters.postgres.run_state import PostgresRunState
from server.adapters.postgres.seed import NERIMA_BRANCH_ID
from server.entrypoints.cli.main import main
from server.jst import JST, today_jst
from server.plans.queries import find_plan
from server.scheduler import Scheduler, parse_schedule
from server.scheduler.runner import ReplanRunner
from tests.integration.plans.conftest import seeded_org, stores_for

#: Each test plans "+1" (the day after the due time) for an organization of its own.
OFFSET = 1


class FrozenClock:
    """Now is a fixed instant; sleeping is not expected in these tests."""

    def __init__(self, at: datetime.datetime) -> None:
        self.t = at

    def now(self) -> datetime.datetime:
        return self.t

    def sleep(self, seconds: float, stop: threading.Event) -> None:
        raise AssertionError("the test should not sleep")


def _schedule_toml(org: str, name: str, cron: str, offset: int) -> str:
    return (
        f'organization = "{org}"\n\n[[jobs]]\nname = "{name}"\ncron = "{cron}"\nrun = "replan"\n'
        f'date = "+{offset}"\nbranches = ["{NERIMA_BRANCH_ID}"]\ntime_limit = 2\nseed = 1\n'
    )


def test_once_replans_the_configured_day_with_the_real_solver(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``hakobu scheduler --once --config F --url U`` solves and stores the DRAFT plan of the job's day."""
    org, day = seeded_org(db_url, today_jst() + datetime.timedelta(days=OFFSET))
    db = stores_for(db_url)
    assert find_plan(db, org, NERIMA_BRANCH_ID, day) is None
    config = tmp_path / "schedule.toml"
    config.write_text(_schedule_toml(org, "nightly-test", "0 22 * * *", OFFSET), encoding="utf-8")

    assert main(["scheduler", "--once", "--config", str(config), "--url", db_url]) == 0
    out = capsys.readouterr().out
    assert f"nightly-test: 成功 / ok — {day.isoformat()}: planned 1" in out
    plan = find_plan(db, org, NERIMA_BRANCH_ID, day)
    assert plan is not None and plan.status == "DRAFT" and plan.revision == 1
    assert sum(1 for r in plan.routes for s in r.stops if s.order_id is not None) > 0
    with Database(db_url).transaction() as conn:  # --once is outside the schedule: it claims no due time
        assert conn.execute("SELECT 1 FROM scheduler_state WHERE job = 'nightly-test'").fetchone() is None


def test_due_run_is_recorded_in_postgres_and_not_repeated_after_restart(db_url: str) -> None:
    """The due job re-plans and is recorded 'ok'; a restarted scheduler (new state object) runs nothing."""
    now = datetime.datetime.now(JST).replace(second=30, microsecond=0)
    due = now.replace(second=0)
    org, day = seeded_org(db_url, due.date() + datetime.timedelta(days=OFFSET))
    db = stores_for(db_url)
    name = f"replan-{uuid.uuid4().hex[:8]}"
    schedule = parse_schedule(_schedule_toml(org, name, f"{due.minute} {due.hour} * * *", OFFSET), "test")
    state = PostgresRunState(Database(db_url))
    state.check()

    assert Scheduler(schedule, ReplanRunner(db), state, FrozenClock(now)).run_pending() == 1
    last = state.last(name)
    assert last is not None and last.due_at == due and last.outcome == "ok"
    assert last.message == f"{day.isoformat()}: planned 1" and last.finished_at is not None
    plan = find_plan(db, org, NERIMA_BRANCH_ID, day)
    assert plan is not None and plan.revision == 1

    restarted = Scheduler(schedule, ReplanRunner(db), PostgresRunState(Database(db_url)), FrozenClock(now))
    assert restarted.run_pending() == 0
    again = find_plan(db, org, NERIMA_BRANCH_ID, day)
    assert again is not None and (again.id, again.revision) == (plan.id, plan.revision)
    # the claim itself is atomic: the same due time, or an older one, is refused; a later one is taken
    assert not state.claim(name, due, now)
    assert not state.claim(name, due - datetime.timedelta(days=1), now)
    assert state.claim(name, due + datetime.timedelta(days=1), now)
