"""Prometheus counters of the live half of tracking: stop events recorded and alerts raised."""

from __future__ import annotations

from prometheus_client import Counter

from server.tracking.model import StopEvent
from server.tracking.updates import Alert

STOP_EVENTS = Counter("hakobu_stop_events", "Stop events recorded (new, not repeats)", ["type", "source"])
ALERTS = Counter("hakobu_tracking_alerts", "Alerts announced on the fleet bus", ["kind"])


def count_event(event: StopEvent) -> None:
    STOP_EVENTS.labels(event.type.value, event.source.value).inc()


def count_alert(alert: Alert) -> None:
    ALERTS.labels(alert.kind).inc()
