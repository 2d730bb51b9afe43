"""checkov over terraform/: no failed check. Each justified exception is a ``#checkov:skip=CKV_…:reason``
comment next to its resource. The first run installs the pinned checkov from PyPI into var/tools/
(scripts/checkov.sh), because its dependencies conflict with the project's. checkov follows each
environment's call of the stack (terraform/envs/<env> → terraform/stack → terraform/modules)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
ENVS = ("dev", "stg", "prod")


@pytest.fixture(scope="module")
def checkov() -> dict[str, Any]:
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "checkov.sh"), "--output", "json"],
        capture_output=True, text=True, timeout=900, cwd=ROOT,
        env={
            **os.environ, "CHECKOV_ALL": "1",
            "HAKOBU_PYTHON": os.environ.get("HAKOBU_PYTHON", sys.executable),
        },
    )
    try:
        reports = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"checkov did not run (exit {done.returncode}):\n{done.stderr[-3000:]}")
    reports = reports if isinstance(reports, list) else [reports]
    assert [r["check_type"] for r in reports] == ["terraform"]
    return {"report": reports[0], "returncode": done.returncode}


@pytest.mark.slow
def test_checkov_finds_nothing(checkov: dict[str, Any]) -> None:
    report = checkov["report"]
    failed = [
        f"{c['check_id']} {c['resource']} ({c['file_path']}:{c['file_line_range'][0]}): {c['check_name']}"
        for c in report["results"]["failed_checks"]
    ]
    assert not failed, "checkov findings: fix each, or justify it with #checkov:skip=ID:reason\n" + "\n".join(
        failed
    )
    summary = report["summary"]
    assert summary["parsing_errors"] == 0
    assert summary["passed"] > 100, summary  # the stack was read, not skipped
    assert checkov["returncode"] == 0


@pytest.mark.slow
def test_every_skip_says_why(checkov: dict[str, Any]) -> None:
    skipped = checkov["report"]["results"]["skipped_checks"]
    assert skipped, "the modules' #checkov:skip comments were not read"
    unexplained = [
        f"{c['check_id']} {c['resource']} ({c['file_path']})" for c in skipped
        if len(c["check_result"].get("suppress_comment") or "") < 20
        or c["check_result"]["suppress_comment"] == "No comment provided"
    ]
    assert not unexplained, "give each #checkov:skip=ID:reason a reason:\n" + "\n".join(unexplained)


@pytest.mark.slow
def test_the_stack_is_checked_as_every_environment_calls_it(checkov: dict[str, Any]) -> None:
    results = checkov["report"]["results"]
    checks = results["passed_checks"] + results["skipped_checks"]
    files = {c["file_path"] for c in checks}
    # each environment's own file (its provider), the stack's resources and the modules' resources
    assert {f"/envs/{env}/main.tf" for env in ENVS} <= files, sorted(files)
    assert "/stack/main.tf" in files and "/modules/database/main.tf" in files, sorted(files)
    # everything below an environment is reached through its call of the stack, never as a root of its
    # own with unset variables
    outside = sorted({c["resource"] for c in checks if not c["file_path"].startswith("/envs/")
                      and not c["resource"].startswith("module.hakobu.")})
    assert not outside, outside
