"""Reports read through the ports: a day, the days before it, a range of rule checks, a month; and the
bad inputs (no plan, no tracking data, another organization, an unknown branch, a future date)."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from optimizer.checker.duty import DutyCode
from optimizer.checker.result import ViolationCode
from server.reports.errors import (
    FutureDateError,
    NoActualsError,
    NoPlanError,
    UnknownBranchError,
    UnknownDriverError,
)
from server.reports.usecases import daily_report, driver_diary, monthly_report, rule_check
from tests.unit.reports.fakes import stores_of
from tests.unit.reports.recorded import DATE, ORG, at, recorded_day, shifted

H = 3600
NEXT_MORNING = at(6, day=DATE + datetime.timedelta(days=1))


def test_daily_report_through_the_ports():
    stores = stores_of(recorded_day())
    r = daily_report(stores, ORG, "BR-NRM", DATE, NEXT_MORNING)
    assert not r.provisional and r.plan_id == "PLAN-20261201"
    v2 = next(v for v in r.vehicles if v.vehicle_id == "V-002")
    assert v2.driver_name == "佐々木 次郎" and v2.restraint_s == 14.5 * H and v2.failed == 1
    assert [v.vehicle_id for v in r.vehicles] == ["V-001", "V-002", "V-003", "V-004"]
    assert r.utilisation == pytest.approx(3 / 4)


def test_the_day_before_is_read_for_the_rest_between_shifts():
    """The same day recorded the day before, and D-002 starting at 05:00 after ending at 19:30: 9 h 30 min
    of rest (over the minimum, under the 11 h aim)."""
    before = shifted(recorded_day(), -1)
    stores = stores_of(before, recorded_day())
    r = daily_report(stores, ORG, "BR-NRM", DATE, NEXT_MORNING)
    rest = [(d.code, d.driver_id, d.amount) for d in r.duty_violations if d.code.value.startswith("REST")]
    assert rest == [(DutyCode.REST_BELOW_TARGET, "D-002", 9.5 * H)]


def test_bad_days_and_branches():
    stores = stores_of(recorded_day())
    with pytest.raises(NoPlanError, match="配送計画がありません"):
        daily_report(stores, ORG, "BR-NRM", DATE - datetime.timedelta(days=1), NEXT_MORNING)
    with pytest.raises(UnknownBranchError, match="BR-XXX"):
        daily_report(stores, ORG, "BR-XXX", DATE, NEXT_MORNING)
    with pytest.raises(UnknownBranchError):
        daily_report(stores, "ORG-OTHER", "BR-NRM", DATE, NEXT_MORNING)
    with pytest.raises(FutureDateError):
        daily_report(stores, ORG, "BR-NRM", DATE, at(23, day=DATE - datetime.timedelta(days=1)))


def test_a_planned_day_without_tracking_data_says_so():
    day = recorded_day()
    empty = dataclasses.replace(day, vehicles=tuple(dataclasses.replace(v, positions=(), events=())
                                                    for v in day.vehicles))
    with pytest.raises(NoActualsError, match="実績データ"):
        daily_report(stores_of(empty), ORG, "BR-NRM", DATE, NEXT_MORNING)


def test_a_day_still_running_is_provisional_through_the_ports():
    r = daily_report(stores_of(recorded_day()), ORG, "BR-NRM", DATE, at(14))
    assert r.provisional and r.running_routes == ("V-001", "V-002")


def test_one_drivers_diary_and_a_driver_of_another_organization():
    stores = stores_of(recorded_day())
    (d,) = driver_diary(stores, ORG, "BR-NRM", DATE, "D-002", NEXT_MORNING)
    assert d.driver_name == "佐々木 次郎" and d.registration_number == "練馬 100 あ 02"
    assert len(driver_diary(stores, ORG, "BR-NRM", DATE, None, NEXT_MORNING)) == 3
    with pytest.raises(UnknownDriverError):
        driver_diary(stores, ORG, "BR-NRM", DATE, "D-999", NEXT_MORNING)


def test_rule_check_over_a_range_and_the_month():
    """Three recorded days in a row: each day's 430 and 13 h breaks, and D-001's 2-day average is fine
    (7 h 30 min); D-002 drives 8 h 30 min every day (average under 9 h)."""
    days = [shifted(recorded_day(), k) for k in (-2, -1, 0)]
    stores = stores_of(*days)
    now = NEXT_MORNING
    check = rule_check(stores, ORG, "BR-NRM", DATE - datetime.timedelta(days=1), DATE, now)
    assert check.days_reported == 2
    assert sorted((d, v, x.code) for d, v, _, x in check.daily) == [
        (DATE - datetime.timedelta(days=1), "V-001", ViolationCode.CONTINUOUS_DRIVING),
        (DATE - datetime.timedelta(days=1), "V-002", ViolationCode.RESTRAINT),
        (DATE, "V-001", ViolationCode.CONTINUOUS_DRIVING),
        (DATE, "V-002", ViolationCode.RESTRAINT),
    ]
    assert {x.code for x in check.multi_day} == {DutyCode.REST_BELOW_TARGET}
    month = monthly_report(stores, ORG, "BR-NRM", DATE.replace(day=1), now)
    assert month.days_reported == 1  # only 12-01 is in December
    nov = monthly_report(stores, ORG, "BR-NRM", datetime.date(2026, 11, 1), now)
    assert nov.days_reported == 2
    d2 = next(d for d in nov.drivers if d.driver_id == "D-002")
    assert (d2.days, d2.restraint_s, d2.failed) == (2, 29 * H, 2)
