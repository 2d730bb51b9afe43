"""The 430 rule on what happened: breaks in parts of at least 10 minutes add up to the 30 minutes;
shorter pauses and work (unloading, waiting) do not — judged by the checker's own code."""

from __future__ import annotations

import datetime

from optimizer.checker.result import ViolationCode
from optimizer.rules import JAPAN_2024
from server.reports.places import Places
from server.reports.timeline import day_violations, timeline
from server.tracking.model import EventType
from tests.unit.reports.recorded import BRANCH, ORDERS, Track, at

H = 3600


def judged(track: Track) -> list[tuple[ViolationCode, int | None]]:
    t = timeline(track.positions, track.events, Places(BRANCH, ORDERS), JAPAN_2024)
    return [(v.code, v.amount) for v in day_violations(t, JAPAN_2024, "V-009")]


def day_with_breaks(minutes: list[float]) -> Track:
    """2 h of driving, then the breaks (each recorded with events, 5 min of driving between them), then
    2 h 10 min more."""
    tr = Track("V-009", "D-009", at(8)).drive(60, 120)
    km = 60.0
    for m in minutes:
        tr.event(EventType.BREAK_STARTED)
        whole = int(m)
        tr.stay(whole)
        if m != whole:  # a part under a minute: the end event a few seconds later
            tr.t += datetime.timedelta(seconds=round((m - whole) * 60))
        tr.event(EventType.BREAK_ENDED)
        km += 2
        tr.drive(km, 5)
    return tr.drive(km + 60, 130)


def test_three_parts_of_exactly_10_minutes_make_the_30():
    assert judged(day_with_breaks([10, 10, 10])) == []


def test_a_part_under_10_minutes_does_not_count():
    """9 min 59 s + 10 + 10: only 20 min of breaks count, so the driving runs on past 4 h."""
    found = judged(day_with_breaks([9 + 59 / 60, 10, 10]))
    assert [c for c, _ in found] == [ViolationCode.CONTINUOUS_DRIVING]
    # 2 h + 3 × 5 min + 2 h 10 min in one stretch, and the 59 s between the last report in place and
    # the end of the short break (the track's driving segment starts at the last report in place)
    assert found[0][1] == 2 * H + 15 * 60 + 130 * 60 + 59


def test_one_break_of_30_minutes_and_unloading_is_not_a_break():
    assert judged(day_with_breaks([30])) == []
    tr = Track("V-009", "D-009", at(8)).drive(60, 120)
    tr.event(EventType.ARRIVED, "O-1").event(EventType.UNLOADING_STARTED, "O-1").stay(45)
    tr.event(EventType.UNLOADING_ENDED, "O-1").event(EventType.DEPARTED, "O-1")
    tr.drive(120, 130)
    assert [c for c, _ in judged(tr)] == [ViolationCode.CONTINUOUS_DRIVING]


def test_exactly_4_hours_of_driving_is_allowed():
    assert judged(Track("V-009", "D-009", at(8)).drive(120, 240)) == []
    assert [c for c, _ in judged(Track("V-009", "D-009", at(8)).drive(120, 241))] == [
        ViolationCode.CONTINUOUS_DRIVING]
