"""``hakobu scheduler --job NAME``: one job of the schedule (how EventBridge runs each job in AWS)."""

from __future__ import annotations

import subprocess
import sys

from tests.service_logs import ROOT


def _scheduler(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "server.entrypoints.cli", "scheduler", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_list_shows_only_the_named_job() -> None:
    done = _scheduler("--list", "--job", "daily-reports")
    assert done.returncode == 0, done.stderr
    assert "daily-reports" in done.stdout and "nightly-replan" not in done.stdout


def test_an_unknown_job_is_refused_with_the_known_ones() -> None:
    done = _scheduler("--once", "--job", "nope")
    assert done.returncode == 2
    assert "no such job: nope" in done.stderr and "nightly-replan" in done.stderr
