"""ETAs of a vehicle's remaining stops from its live position, with the plan's own travel model.

The first leg (live position → next stop) is the plan's travel: on the road graph, the fastest path for
the vehicle's class when the caller has the graph (``first_leg``); otherwise the straight-line model,
haversine distance × the branch's detour factor at its speed, rounded as the checker rounds it. The legs
after it are the plan's own: the checker's planned gaps (service, travel, breaks) are kept, shifted by
how late or early the vehicle is, and a stop never starts before its time window opens. So a vehicle
leaving the depot at the planned time gets exactly the checker's schedule, and a delay ripples down the
route until waiting time absorbs it.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass

from optimizer.compiled import EARTH_RADIUS_M


@dataclass(frozen=True)
class PlannedStop:
    """A stop still to do, as the plan has it."""

    sequence: int
    order_id: str | None
    latitude: float
    longitude: float
    arrival: datetime.datetime
    service_start: datetime.datetime
    departure: datetime.datetime
    #: The time window (時間指定) the plan serves the stop in, if the order has one.
    window_start: datetime.datetime | None = None
    window_end: datetime.datetime | None = None


@dataclass(frozen=True)
class StopEta:
    stop: PlannedStop
    eta: datetime.datetime
    #: > 0 minutes after the window's end (late), < 0 before its start (early), 0 inside or no window.
    minutes_late: int

    @property
    def misses_window(self) -> bool:
        return self.minutes_late > 0


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (the checker's formula and earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dlat, dlon = p2 - p1, math.radians(lon2) - math.radians(lon1)
    h = math.sin(dlat / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, max(0.0, h))))


def travel_seconds(lat1: float, lon1: float, lat2: float, lon2: float, speed_kmh: float,
                   detour_factor: float) -> int:
    """Straight-line travel time as the optimizer computes it (metres rounded, then seconds rounded)."""
    d = round(haversine_m(lat1, lon1, lat2, lon2) * detour_factor)
    return math.floor(d / (speed_kmh / 3.6) + 0.5)


def minutes_late(eta: datetime.datetime, start: datetime.datetime | None,
                 end: datetime.datetime | None) -> int:
    if end is not None and eta > end:
        return math.ceil((eta - end).total_seconds() / 60)
    if start is not None and eta < start:
        return -math.ceil((start - eta).total_seconds() / 60)
    return 0


def estimate(
    latitude: float, longitude: float, now: datetime.datetime, remaining: Sequence[PlannedStop],
    speed_kmh: float, detour_factor: float, *, at_first_since: datetime.datetime | None = None,
    first_leg: int | None = None,
) -> list[StopEta]:
    """ETAs of ``remaining`` (in route order) for a vehicle at (latitude, longitude) at ``now``.

    ``at_first_since``: the vehicle is already at the first remaining stop (arrived then); its ETA is
    that arrival and its service is counted from then. ``first_leg``: the seconds to the first stop when
    the caller knows them (on the road graph); else the straight-line model gives them.
    """
    out: list[StopEta] = []
    prev: PlannedStop | None = None
    prev_departure = now
    for stop in remaining:
        if prev is None:
            if at_first_since is not None:
                eta = at_first_since
            else:
                leg = first_leg if first_leg is not None else travel_seconds(
                    latitude, longitude, stop.latitude, stop.longitude, speed_kmh, detour_factor)
                eta = now + datetime.timedelta(seconds=leg)
        else:
            eta = prev_departure + (stop.arrival - prev.departure)
        start = eta if stop.window_start is None or eta >= stop.window_start else stop.window_start
        prev_departure = max(start + (stop.departure - stop.service_start), now)
        out.append(StopEta(stop, eta, minutes_late(eta, stop.window_start, stop.window_end)))
        prev = stop
    return out
