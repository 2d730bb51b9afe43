"""The report use cases: read a day's actuals through the plans and tracking ports, then report.

A day is read from its plan (the newest revision), the branch's vehicles, drivers and orders, each
planned vehicle's positions between the day's midnight and the next (or now) and the plan's stop
events. The multi-day rules read the days they need before the asked one.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from optimizer.checker.duty import JAPAN_2024_DUTY, Duty, DutyRules, DutyViolation, duty_violations
from optimizer.checker.result import Violation
from optimizer.rules import JAPAN_2024, DrivingRules
from server.jst import JST
from server.reports.daily import branch_report, day_end, duty_of
from server.reports.diary import DrivingDiary, diaries
from server.reports.errors import (
    FutureDateError,
    NoActualsError,
    NoPlanError,
    UnknownBranchError,
    UnknownDriverError,
)
from server.reports.model import BranchDailyReport, DayActuals, MonthlySummary, VehicleDay
from server.reports.monthly import month_days, monthly_summary
from server.reports.ports import ReportStores


@dataclass(frozen=True)
class ReportRules:
    driving: DrivingRules = JAPAN_2024
    duty: DutyRules = JAPAN_2024_DUTY


def day_start(date: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(date, datetime.time(0), tzinfo=JST)


def read_day(stores: ReportStores, org: str, branch_id: str, date: datetime.date,
             now: datetime.datetime) -> DayActuals:
    """The day's actuals; ``NoPlanError`` / ``UnknownBranchError`` / ``FutureDateError``."""
    branch = stores.master.branch(org, branch_id)
    if branch is None:
        raise UnknownBranchError(branch_id)
    if day_start(date) > now:
        raise FutureDateError(date)
    plan = stores.plans.find(org, branch_id, date)
    if plan is None:
        raise NoPlanError(branch_id, date)
    vehicles = {v.id: v for v in stores.master.active_vehicles(org, branch_id)}
    drivers = {d.id: d for d in stores.master.active_drivers(org, branch_id)}
    orders = {o.id: o for o in stores.master.day_orders(org, branch_id, date)}
    end = min(day_end(date), now)
    events = [e for e in stores.events.for_plan(org, plan.id) if e.time < end]
    by_vehicle: dict[str, list] = {}
    for e in events:
        by_vehicle.setdefault(e.vehicle_id, []).append(e)
    days = []
    routes = {r.vehicle_id: r for r in plan.routes}
    for vid in sorted(set(routes) | set(by_vehicle)):
        route = routes.get(vid)
        vehicle = vehicles.get(vid)
        if vehicle is None:
            continue  # a vehicle retired since; its route cannot be reported without its record
        positions = stores.positions.between(org, vid, day_start(date), end)
        driver = drivers.get(route.driver_id) if route and route.driver_id else None
        days.append(VehicleDay(vehicle, driver, route, tuple(positions), tuple(by_vehicle.get(vid, ()))))
    for vid in sorted(set(vehicles) - set(routes) - set(by_vehicle)):
        days.append(VehicleDay(vehicles[vid], None, None))
    return DayActuals(org, branch, date, plan, orders, tuple(days), len(vehicles), now)


def _has_actuals(day: DayActuals) -> bool:
    return any(v.positions or v.events for v in day.vehicles)


def daily_report(stores: ReportStores, org: str, branch_id: str, date: datetime.date, now: datetime.datetime,
                 rules: ReportRules = ReportRules(), *, history_days: int = 1) -> BranchDailyReport:
    """The day's branch report, with the multi-day rules judged against the ``history_days`` before it.
    ``NoActualsError`` when the day has no tracking data at all (nothing is invented)."""
    day = read_day(stores, org, branch_id, date, now)
    if not _has_actuals(day):
        raise NoActualsError(branch_id, date)
    history = duties_between(stores, org, branch_id, date - datetime.timedelta(days=history_days),
                             date - datetime.timedelta(days=1), now, rules)
    return branch_report(day, rules.driving, rules.duty, history)


