"""Retention on the in-memory history: old days dropped, archived first (once) when a store is given, a
day whose archive fails kept for the next run; and the scheduler's retention job."""

from __future__ import annotations

import datetime
import gzip
import json

import pytest

from server.adapters.memory.tracking import MemoryPositionHistory
from server.scheduler import parse_schedule
from server.scheduler.runner import JobRunners, RetentionRunner
from server.tracking.model import Position
from server.tracking.retention import apply_retention, archive_key

TODAY = datetime.date(2026, 12, 7)


class Store:
    def __init__(self, fail: bool = False) -> None:
        self.objects: dict[str, bytes] = {}
        self.fail = fail

    def put(self, key: str, data: bytes, content_type: str) -> str:
        if self.fail:
            raise OSError("disk full")
        self.objects[key] = data
        return f"mem://{key}"

    def get(self, key: str) -> bytes:
        return self.objects[key]

    def exists(self, key: str) -> bool:
        return key in self.objects


def history_with(days_ago: list[int]) -> MemoryPositionHistory:
    h = MemoryPositionHistory()
    for n in days_ago:
        t = datetime.datetime.combine(TODAY - datetime.timedelta(days=n), datetime.time(9), datetime.UTC)
        later = t + datetime.timedelta(hours=1)
        h.append([Position("ORG", "d1", "V-1", t, 35.0, 139.0),
                  Position("ORG", "d1", "V-1", later, 35.1, 139.1)])
    return h


def test_days_older_than_the_retention_are_dropped() -> None:
    h = history_with([0, 89, 90, 91, 120])
    result = apply_retention(h, TODAY)
    assert result.dropped == [TODAY - datetime.timedelta(days=120), TODAY - datetime.timedelta(days=91)]
    assert h.days() == [TODAY - datetime.timedelta(days=n) for n in (90, 89, 0)]


def test_each_old_day_is_archived_once_before_it_is_dropped() -> None:
    h, store = history_with([91, 95]), Store()
    result = apply_retention(h, TODAY, archive=store)
    old = TODAY - datetime.timedelta(days=91)
    assert set(result.archived) == {old, TODAY - datetime.timedelta(days=95)}
    rows = [json.loads(line) for line in gzip.decompress(store.get(archive_key(old))).splitlines()]
    assert [r["lat"] for r in rows] == [35.0, 35.1] and rows[0]["vehicle"] == "V-1"
    assert apply_retention(history_with([91]), TODAY, archive=store).archived == {}  # already there


def test_a_day_whose_archive_fails_is_kept() -> None:
    h = history_with([91, 95])
    result = apply_retention(h, TODAY, archive=Store(fail=True))
    assert result.dropped == [] and len(result.failed) == 2
    assert len(h.days()) == 2


def test_retention_must_keep_at_least_a_day() -> None:
    with pytest.raises(ValueError):
        apply_retention(MemoryPositionHistory(), TODAY, days=0)


def test_the_scheduler_runs_retention_jobs_with_their_runner() -> None:
    schedule = parse_schedule('[[jobs]]\nname = "r"\ncron = "30 3 * * *"\nrun = "retention"\ndays = 30\n'
                              'archive = false\n')
    h, store = history_with([29, 31]), Store()

    def replan(job: object, due: object) -> object:
        raise AssertionError("not a replan job")

    runners = JobRunners(replan, RetentionRunner(h, store))  # type: ignore[arg-type]
    due = datetime.datetime.combine(TODAY, datetime.time(3, 30), datetime.UTC)
    result = runners(schedule.jobs[0], due)
    assert result.ok and "dropped " + (TODAY - datetime.timedelta(days=31)).isoformat() in result.message
    assert store.objects == {}  # archive = false
    assert h.days() == [TODAY - datetime.timedelta(days=29)]
