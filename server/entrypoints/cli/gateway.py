"""The REST gateway as a process of its own (``python -m gateway``): ``hakobu serve gateway`` becomes
it, ``serve all`` and the demo start it beside the gRPC servers. The gateway talks to the services over
gRPC only, so nothing here imports it; it also gets a core of its own that way."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from typing import NoReturn

_READY = "REST gateway listening on "


def _command(address: str, *backends: str | None) -> list[str]:
    """``python -m gateway``; with ``backends`` (optimizer, plans, tracking, reports) as targets. The parent's
    metrics port is its own, so such a child serves no metrics port."""
    extra: list[str] = []
    flags = ("--optimizer-target", "--plans-target", "--tracking-target", "--reports-target")
    for flag, target in zip(flags, backends, strict=False):
        if target:
            extra += [flag, target]
    if backends:
        extra += ["--metrics-port", "-1"]
    return [sys.executable, "-m", "gateway", "--address", address, *extra]


def exec_gateway(address: str) -> NoReturn:
    """``hakobu serve gateway``: this process becomes the gateway."""
    sys.stdout.flush()
    os.execv(sys.executable, _command(address))


class GatewayProcess:
    """The gateway started as a child process, told where the backends listen."""

    def __init__(self, address: str, optimizer_target: str, plans_target: str,
                 tracking_target: str | None = None, reports_target: str | None = None,
                 log_level: str | None = None) -> None:
        command = _command(address, optimizer_target, plans_target, tracking_target, reports_target)
        if log_level is not None:
            command += ["--log-level", log_level]
        command.append("--exit-with-parent")  # a SIGKILLed parent leaves no gateway behind
        self._proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        self.url = self._wait_ready(60.0)
        threading.Thread(target=self._relay, name="gateway-stdout", daemon=True).start()

    def _wait_ready(self, timeout: float) -> str:
        assert self._proc.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self._proc.stdout.readline()
            if not line:
                break
            if line.startswith(_READY):
                return line[len(_READY):].split()[0]
            print(line, end="", flush=True)
        self.stop(1.0)
        raise RuntimeError(f"the REST gateway did not start (exit code {self._proc.returncode})")

    def _relay(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            print(line, end="", flush=True)

    def stop(self, grace: float) -> None:
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(max(grace, 1.0))
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
