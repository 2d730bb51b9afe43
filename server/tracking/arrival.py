"""Arrival and departure from positions: a radius and a dwell time around each planned stop.

A vehicle that stays within ``radius`` metres of a stop for ``dwell`` seconds has ARRIVED there (at the
time it came within the radius); leaving the radius again after arriving is DEPARTED. A drive-by shorter
than the dwell time is nothing. Pure: :class:`ArrivalDetector` keeps each vehicle's current dwell in
memory and returns what happened; the monitor records it as GEOFENCE events (idempotent request ids, so
a restart or a second server records nothing twice).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from server.tracking.eta import haversine_m
from server.tracking.model import EventType


@dataclass(frozen=True)
class Place:
    """A stop of the vehicle's route: where, and whether it has been reached already."""

    order_id: str
    latitude: float
    longitude: float
    reached: bool  # ARRIVED already (or DONE, FAILED)
    #: DONE or FAILED: no longer a place to arrive at (left behind unless the vehicle is still there).
    done: bool = False


@dataclass(frozen=True)
class Detected:
    type: EventType  # ARRIVED or DEPARTED
    order_id: str
    time: datetime.datetime
    latitude: float
    longitude: float


@dataclass
class _Dwell:
    order_id: str
    entered: datetime.datetime
    latitude: float
    longitude: float
    arrived: bool
    place: tuple[float, float]


class ArrivalDetector:
    def __init__(self, radius: float = 150.0, dwell: float = 60.0) -> None:
        self.radius = radius
        self.dwell = datetime.timedelta(seconds=dwell)
        self._dwell: dict[tuple[str, str], _Dwell] = {}

    def step(self, org: str, vehicle_id: str, time: datetime.datetime, latitude: float, longitude: float,
             places: Sequence[Place]) -> list[Detected]:
        """What one position (in time order) means for the vehicle.

        The candidates are the stops not done yet, and the one the vehicle is at: it stays there while
        that stop is the nearest candidate within the radius (stops closer together than the radius are
        told apart by which is nearer)."""
        key = (org, vehicle_id)
        out: list[Detected] = []
        cur = self._dwell.get(key)
        candidates = [(p.order_id, p.latitude, p.longitude, p.reached) for p in places if not p.done]
        if cur is not None and all(c[0] != cur.order_id for c in candidates):
            candidates.append((cur.order_id, cur.place[0], cur.place[1], True))
        near = min(((haversine_m(latitude, longitude, c[1], c[2]), c) for c in candidates),
                   default=None, key=lambda x: x[0])
        here = near[1] if near is not None and near[0] <= self.radius else None
        if cur is not None and (here is None or here[0] != cur.order_id):
            if cur.arrived:
                out.append(Detected(EventType.DEPARTED, cur.order_id, time, latitude, longitude))
            del self._dwell[key]
            cur = None
        if here is None:
            return out
        if cur is None:
            cur = _Dwell(here[0], time, latitude, longitude, arrived=here[3], place=(here[1], here[2]))
            self._dwell[key] = cur
        if not cur.arrived and time - cur.entered >= self.dwell:
            cur.arrived = True
            out.append(Detected(EventType.ARRIVED, cur.order_id, cur.entered, cur.latitude, cur.longitude))
        return out

    def forget(self, org: str, vehicle_id: str) -> None:
        self._dwell.pop((org, vehicle_id), None)
