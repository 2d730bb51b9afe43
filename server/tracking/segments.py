"""What a track is made of: driving and stopped segments, distance, simplification and GeoJSON.

Pure functions over a vehicle's positions (oldest first, as ``PositionHistory.between`` returns them).
A *stop* is a stay point: a run of positions that all lie within ``radius_m`` of the run's first
position for at least ``min_stop_s`` seconds (a gap in the reports while the vehicle stays put is part
of the stop). Everything between stops is *driving*; pauses shorter than ``min_stop_s`` (traffic
lights, queues) are driving, as a tachograph counts them. Distances are great-circle metres between
consecutive positions of the driving segments, so GPS jitter while parked adds nothing.
"""

from __future__ import annotations

import datetime
import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from server.tracking.model import Position

EARTH_RADIUS_M = 6_371_008.8
#: A vehicle that stays within this radius ...
STOP_RADIUS_M = 60.0
#: ... for at least this long is stopped.
MIN_STOP_S = 120


class SegmentKind(enum.Enum):
    DRIVING = "DRIVING"
    STOPPED = "STOPPED"


@dataclass(frozen=True, slots=True)
class Segment:
    """A part of a track; ``first``/``last`` index the positions it spans (inclusive)."""

    kind: SegmentKind
    start: datetime.datetime
    end: datetime.datetime
    first: int
    last: int
    distance_m: float
    #: Where a stop is (its mean position); for driving, where it starts.
    latitude: float
    longitude: float

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def path_length_m(positions: Sequence[Position], first: int = 0, last: int | None = None) -> float:
    """Length of the path through ``positions[first..last]`` (inclusive)."""
    end = len(positions) - 1 if last is None else last
    total = 0.0
    for i in range(first, end):
        a, b = positions[i], positions[i + 1]
        total += haversine_m(a.latitude, a.longitude, b.latitude, b.longitude)
    return total


def _stays(positions: Sequence[Position], radius_m: float, min_stop_s: float) -> list[tuple[int, int]]:
    """(first, last) index of every stay point, merged when one follows the next in place.

    Distances to a stay's first position are measured in a local flat projection (exact to well under a
    metre at these radii), so a long track costs a few multiplications per position.
    """
    out: list[tuple[int, int]] = []
    n = len(positions)
    if n == 0:
        return out
    lat0 = math.radians(sum(p.latitude for p in positions) / n)
    kx = math.cos(lat0) * math.pi * EARTH_RADIUS_M / 180
    ky = math.pi * EARTH_RADIUS_M / 180
    xs = [p.longitude * kx for p in positions]
    ys = [p.latitude * ky for p in positions]
    r2 = radius_m * radius_m
    i = 0
    while i < n:
        ax, ay = xs[i], ys[i]
        j = i
        while j + 1 < n:
            dx, dy = xs[j + 1] - ax, ys[j + 1] - ay
            if dx * dx + dy * dy > r2:
                break
            j += 1
        if j > i and (positions[j].time - positions[i].time).total_seconds() >= min_stop_s:
            if out and out[-1][1] == i - 1:
                dx, dy = xs[i - 1] - ax, ys[i - 1] - ay
                if dx * dx + dy * dy <= r2:
                    out[-1] = (out[-1][0], j)
                    i = j + 1
                    continue
            out.append((i, j))
            i = j + 1
        else:
            i += 1
    return out


def _cumulative_m(positions: Sequence[Position]) -> list[float]:
    """Path length from the first position to each one (great-circle metres, numpy for long tracks)."""
    if len(positions) < 2:
        return [0.0] * len(positions)
    lat = np.radians(np.fromiter((p.latitude for p in positions), float, len(positions)))
    lon = np.radians(np.fromiter((p.longitude for p in positions), float, len(positions)))
    a = np.sin(np.diff(lat) / 2) ** 2 + np.cos(lat[:-1]) * np.cos(lat[1:]) * np.sin(np.diff(lon) / 2) ** 2
    steps = 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    return [0.0, *np.cumsum(steps).tolist()]


def segments(
    positions: Sequence[Position], *, radius_m: float = STOP_RADIUS_M, min_stop_s: float = MIN_STOP_S
) -> list[Segment]:
    """The track cut into alternating driving and stopped segments, in time order.

    A driving segment runs from the last position of a stop to the first of the next one (they share
    those positions), so the segments tile the track's time span without gaps.
    """
    if len(positions) < 2:
        return []
    cum = _cumulative_m(positions)
    out: list[Segment] = []
    prev_last = 0
    for first, last in _stays(positions, radius_m, min_stop_s):
        if first > prev_last:
            out.append(_driving(positions, cum, prev_last, first))
        pts = positions[first : last + 1]
        out.append(
            Segment(
                SegmentKind.STOPPED, pts[0].time, pts[-1].time, first, last, 0.0,
                sum(p.latitude for p in pts) / len(pts), sum(p.longitude for p in pts) / len(pts),
            )
        )
        prev_last = last
    if prev_last < len(positions) - 1:
        out.append(_driving(positions, cum, prev_last, len(positions) - 1))
    return out


