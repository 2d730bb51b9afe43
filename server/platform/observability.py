"""Structured JSON logs and Prometheus metrics shared by every service."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from prometheus_client import Counter, Gauge, Histogram, start_http_server

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

RPC_TOTAL = Counter("hakobu_rpc_total", "RPCs handled", ["method", "code"])
RPC_SECONDS = Histogram(
    "hakobu_rpc_seconds",
    "RPC handling time",
    ["method"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
)
SOLVE_JOBS = Histogram(
    "hakobu_solve_jobs", "Jobs per solved problem", buckets=(10, 50, 100, 200, 500, 1000, 2000, 5000)
)
FIRST_FEASIBLE_SECONDS = Histogram(
    "hakobu_first_feasible_seconds",
    "Time from request to the first verified plan",
    buckets=(0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10),
)
OPERATIONS_RUNNING = Gauge("hakobu_operations_running", "Long-running optimizations in progress")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any extras."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


def serve_metrics(port: int, address: str = "127.0.0.1") -> int:
    """Expose /metrics over HTTP; returns the port (0 picks a free one)."""
    server, _thread = start_http_server(port, addr=address)
    return int(server.server_port)


class PrometheusSolveMetrics:
    """The optimizer edge's metrics hook (``optimizer.service.metrics.SolveMetrics``) on Prometheus."""

    def solved(self, jobs: int, first_feasible_seconds: float | None) -> None:
        SOLVE_JOBS.observe(jobs)
        if first_feasible_seconds is not None:
            FIRST_FEASIBLE_SECONDS.observe(first_feasible_seconds)

    def operation_started(self) -> None:
        OPERATIONS_RUNNING.inc()

    def operation_finished(self) -> None:
        OPERATIONS_RUNNING.dec()
