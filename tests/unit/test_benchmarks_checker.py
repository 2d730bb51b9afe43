"""benchmarks/checker.py: the timing table runs on a best-known plan and a synthetic day."""

from __future__ import annotations

import pytest

from benchmarks.checker import main, synthetic_day
from benchmarks.run import DEFAULT_DATA


def test_synthetic_day_has_the_asked_size_and_unservable_jobs() -> None:
    day = synthetic_day(jobs=40, vehicles=7, seed=1)
    assert len(day.problem.jobs) == 40 and len(day.problem.vehicles) == 7
    assert any(j.demand[0] > 1000 for j in day.problem.jobs)  # heavier than every truck


@pytest.mark.skipif(not (DEFAULT_DATA / "cvrp-x").is_dir(), reason="benchmark data not found")
def test_the_table_shows_the_best_known_plan_feasible(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--instances", "X-n101-k25", "--jobs", "40", "--vehicles", "7", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("X-n101-k25"))
    assert row.split()[1:4] == ["100", "26", "yes"]
    assert "infeasible_alone" in out