def _driving(positions: Sequence[Position], cum: Sequence[float], first: int, last: int) -> Segment:
    a = positions[first]
    return Segment(
        SegmentKind.DRIVING, a.time, positions[last].time, first, last, cum[last] - cum[first], a.latitude,
        a.longitude,
    )


def distance_m(segs: Sequence[Segment]) -> float:
    """Distance driven: the sum over the driving segments."""
    return sum(s.distance_m for s in segs if s.kind is SegmentKind.DRIVING)


def driving_seconds(segs: Sequence[Segment]) -> float:
    return sum(s.seconds for s in segs if s.kind is SegmentKind.DRIVING)


def stopped_seconds(segs: Sequence[Segment]) -> float:
    return sum(s.seconds for s in segs if s.kind is SegmentKind.STOPPED)


# ---------------------------------------------------------------- simplification


def simplify(positions: Sequence[Position], tolerance_m: float) -> list[Position]:
    """Douglas-Peucker: the fewest positions (first and last kept) whose path stays within
    ``tolerance_m`` of the original; ``tolerance_m <= 0`` keeps every position."""
    n = len(positions)
    if n < 3 or tolerance_m <= 0:
        return list(positions)
    # Local equirectangular projection around the track's mean latitude (metres); plenty for a city.
    lat0 = math.radians(sum(p.latitude for p in positions) / n)
    kx = math.cos(lat0) * math.pi * EARTH_RADIUS_M / 180
    ky = math.pi * EARTH_RADIUS_M / 180
    xs = [p.longitude * kx for p in positions]
    ys = [p.latitude * ky for p in positions]
    keep = [False] * n
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        ax, ay, bx, by = xs[a], ys[a], xs[b], ys[b]
        dx, dy = bx - ax, by - ay
        seg2 = dx * dx + dy * dy
        worst, at = -1.0, -1
        for i in range(a + 1, b):
            px, py = xs[i] - ax, ys[i] - ay
            if seg2 == 0:
                d = math.hypot(px, py)
            else:
                t = max(0.0, min(1.0, (px * dx + py * dy) / seg2))
                d = math.hypot(px - t * dx, py - t * dy)
            if d > worst:
                worst, at = d, i
        if worst > tolerance_m:
            keep[at] = True
            stack.append((a, at))
            stack.append((at, b))
    return [p for p, k in zip(positions, keep, strict=True) if k]


# ---------------------------------------------------------------- GeoJSON


def _iso(t: datetime.datetime) -> str:
    return t.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def geojson(positions: Sequence[Position], segs: Sequence[Segment] = ()) -> dict[str, Any]:
    """A GeoJSON FeatureCollection (RFC 7946, [longitude, latitude]): the track as one LineString,
    then one Point per stop and one LineString per driving segment of ``segs`` (indices into
    ``positions``)."""
    features: list[dict[str, Any]] = []
    if positions:
        coords = [[p.longitude, p.latitude] for p in positions]
        geometry: dict[str, Any] = (
            {"type": "LineString", "coordinates": coords}
            if len(coords) > 1
            else {"type": "Point", "coordinates": coords[0]}
        )
        features.append({
            "type": "Feature",
            "geometry": geometry,
            "properties": {
                "kind": "TRACK",
                "vehicle_id": positions[0].vehicle_id,
                "start": _iso(positions[0].time),
                "end": _iso(positions[-1].time),
                "times": [_iso(p.time) for p in positions],
            },
        })
    for s in segs:
        props = {"kind": s.kind.value, "start": _iso(s.start), "end": _iso(s.end), "seconds": s.seconds}
        if s.kind is SegmentKind.STOPPED:
            geom: dict[str, Any] = {"type": "Point", "coordinates": [s.longitude, s.latitude]}
        else:
            pts = positions[s.first : s.last + 1]
            geom = {"type": "LineString", "coordinates": [[p.longitude, p.latitude] for p in pts]}
            props["distance_m"] = round(s.distance_m, 1)
        features.append({"type": "Feature", "geometry": geom, "properties": props})
    return {"type": "FeatureCollection", "features": features}
