"""Simulated phones, pure: a vehicle's fixes along a polyline at a speed, and while it stays somewhere.

Used by the demo drive (``server.entrypoints.cli.demo``) and the tests; sending the fixes (OsmAnd over
HTTP) is the caller's business.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from server.tracking.eta import haversine_m


@dataclass(frozen=True)
class Fix:
    time: datetime.datetime
    latitude: float
    longitude: float
    speed_kmh: float
    heading: float


def bearing(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Degrees clockwise from north, from a to b."""
    la, lb = math.radians(a[0]), math.radians(b[0])
    dl = math.radians(b[1] - a[1])
    x = math.sin(dl) * math.cos(lb)
    y = math.cos(la) * math.sin(lb) - math.sin(la) * math.cos(lb) * math.cos(dl)
    return (math.degrees(math.atan2(x, y)) + 360.0) % 360.0


def along(points: Sequence[tuple[float, float]], start: datetime.datetime, speed_kmh: float,
          every: float) -> list[Fix]:
    """Fixes every ``every`` seconds driving ``points`` at ``speed_kmh``, the last one at the end."""
    if len(points) < 2 or speed_kmh <= 0:
        return []
    mps = speed_kmh / 3.6
    lengths = [haversine_m(*points[i], *points[i + 1]) for i in range(len(points) - 1)]
    total = sum(lengths)
    duration = total / mps
    out: list[Fix] = []
    t = every
    while t < duration:
        out.append(_at(points, lengths, t * mps, start + datetime.timedelta(seconds=t), speed_kmh))
        t += every
    last = points[-1]
    out.append(Fix(start + datetime.timedelta(seconds=duration), last[0], last[1], 0.0,
                   bearing(points[-2], last)))
    return out


def _at(points: Sequence[tuple[float, float]], lengths: Sequence[float], d: float, t: datetime.datetime,
        speed_kmh: float) -> Fix:
    for i, seg in enumerate(lengths):
        if d <= seg or i == len(lengths) - 1:
            f = 0.0 if seg == 0 else min(1.0, d / seg)
            a, b = points[i], points[i + 1]
            return Fix(t, a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, speed_kmh, bearing(a, b))
        d -= seg
    raise AssertionError("unreachable")


def stay(latitude: float, longitude: float, start: datetime.datetime, seconds: float,
         every: float) -> list[Fix]:
    """Fixes every ``every`` seconds standing still for ``seconds``."""
    out = []
    t = every
    while t <= seconds:
        out.append(Fix(start + datetime.timedelta(seconds=t), latitude, longitude, 0.0, 0.0))
        t += every
    return out


@dataclass(frozen=True)
class Tap:
    """What the simulated driver taps on the phone: a stop event at a time."""

    time: datetime.datetime
    vehicle_id: str
    order_id: str
    type: str  # DELIVERED, WAITING_STARTED, WAITING_ENDED


@dataclass(frozen=True)
class Visit:
    """A stop of a planned route, as the simulated vehicle drives it."""

    order_id: str
    latitude: float
    longitude: float
    arrival: datetime.datetime
    service_start: datetime.datetime
    departure: datetime.datetime


Legs = Callable[[tuple[float, float], tuple[float, float]], list[tuple[float, float]]]


def straight(a: tuple[float, float], b: tuple[float, float]) -> list[tuple[float, float]]:
    return [a, b]


def drive_route(vehicle_id: str, depot: tuple[float, float], start: datetime.datetime,
                visits: Sequence[Visit], legs: Legs = straight, *, every: float = 30.0,
                wait_at: str | None = None, wait: datetime.timedelta = datetime.timedelta(0),
                ) -> tuple[list[Fix], list[Tap]]:
    """A vehicle's day as its phone reports it: leaving the depot at ``start``, each leg along ``legs``
    in its planned travel time, waiting for a stop's planned start when early, serving for the planned
    time, taking ``wait`` extra (荷待ち, with WAITING taps) at ``wait_at``, and back to the depot."""
    fixes: list[Fix] = []
    taps: list[Tap] = []
    here, t = depot, start
    prev_departure = start
    for v in visits:
        planned_leg = max(1.0, (v.arrival - prev_departure).total_seconds())
        path = legs(here, (v.latitude, v.longitude))
        length = sum(haversine_m(*path[i], *path[i + 1]) for i in range(len(path) - 1))
        speed = min(90.0, max(5.0, length / planned_leg * 3.6))
        leg = along(path, t, speed, every)
        fixes += leg
        t = leg[-1].time if leg else t
        arrived = t
        service = v.departure - v.service_start
        begin = max(arrived, v.service_start)
        if v.order_id == wait_at and wait > datetime.timedelta(0):
            taps.append(Tap(arrived, vehicle_id, v.order_id, "WAITING_STARTED"))
            begin = max(begin, arrived + wait)
            taps.append(Tap(begin, vehicle_id, v.order_id, "WAITING_ENDED"))
        leave = begin + service
        fixes += stay(v.latitude, v.longitude, arrived, (leave - arrived).total_seconds(), 2 * every)
        taps.append(Tap(leave, vehicle_id, v.order_id, "DELIVERED"))
        here, t, prev_departure = (v.latitude, v.longitude), leave, v.departure
    back = along(legs(here, depot), t, 30.0, every)
    return fixes + back, taps
