"""The alerts' rules, pure: a window that will be missed (LATE), far from the planned route (OFF_ROUTE),
no position for too long (SILENT), 荷待ち too long (LONG_WAIT), and the 改善基準告示 on the actual track
(DRIVING_RULES, with the checker's own rule code ``optimizer.checker.driving``).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence

from optimizer.rules import JAPAN_2024, DrivingRules
from server.reports.places import Places
from server.reports.timeline import day_violations, timeline
from server.tracking.eta import StopEta, haversine_m
from server.tracking.model import EventType, Position, StopEvent
from server.tracking.updates import Alert

#: LATE is raised from this many minutes after a window's end (an ETA is no better than a few minutes).
LATE_GRACE_MINUTES = 5


def late_alerts(org: str, vehicle_id: str, etas: Sequence[StopEta], now: datetime.datetime) -> list[Alert]:
    """One LATE alert per remaining stop whose ETA falls after its time window."""
    return [
        Alert("LATE", org, vehicle_id,
              f"時間指定に {e.minutes_late} 分遅れる見込みです(配送依頼 {e.stop.order_id}) / expected "
              f"{e.minutes_late} min after the time window of order {e.stop.order_id}",
              now, e.minutes_late, e.stop.order_id)
        for e in etas if e.minutes_late >= LATE_GRACE_MINUTES
    ]


def _to_segment_m(lat: float, lon: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance (m) from a point to the segment a-b, on a local flat projection around the point."""
    k = 111_320.0
    cx = math.cos(math.radians(lat))

    def xy(p: tuple[float, float]) -> tuple[float, float]:
        return (p[1] - lon) * k * cx, (p[0] - lat) * k

    (ax, ay), (bx, by) = xy(a), xy(b)
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length2))
    return math.hypot(ax + t * dx, ay + t * dy)


def off_route_m(lat: float, lon: float, route: Sequence[tuple[float, float]]) -> float:
    """Distance (m) from a position to the planned route drawn as straight legs between its places."""
    if not route:
        return 0.0
    if len(route) == 1:
        return haversine_m(lat, lon, route[0][0], route[0][1])
    return min(_to_segment_m(lat, lon, route[i], route[i + 1]) for i in range(len(route) - 1))


def off_route_alert(org: str, vehicle_id: str, lat: float, lon: float, route: Sequence[tuple[float, float]],
                    limit: float, now: datetime.datetime) -> Alert | None:
    d = off_route_m(lat, lon, route)
    if d <= limit:
        return None
    return Alert("OFF_ROUTE", org, vehicle_id,
                 f"計画ルートから {d / 1000:.1f} km 離れています / {d / 1000:.1f} km off the planned route",
                 now, round(d))


def silent_alert(org: str, vehicle_id: str, last: datetime.datetime, now: datetime.datetime,
                 limit: float) -> Alert | None:
    quiet = (now - last).total_seconds()
    if quiet <= limit:
        return None
    return Alert("SILENT", org, vehicle_id,
                 f"{int(quiet // 60)} 分間位置情報がありません / no position for {int(quiet // 60)} min",
                 now, int(quiet))


def long_waits(org: str, vehicle_id: str, events: Sequence[StopEvent], now: datetime.datetime,
               limit: float) -> list[Alert]:
    """LONG_WAIT for each 荷待ち (WAITING_STARTED without its WAITING_ENDED) longer than ``limit`` s."""
    open_: dict[str | None, datetime.datetime] = {}
    for e in sorted(events, key=lambda e: e.time):
        if e.vehicle_id != vehicle_id:
            continue
        if e.type is EventType.WAITING_STARTED:
            open_.setdefault(e.order_id, e.time)
        elif e.type is EventType.WAITING_ENDED:
            open_.pop(e.order_id, None)
    out = []
    for order, since in open_.items():
        minutes = int((now - since).total_seconds() // 60)
        if (now - since).total_seconds() > limit:
            out.append(Alert("LONG_WAIT", org, vehicle_id,
                             f"荷待ちが {minutes} 分続いています / waiting (荷待ち) for {minutes} min", now,
                             minutes, order))
    return out


def handling_times(events: Sequence[StopEvent]) -> dict[tuple[str | None, str], int]:
    """Seconds of 荷待ち (WAITING) and 荷役 (LOADING, UNLOADING) per (order, kind), from start/end pairs."""
    pairs = {EventType.WAITING_STARTED: ("WAITING", True), EventType.WAITING_ENDED: ("WAITING", False),
             EventType.LOADING_STARTED: ("LOADING", True), EventType.LOADING_ENDED: ("LOADING", False),
             EventType.UNLOADING_STARTED: ("UNLOADING", True),
             EventType.UNLOADING_ENDED: ("UNLOADING", False)}
    started: dict[tuple[str | None, str], datetime.datetime] = {}
    out: dict[tuple[str | None, str], int] = {}
    for e in sorted(events, key=lambda e: e.time):
        if e.type not in pairs:
            continue
        kind, start = pairs[e.type]
        key = (e.order_id, kind)
        if start:
            started.setdefault(key, e.time)
        elif key in started:
            out[key] = out.get(key, 0) + int((e.time - started.pop(key)).total_seconds())
    return out


def driving_alerts(org: str, vehicle_id: str, positions: Sequence[Position], events: Sequence[StopEvent],
                   places: Places, now: datetime.datetime, rules: DrivingRules = JAPAN_2024) -> list[Alert]:
    """DRIVING_RULES alerts: the day so far as the 運転日報 reads it (``server.reports.timeline``: driving
    from the track, breaks from events and long stops), judged by the checker's own rule code."""
    day = timeline(positions, events, places, rules)
    return [
        Alert("DRIVING_RULES", org, vehicle_id, f"{v.message_ja} / {v.message}", now, int(v.amount or 0),
              None)
        for v in day_violations(day, rules, vehicle_id)
    ]
