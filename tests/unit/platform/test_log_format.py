"""Log lines in the seed's format (§7.2): every field present, the request's context filled in."""

from __future__ import annotations

import io
import json
import logging
import threading

from server.platform import observability
from server.platform.observability import JsonFormatter, bind_log_context, log_context


def _line(service: str, fn) -> dict:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(service))
    logger = logging.getLogger(f"hakobu.test.{service}")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        fn(logger)
    finally:
        logger.removeHandler(handler)
    (line,) = stream.getvalue().splitlines()
    return json.loads(line)


def test_every_seed_field_is_present_and_first() -> None:
    data = _line("plans", lambda log: log.info("hello"))
    assert list(data)[: len(observability.SEED_FIELDS)] == list(observability.SEED_FIELDS)
    assert data["service"] == "plans" and data["level"] == "INFO" and data["message"] == "hello"
    assert data["timestamp"].endswith("Z") and data["trace_id"] is None and data["user_id"] is None


def test_the_context_fills_the_request_fields() -> None:
    def write(log: logging.Logger) -> None:
        with log_context(action="publish_plan", request_id="r-1", trace_id="t" * 32, plan_id="P-1"):
            bind_log_context(user_id="U-001")
            log.info("rpc", extra={"duration_ms": 245, "status": "success"})

    data = _line("plans", write)
    assert {k: data[k] for k in observability.SEED_FIELDS[2:]} == {
        "service": "plans", "trace_id": "t" * 32, "user_id": "U-001", "action": "publish_plan",
        "plan_id": "P-1", "duration_ms": 245, "status": "success", "request_id": "r-1",
    }
    assert observability.current_log_context() == {}  # nothing leaks out of the block


def test_context_is_per_thread() -> None:
    seen: list[dict] = []

    def other() -> None:
        seen.append(observability.current_log_context())

    with log_context(request_id="mine"):
        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert seen == [{}]