def reports_between(stores: ReportStores, org: str, branch_id: str, first: datetime.date,
                    last: datetime.date, now: datetime.datetime,
                    rules: ReportRules = ReportRules()) -> Iterator[BranchDailyReport]:
    """Each day's report from ``first`` to ``last`` that has a plan and actuals (others are skipped),
    without multi-day rules."""
    if stores.master.branch(org, branch_id) is None:
        raise UnknownBranchError(branch_id)
    day = first
    while day <= last and day_start(day) <= now:
        try:
            actual = read_day(stores, org, branch_id, day, now)
        except NoPlanError:
            actual = None
        if actual is not None and _has_actuals(actual):
            yield branch_report(actual, rules.driving, rules.duty)
        day += datetime.timedelta(days=1)


def duties_between(stores: ReportStores, org: str, branch_id: str, first: datetime.date,
                   last: datetime.date, now: datetime.datetime,
                   rules: ReportRules = ReportRules()) -> dict[str, list[Duty]]:
    out: dict[str, list[Duty]] = {}
    if first > last:
        return out
    for r in reports_between(stores, org, branch_id, first, last, now, rules):
        for v in r.vehicles:
            d = duty_of(v)
            if d is not None and v.driver_id:
                out.setdefault(v.driver_id, []).append(d)
    return out


def driver_diary(stores: ReportStores, org: str, branch_id: str, date: datetime.date, driver_id: str | None,
                 now: datetime.datetime, rules: ReportRules = ReportRules()) -> list[DrivingDiary]:
    """The day's 運転日報, of one driver (``UnknownDriverError`` when he is not of the branch, or has no
    duty that day) or of all."""
    report = daily_report(stores, org, branch_id, date, now, rules)
    found = diaries(report)
    if driver_id is None:
        return found
    own = [d for d in found if d.driver_id == driver_id]
    if not own:
        raise UnknownDriverError(driver_id)
    return own


@dataclass(frozen=True)
class RuleCheck:
    organization: str
    branch_id: str
    first: datetime.date
    last: datetime.date
    days_reported: int
    daily: tuple[tuple[datetime.date, str, str, Violation], ...]  # (day, vehicle, driver, violation)
    multi_day: tuple[DutyViolation, ...]


def rule_check(stores: ReportStores, org: str, branch_id: str, first: datetime.date, last: datetime.date,
               now: datetime.datetime, rules: ReportRules = ReportRules()) -> RuleCheck:
    """Every 改善基準告示 rule broken from ``first`` to ``last``: each day's, and the multi-day ones over
    the range plus the day before (rest, averages) and the fiscal year so far (monthly, yearly totals
    need the whole month or year in the range to be exact)."""
    if last < first:
        raise FutureDateError(f"{first}..{last}")
    before = first - datetime.timedelta(days=1)
    reports = list(reports_between(stores, org, branch_id, before, last, now, rules))
    daily = []
    duties: dict[str, list[Duty]] = {}
    for r in reports:
        for v in r.vehicles:
            if r.date >= first:
                daily += [(r.date, v.vehicle_id, v.driver_id or "", x) for x in v.violations]
            d = duty_of(v)
            if d is not None and v.driver_id:
                duties.setdefault(v.driver_id, []).append(d)
    multi: list[DutyViolation] = []
    known = min(last, now.astimezone(JST).date())
    for driver_id in sorted(duties):
        found = duty_violations(driver_id, duties[driver_id], rules.duty, known_until=known)
        multi += [x for x in found if first <= x.day <= last or x.code.value in ("MONTHLY_RESTRAINT",
                                                                                   "YEARLY_RESTRAINT")]
    return RuleCheck(org, branch_id, first, last, sum(1 for r in reports if r.date >= first), tuple(daily),
                     tuple(multi))


def monthly_report(stores: ReportStores, org: str, branch_id: str, month: datetime.date,
                   now: datetime.datetime, rules: ReportRules = ReportRules()) -> MonthlySummary:
    days = month_days(month)
    reports = list(reports_between(stores, org, branch_id, days[0], days[-1], now, rules))
    if not reports:
        raise NoActualsError(branch_id, f"{month:%Y-%m}")
    history = duties_between(stores, org, branch_id, days[0] - datetime.timedelta(days=1),
                             days[0] - datetime.timedelta(days=1), now, rules)
    return monthly_summary(reports, month, rules.duty, history)
