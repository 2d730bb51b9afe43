"""The daily branch report of a recorded day: every figure and every violation."""

from __future__ import annotations

import datetime

import pytest

from optimizer.checker.duty import Duty, DutyCode
from optimizer.checker.result import ViolationCode
from server.reports.daily import branch_report
from tests.unit.reports.recorded import DATE, at, recorded_day

H = 3600


@pytest.fixture(scope="module")
def report():
    return branch_report(recorded_day())


def by_vehicle(report, vid):
    return next(v for v in report.vehicles if v.vehicle_id == vid)


def test_the_day_is_final_and_every_vehicle_is_there(report):
    assert not report.provisional and report.running_routes == ()
    assert [v.vehicle_id for v in report.vehicles] == ["V-001", "V-002", "V-003", "V-004"]
    assert report.utilisation == pytest.approx(3 / 4)
    v4 = by_vehicle(report, "V-004")
    assert not v4.has_actuals and v4.driving_s == 0 and v4.violations == ()


def test_driver_who_breaks_the_430_rule(report):
    """2 h + 2 h 30 min of driving with only an unloading of 15 min between: one stretch of 4 h 30 min."""
    v = by_vehicle(report, "V-001")
    assert v.driver_name == "山田 太郎" and v.registration_number == "練馬 100 あ 01"
    assert v.duty_start == at(7, 30) and v.duty_end == at(16, 40)
    assert v.restraint_s == 9 * H + 10 * 60
    assert v.first_departure == at(8) and v.last_return == at(16, 40)
    assert v.driving_s == 2 * H + 2.5 * H + 3 * H
    assert v.actual_m == pytest.approx(270_000, abs=2) and v.planned_m == 260_000
    assert v.planned_s == 8.5 * H
    assert [(b.start, b.end, b.place, b.from_track) for b in v.breaks] == [
        (at(12, 55), at(13, 40), "高崎倉庫", False),
    ]
    assert [(c.code, c.amount, c.limit) for c in v.violations] == [
        (ViolationCode.CONTINUOUS_DRIVING, 4.5 * H, 4 * H),
    ]
    assert (v.on_time, v.late, v.failed, v.pending) == (2, 0, 0, 0)
    assert v.load_factor == pytest.approx(1200 / 2000)
    assert v.planned_load_factor == pytest.approx(1200 / 2000)
    assert v.loaded_ratio == pytest.approx(135 / 270, abs=1e-6)
    assert v.added == () and v.skipped == () and not v.detour and v.detour_m == pytest.approx(10_000, abs=2)
    assert [(h.kind, h.start, h.end, h.order_id) for h in v.handling] == [
        ("LOADING", at(7, 30), at(8), None),
        ("UNLOADING", at(10), at(10, 15), "O-1"),
        ("UNLOADING", at(12, 45), at(12, 55), "O-2"),
    ]


def test_driver_over_13_hours_with_a_long_wait_and_a_failed_delivery(report):
    v = by_vehicle(report, "V-002")
    assert v.duty_start == at(5) and v.duty_end == at(19, 30)
    assert v.restraint_s == 14.5 * H
    assert v.driving_s == (1 + 1 + 1.5 + 2 + 3) * H
    assert v.actual_m == pytest.approx(330_000, abs=2)
    assert [(c.code, c.amount, c.limit) for c in v.violations] == [
        (ViolationCode.RESTRAINT, 14.5 * H, 13 * H),
    ]
    assert "14:30" in v.violations[0].message_ja
    o3, o4, o5, o6 = v.stops
    assert (o3.order_id, o3.outcome, o3.arrived, o3.departed) == ("O-3", "DELIVERED", at(6), at(8, 55))
    assert (o3.waiting_s, o3.handling_s) == (2.5 * H, 20 * 60)
    assert o3.wait_over_30 and o3.stop_over_30 and o3.over_2h and not o3.late
    assert o3.requested_by == "所沢物流 佐藤"
    assert (o4.outcome, o4.failure_reason, o4.handling_s) == ("FAILED", "NOT_HOME", 300)
    assert not o4.wait_over_30
    assert (o5.outcome, o5.late, o5.arrived, o5.window_end) == ("DELIVERED", True, at(11, 30), at(11))
    assert not o5.over_2h and not o5.stop_over_30
    assert (o6.outcome, o6.handling_s) == ("DELIVERED", 15 * 60)
    assert (v.on_time, v.late, v.failed, v.pending) == (2, 1, 1, 0)
    assert [(b.start, b.end, b.from_track, b.place) for b in v.breaks] == [
        (at(11, 45), at(12, 45), False, "本庄工場"),
        (at(15), at(15, 30), True, "前橋配送センター"),
    ]
    assert [(w.start, w.end, w.place) for w in v.waits] == [(at(6), at(8, 30), "所沢物流")]
    assert v.load_factor == pytest.approx((400 + 300 + 200) / 2000)
    assert v.planned_load_factor == pytest.approx(1000 / 2000)


def test_added_skipped_and_detour(report):
    v = by_vehicle(report, "V-003")
    assert v.skipped == ("O-8",) and v.added == ("O-9",)
    assert [(s.order_id, s.sequence, s.outcome) for s in v.stops] == [
        ("O-7", 1, "DELIVERED"), ("O-8", 2, "SKIPPED"), ("O-9", None, "DELIVERED"),
    ]
    assert v.actual_m == pytest.approx(90_000, abs=2)
    assert v.detour and v.detour_m == pytest.approx(40_000, abs=2)
    assert v.violations == () and v.breaks == ()
    assert v.loaded_ratio == pytest.approx(45 / 90, abs=1e-6)


def test_a_day_still_running_is_provisional():
    """At 14:00 V-001 drives back, V-002 is out with O-6 pending, V-003 is back; nothing is SKIPPED."""
    r = branch_report(recorded_day(now=at(14), until=at(14)))
    assert r.provisional and r.running_routes == ("V-001", "V-002")
    v2 = next(v for v in r.vehicles if v.vehicle_id == "V-002")
    assert [s.outcome for s in v2.stops] == ["DELIVERED", "FAILED", "DELIVERED", "PENDING"]
    v3 = next(v for v in r.vehicles if v.vehicle_id == "V-003")
    assert v3.skipped == () and [s.outcome for s in v3.stops] == ["DELIVERED", "PENDING", "DELIVERED"]
    assert v2.violations == ()  # 9 h so far


def test_history_brings_the_rest_before_the_day():
    """D-002 worked 09:00-22:00 the day before: 7 h of rest before 05:00, under the 9 h minimum, and the
    4 h from 05:00 to 09:00 count toward the day before too (17 h in its 24 hours, over 15 h)."""
    prev = DATE - datetime.timedelta(days=1)
    history = {"D-002": [Duty(at(9, day=prev), at(22, day=prev), 6 * H)]}
    r = branch_report(recorded_day(), history=history)
    assert [(d.code, d.driver_id, d.day, d.amount, d.limit) for d in r.duty_violations] == [
        (DutyCode.RESTRAINT_24H, "D-002", prev, 17 * H, 15 * H),
        (DutyCode.REST_BETWEEN_SHIFTS, "D-002", prev, 7 * H, 9 * H),
    ]
