"""Arrival and departure detection on a recorded track: radius, dwell time, drive-bys."""

from __future__ import annotations

import datetime

from server.tracking.arrival import ArrivalDetector, Place
from server.tracking.model import EventType

T0 = datetime.datetime(2026, 12, 7, 0, 0, tzinfo=datetime.UTC)
A = Place("O-A", 35.7500, 139.6700, reached=False)
B = Place("O-B", 35.7600, 139.6800, reached=False)
#: ~0.0009° latitude ≈ 100 m.
TRACK = [  # (seconds, lat, lon): drive by B quickly, then stop at A for 5 minutes, then leave
    (0, 35.7700, 139.6800), (30, 35.7605, 139.6800), (40, 35.7595, 139.6800), (60, 35.7550, 139.6750),
    (90, 35.7509, 139.6700), (120, 35.7502, 139.6701), (200, 35.7500, 139.6700), (400, 35.7501, 139.6699),
    (420, 35.7520, 139.6700), (450, 35.7400, 139.6700),
]


def _run(det: ArrivalDetector, places: list[Place]) -> list[tuple[EventType, str, int]]:
    out = []
    for sec, lat, lon in TRACK:
        for d in det.step("ORG", "V-1", T0 + datetime.timedelta(seconds=sec), lat, lon, places):
            out.append((d.type, d.order_id, int((d.time - T0).total_seconds())))
    return out


def test_a_stay_is_an_arrival_at_entry_time_and_leaving_is_a_departure() -> None:
    assert _run(ArrivalDetector(radius=150, dwell=60), [A, B]) == [
        (EventType.ARRIVED, "O-A", 90), (EventType.DEPARTED, "O-A", 420),
    ]


def test_a_drive_by_shorter_than_the_dwell_is_nothing_but_zero_dwell_counts_it() -> None:
    got = _run(ArrivalDetector(radius=150, dwell=0), [A, B])
    assert got[:2] == [(EventType.ARRIVED, "O-B", 30), (EventType.DEPARTED, "O-B", 60)]


def test_a_stop_already_reached_only_departs() -> None:
    done = Place("O-A", A.latitude, A.longitude, reached=True)
    assert _run(ArrivalDetector(radius=150, dwell=60), [done, B]) == [(EventType.DEPARTED, "O-A", 420)]


def test_a_tighter_radius_arrives_later() -> None:
    assert _run(ArrivalDetector(radius=50, dwell=60), [A, B])[0] == (EventType.ARRIVED, "O-A", 120)


def test_stops_closer_than_the_radius_are_told_apart_and_a_reached_one_is_left_behind() -> None:
    near_a = Place("O-N", 35.7505, 139.6700, reached=False)  # ~55 m north of A
    det = ArrivalDetector(radius=150, dwell=60)
    got = []
    track = [(0, 35.7500, 139.6700), (60, 35.7500, 139.6700), (120, 35.7501, 139.6700),
             (180, 35.7505, 139.6700), (240, 35.7505, 139.6700), (300, 35.7600, 139.6700)]
    reached_a = False
    for sec, lat, lon in track:
        places = [Place("O-A", A.latitude, A.longitude, reached=reached_a, done=reached_a), near_a]
        for d in det.step("ORG", "V-1", T0 + datetime.timedelta(seconds=sec), lat, lon, places):
            got.append((d.type, d.order_id, sec))
            reached_a = reached_a or d.order_id == "O-A"
    assert got == [(EventType.ARRIVED, "O-A", 60), (EventType.DEPARTED, "O-A", 180),
                   (EventType.ARRIVED, "O-N", 240), (EventType.DEPARTED, "O-N", 300)]


def test_a_finished_stop_is_no_place_to_arrive_at() -> None:
    done = Place("O-A", A.latitude, A.longitude, reached=True, done=True)
    assert _run(ArrivalDetector(radius=150, dwell=60), [done, B]) == []
