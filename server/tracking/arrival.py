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
    reached: bool  # ARRIVED, DONE or FAILED already


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


class ArrivalDetector:
    def __init__(self, radius: float = 150.0, dwell: float = 60.0) -> None:
        self.radius = radius
        self.dwell = datetime.timedelta(seconds=dwell)
        self._dwell: dict[tuple[str, str], _Dwell] = {}

    def step(self, org: str, vehicle_id: str, time: datetime.datetime, latitude: float, longitude: float,
             places: Sequence[Place]) -> list[Detected]:
        """What one position (in time order) means for the vehicle."""
        key = (org, vehicle_id)
        out: list[Detected] = []
        near = min(((haversine_m(latitude, longitude, p.latitude, p.longitude), p) for p in places),
                   default=None, key=lambda x: x[0])
        here = near[1] if near is not None and near[0] <= self.radius else None
        cur = self._dwell.get(key)
        if cur is not None and (here is None or here.order_id != cur.order_id):
            if cur.arrived:
                out.append(Detected(EventType.DEPARTED, cur.order_id, time, latitude, longitude))
            del self._dwell[key]
            cur = None
        if here is None:
            return out
        if cur is None:
            cur = _Dwell(here.order_id, time, latitude, longitude, arrived=here.reached)
            self._dwell[key] = cur
        if not cur.arrived and time - cur.entered >= self.dwell:
            cur.arrived = True
            out.append(Detected(EventType.ARRIVED, cur.order_id, cur.entered, cur.latitude, cur.longitude))
        return out

    def forget(self, org: str, vehicle_id: str) -> None:
        self._dwell.pop((org, vehicle_id), None)
