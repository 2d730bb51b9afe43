"""Run one ``hakobu`` service as a real process, call it, stop it, and read its JSON log lines."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from tests.credentials import SERVER_ENV

ROOT = Path(__file__).resolve().parents[1]
_LISTENING = re.compile(r"listening on (?:http://)?[0-9.]+:(\d+)")


def run_and_read_logs(
    args: list[str], env: Mapping[str, str], call: Callable[[int], None], timeout: float = 60.0,
    module: str = "server.entrypoints.cli",
) -> list[dict[str, Any]]:
    """Start ``hakobu ARGS`` (or ``python -m MODULE ARGS``), wait for its "listening on HOST:PORT" line,
    ``call(port)``, stop it with SIGTERM and return its stderr log lines, parsed (a line that is not JSON
    fails the caller)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", module, *args],
        cwd=ROOT, env={**os.environ, "HAKOBU_METRICS_PORT": "-1", **SERVER_ENV, **env},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        port = None
        for line in proc.stdout:
            match = _LISTENING.search(line)
            if match:
                port = int(match.group(1))
                break
        assert port is not None, "the service did not start"
        call(port)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()  # and close its pipes: a hung service fails this test only, not a later one
            proc.communicate()
            raise
    return [json.loads(line) for line in err.splitlines() if line.strip()]
