"""``hakobu serve gateway`` as an operator runs it: it says where it listens, answers, stops on SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import httpx


def test_serve_gateway_listens_answers_and_stops() -> None:
    env = {**os.environ, "HAKOBU_LOG_LEVEL": "WARNING", "HAKOBU_METRICS_PORT": "0",
           "HAKOBU_OPTIMIZER_TARGET": "127.0.0.1:9", "HAKOBU_PLANS_TARGET": "127.0.0.1:9"}
    cmd = [sys.executable, "-m", "server.entrypoints.cli", "serve", "gateway",
           "--gateway-address", "127.0.0.1:0"]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env) as proc:
        try:
            assert proc.stdout is not None
            lines: list[str] = []
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not any("metrics" in x for x in lines):
                line = proc.stdout.readline()
                if not line:
                    break
                lines.append(line)
            found = re.search(r"REST gateway listening on (http://\S+)", "".join(lines))
            assert found, lines
            url = found.group(1)
            assert httpx.get(f"{url}/healthz", timeout=10).status_code == 200
            ready = httpx.get(f"{url}/readyz", timeout=10)  # nothing listens on port 9
            assert ready.status_code == 503 and ready.json()["status"] == "NOT_SERVING"
            down = httpx.get(f"{url}/v1/organizations/ORG-001/plans", timeout=30)
            assert down.status_code == 503 and down.json()["error"]["status"] == "UNAVAILABLE"
            assert httpx.get(f"{url}/openapi.json", timeout=10).json()["openapi"] == "3.1.0"
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    assert proc.returncode == 0
