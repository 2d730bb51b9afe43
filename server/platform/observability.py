"""Structured JSON logs and Prometheus metrics shared by every service.

Every log line is one JSON object in the seed's format (§7.2): ``timestamp``, ``level``, ``service``,
``trace_id``, ``user_id``, ``action``, ``plan_id``, ``duration_ms``, ``status`` and ``request_id`` are
always present (``null`` when unknown), then ``message``, ``logger`` and the record's extra fields. The
per-request fields come from :func:`log_context`, which the gRPC interceptor opens around every call.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
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
# Business metrics (seed §7.1's custom metrics): what the system did, not how fast.
PLANS_OPTIMIZED = Counter("hakobu_plans_optimized_total", "Delivery plans optimized and stored",
                          ["trigger"])  # request (OptimizePlan), replan (ReplanPlan), batch (nightly)
DELIVERIES = Counter("hakobu_deliveries_total", "Stop outcomes recorded by drivers", ["outcome"])
POSITIONS_INGESTED = Counter("hakobu_positions_ingested_total", "Vehicle positions stored")
REPORT_JOBS = Counter("hakobu_report_jobs_total", "Report jobs run", ["status"])


class PositionsCounter:
    """A tracking ``PositionObserver``: counts the positions stored (``hakobu_positions_ingested_total``)."""

    def observe(self, positions: Any) -> None:
        POSITIONS_INGESTED.inc(len(positions))


#: The seed's log fields (§7.2) plus request_id, in this order at the start of every line.
SEED_FIELDS = (
    "timestamp", "level", "service", "trace_id", "user_id", "action", "plan_id", "duration_ms", "status",
    "request_id",
)
_CONTEXT: ContextVar[dict[str, Any]] = ContextVar("hakobu_log_context", default={})  # noqa: B039 (never mutated)
#: Gives the current trace id when tracing is on (``server.platform.tracing`` installs it).
trace_id_source: Callable[[], str | None] | None = None


@contextlib.contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Every log line written inside the block (in this thread or task) carries ``fields``."""
    token = _CONTEXT.set({**_CONTEXT.get(), **{k: v for k, v in fields.items() if v is not None}})
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def bind_log_context(**fields: Any) -> None:
    """Add fields to the current context until the enclosing :func:`log_context` ends (e.g. the
    ``user_id`` once a call is authenticated)."""
    _CONTEXT.set({**_CONTEXT.get(), **{k: v for k, v in fields.items() if v is not None}})


def current_log_context() -> dict[str, Any]:
    return dict(_CONTEXT.get())


class JsonFormatter(logging.Formatter):
    """One JSON object per line: the seed's fields, message, logger and any extras."""

    def __init__(self, service: str = "hakobu") -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = dict.fromkeys(SEED_FIELDS)
        out["timestamp"] = (
            time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"
        )
        out["level"] = record.levelname
        out["service"] = self.service
        out.update(_CONTEXT.get())
        if out["trace_id"] is None and trace_id_source is not None:
            out["trace_id"] = trace_id_source()
        out["message"] = record.getMessage()
        out["logger"] = record.name
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO", service: str = "hakobu") -> None:
    """JSON lines on stderr, each naming ``service`` (the compose / ECS service name)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
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
