"""Private servers for ``benchmarks.tracking``: a PostgreSQL cluster, a redis-server and the tracking
service, each on its own port and in a temporary folder, so the runs never touch (or restart) the
shared 127.0.0.1:5432 / 6379 that other people's tests use.

The cluster runs as the ``postgres`` user (initdb refuses root) with PostgreSQL's defaults
(synchronous_commit and fsync on), as in ``../shared/design/INGEST_CEILINGS.md``.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PG_BIN = Path(os.environ.get("HAKOBU_PG_BIN", "/usr/lib/postgresql/15/bin"))
ROOT = Path(__file__).resolve().parents[1]
JWT_SECRET = "benchmark-signing-key-0123456789abcdef"
SERVICE_TOKEN = "benchmark-service-token-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres() -> list[str]:
    """Run a command as ``postgres`` when this process is root (initdb and postgres refuse root)."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class PrivatePostgres:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="hakobu-bench-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "log"
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        subprocess.run([*_as_postgres(), str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
                        "--auth=trust", "-E", "UTF8", "--no-locale"], check=True, capture_output=True)
        self.start()

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        opts = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c max_connections=50"
        subprocess.run([*_as_postgres(), str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                        "-o", opts, "-w", "-t", "60", *args], check=True, capture_output=True)

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        self._ctl("-m", "fast", "restart")

    def stop(self) -> None:
        try:
            self._ctl("-m", "fast", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRedis:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


class TrackingProcess:
    """``hakobu serve tracking`` in a child process; ``grpc`` and ``osmand`` are its addresses."""

    def __init__(self, database_url: str, redis_url: str | None, env: dict[str, str] | None = None) -> None:
        self.database_url = database_url
        self.redis_url = redis_url
        self.extra = env or {}
        self.grpc = self.osmand = ""
        self.proc: subprocess.Popen[str] | None = None
        self.start()

    def start(self) -> None:
        env = {**os.environ, "DATABASE_URL": self.database_url, "HAKOBU_LOG_LEVEL": "ERROR",
               "HAKOBU_JWT_SECRET": JWT_SECRET, "HAKOBU_SERVICE_TOKEN": SERVICE_TOKEN,
               "PYTHONPATH": str(ROOT), **self.extra}
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        else:
            env.pop("REDIS_URL", None)
        grpc_port = int(self.grpc.rsplit(":", 1)[1]) if self.grpc else 0
        osmand_port = int(self.osmand.rsplit(":", 1)[1]) if self.osmand else 0
        cmd = [sys.executable, "-m", "server.entrypoints.cli", "serve", "tracking",
               "--tracking-address", f"127.0.0.1:{grpc_port}", "--osmand-address", f"127.0.0.1:{osmand_port}",
               "--metrics-port", "-1"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                     env=env, cwd=ROOT)
        assert self.proc.stdout is not None
        out = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "OsmAnd endpoint" not in out:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"tracking server exited: {out}")
            out += line
        m_grpc = re.search(r"TrackingService \(gRPC\) listening on (\S+)", out)
        m_http = re.search(r"OsmAnd endpoint \(Traccar Client\) on http://(\S+?)/", out)
        assert m_grpc and m_http, out
        self.grpc, self.osmand = m_grpc.group(1), m_http.group(1)
        threading.Thread(target=self._drain, args=(self.proc,), daemon=True).start()

    @staticmethod
    def _drain(proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for _ in proc.stdout:
            pass

    def kill(self) -> None:
        """SIGKILL: no graceful anything."""
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
            self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.proc = None

    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid
