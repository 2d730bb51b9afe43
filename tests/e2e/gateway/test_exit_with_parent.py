"""A gateway started by ``serve all`` or the demo stops when its parent is SIGKILLed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from server.entrypoints.cli.gateway import _command

# The parent starts the gateway as the CLI does, prints the child's pid once it listens, then waits.
_PARENT = """
import subprocess, sys, time
cmd = sys.argv[1:]
child = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
for line in child.stdout:
    if line.startswith("REST gateway listening on "):
        print(child.pid, flush=True)
        break
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        return f.read().split(") ", 1)[1][0] != "Z"  # a zombie has stopped


def test_the_gateway_stops_when_its_parent_is_killed() -> None:
    cmd = [*_command("127.0.0.1:0", "127.0.0.1:1", "127.0.0.1:2"), "--exit-with-parent"]
    parent = subprocess.Popen([sys.executable, "-c", _PARENT, *cmd], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        line = parent.stdout.readline()
        assert line.strip().isdigit(), line
        child = int(line)
        assert _alive(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 30
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _alive(child):
            os.kill(child, signal.SIGKILL)
            pytest.fail("the gateway outlived its SIGKILLed parent")
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        if parent.stdout is not None:
            parent.stdout.close()
