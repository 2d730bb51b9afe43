"""Driving and stopped segments, distance, Douglas-Peucker and GeoJSON of recorded-like tracks."""

from __future__ import annotations

import datetime
import itertools
import json
import math

import pytest

from server.tracking.model import Position
from server.tracking.segments import (
    SegmentKind,
    distance_m,
    driving_seconds,
    geojson,
    haversine_m,
    path_length_m,
    segments,
    simplify,
    stopped_seconds,
)

T0 = datetime.datetime(2026, 12, 1, 8, 0, tzinfo=datetime.UTC)
LAT, LON = 35.0, 139.0
#: Metres per degree of longitude at LAT, and of latitude.
M_LON = math.pi * 6_371_008.8 / 180 * math.cos(math.radians(LAT))
M_LAT = math.pi * 6_371_008.8 / 180


def pos(t: float, east_m: float, north_m: float = 0.0) -> Position:
    return Position(
        "org", "dev", "V-001", T0 + datetime.timedelta(seconds=t),
        LAT + north_m / M_LAT, LON + east_m / M_LON,
    )


def day_track() -> list[Position]:
    """10 min parked (with 5 m of jitter), 20 min east at 10 m/s with a 60 s red light, 15 min at
    the customer, 20 min back; a report every 30 s."""
    out: list[Position] = []
    t = 0.0
    for k in range(21):  # parked 0..600 s
        out.append(pos(t, 5.0 * (k % 2)))
        t += 30
    x = 0.0
    for k in range(40):  # 1200 s east, with a red light at the middle (two reports in place)
        if k in (20, 21):
            out.append(pos(t, x))
        else:
            x += 300.0
            out.append(pos(t, x))
        t += 30
    for k in range(30):  # 900 s at the customer
        out.append(pos(t, x + 3.0 * (k % 3), 2.0))
        t += 30
    for _ in range(40):  # 1200 s back
        x -= 300.0 * 38 / 40
        out.append(pos(t, x))
        t += 30
    return out


def test_a_day_is_parked_driving_stopped_driving():
    """The red light is driving; the parked start and the customer are stops."""
    track = day_track()
    segs = segments(track)
    assert [s.kind for s in segs] == [
        SegmentKind.STOPPED, SegmentKind.DRIVING, SegmentKind.STOPPED, SegmentKind.DRIVING,
    ]
    parked, out, customer, back = segs
    assert parked.start == T0 and parked.seconds == 600
    assert out.seconds == 1200  # last parked report to the last report on the way (in the stop radius)
    assert customer.seconds == 900
    assert haversine_m(customer.latitude, customer.longitude, track[60].latitude, track[60].longitude) < 10
    assert back.end == track[-1].time
    # The segments tile the track.
    for a, b in itertools.pairwise(segs):
        assert a.end == b.start and a.last == b.first
    assert driving_seconds(segs) + stopped_seconds(segs) == (track[-1].time - T0).total_seconds()


def test_distance_counts_driving_only():
    """38 moves of 300 m out and back (the jitter while parked adds nothing)."""
    segs = segments(day_track())
    assert segs[1].distance_m == pytest.approx(38 * 300.0, abs=0.5)
    back = math.hypot(291.0, 2.0) + 39 * 285.0  # from the last report at the customer (6 m east, 2 m north)
    assert segs[3].distance_m == pytest.approx(back, abs=0.5)
    assert distance_m(segs) == pytest.approx(38 * 300.0 + back, abs=1)
    assert path_length_m(day_track()) > distance_m(segs)


def test_too_short_or_empty_tracks():
    assert segments([]) == []
    assert segments([pos(0, 0)]) == []
    # Two reports 60 s apart in place: shorter than a stop, so driving (of 0 m).
    segs = segments([pos(0, 0), pos(60, 0)])
    assert [s.kind for s in segs] == [SegmentKind.DRIVING]
    assert segs[0].distance_m == 0


def test_a_silent_phone_in_place_is_one_stop():
    """No reports for an hour while parked: still one stop, from the first report to the last."""
    segs = segments([pos(0, 0), pos(3600, 10), pos(3630, 800)])
    assert [s.kind for s in segs] == [SegmentKind.STOPPED, SegmentKind.DRIVING]
    assert segs[0].seconds == 3600


def test_a_stop_reported_in_two_runs_is_merged():
    """A stay that drifts past the radius from its first report but stays in place is one stop."""
    track = [pos(30 * k, 1.0 * k) for k in range(120)]  # creeping 1 m per report
    segs = segments(track, radius_m=60)
    assert [s.kind for s in segs] == [SegmentKind.STOPPED]
    assert segs[0].seconds == 30 * 119


def test_simplify_keeps_the_corners():
    """An L-shaped path of 41 reports simplifies to its three corners; a wiggle under the
    tolerance goes, one over it stays."""
    path = [pos(k, 100.0 * k) for k in range(21)] + [pos(21 + k, 2000, 100.0 * (k + 1)) for k in range(20)]
    out = simplify(path, 5)
    assert [(round((p.longitude - LON) * M_LON), round((p.latitude - LAT) * M_LAT)) for p in out] == [
        (0, 0), (2000, 0), (2000, 2000),
    ]
    wiggle = [pos(0, 0), pos(1, 500, 4), pos(2, 1000, 0)]
    assert len(simplify(wiggle, 5)) == 2
    assert len(simplify(wiggle, 3)) == 3
    assert simplify(wiggle, 0) == wiggle
    assert simplify(path[:2], 5) == path[:2]


def test_simplify_bounds_the_error():
    """Every dropped report of a real-looking track lies within the tolerance of the simplified path."""
    track = day_track()
    out = simplify(track, 20)
    assert len(out) < len(track) / 4
    kept = [i for i, p in enumerate(track) if p in out]
    assert kept[0] == 0 and kept[-1] == len(track) - 1

    def xy(p: Position) -> tuple[float, float]:
        return (p.longitude - LON) * M_LON, (p.latitude - LAT) * M_LAT

    for a, b in itertools.pairwise(kept):
        (ax, ay), (bx, by) = xy(track[a]), xy(track[b])
        for i in range(a + 1, b):
            px, py = xy(track[i])
            dx, dy = bx - ax, by - ay
            along = ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy) if dx or dy else 0.0
            t = max(0.0, min(1.0, along))
            assert math.hypot(px - ax - t * dx, py - ay - t * dy) <= 20.001


def test_geojson_is_valid_feature_collection():
    track = day_track()
    segs = segments(track)
    doc = json.loads(json.dumps(geojson(track, segs)))
    assert doc["type"] == "FeatureCollection"
    line = doc["features"][0]
    assert line["geometry"]["type"] == "LineString"
    assert line["geometry"]["coordinates"][0] == [track[0].longitude, track[0].latitude]
    assert line["properties"]["start"] == "2026-12-01T08:00:00Z"
    assert len(line["properties"]["times"]) == len(track)
    kinds = [f["properties"]["kind"] for f in doc["features"][1:]]
    assert kinds == ["STOPPED", "DRIVING", "STOPPED", "DRIVING"]
    assert doc["features"][1]["geometry"]["type"] == "Point"
    assert doc["features"][2]["properties"]["distance_m"] > 11000
    assert geojson([])["features"] == []
    assert geojson([track[0]])["features"][0]["geometry"]["type"] == "Point"
