"""In-memory ``StopEvents``: the stop-events port without a database (embedded default and unit tests)."""

from __future__ import annotations

import datetime
import threading

from server.tracking.model import StopEvent


class MemoryStopEvents:
    """Implements ``server.tracking.ports.StopEvents``; idempotent by (organization, request id)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: list[StopEvent] = []
        self._by_request: dict[tuple[str, str], StopEvent] = {}

    def record(self, event: StopEvent) -> tuple[StopEvent, bool]:
        with self._lock:
            known = self._by_request.get((event.organization, event.request_id))
            if known is not None:
                return known, False
            self._by_request[(event.organization, event.request_id)] = event
            self._events.append(event)
            return event, True

    def find_request(self, org: str, request_id: str) -> StopEvent | None:
        with self._lock:
            return self._by_request.get((org, request_id))

    def for_plan(self, org: str, plan_id: str) -> list[StopEvent]:
        with self._lock:
            found = [e for e in self._events if e.organization == org and e.plan_id == plan_id]
        return sorted(found, key=lambda e: (e.time, e.created_at or e.time, e.event_id))

    def for_vehicle(
        self, org: str, vehicle_id: str, start: datetime.datetime, end: datetime.datetime
    ) -> list[StopEvent]:
        with self._lock:
            found = [e for e in self._events
                     if e.organization == org and e.vehicle_id == vehicle_id and start <= e.time < end]
        return sorted(found, key=lambda e: (e.time, e.created_at or e.time, e.event_id))
