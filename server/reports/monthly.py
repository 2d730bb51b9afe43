"""The monthly summary per driver and per branch, from the month's daily reports."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import replace

from optimizer.checker.duty import JAPAN_2024_DUTY, Duty, DutyRules, duty_violations
from server.reports.daily import duty_of
from server.reports.model import BranchDailyReport, DriverMonth, MonthlySummary


def month_days(month: datetime.date) -> list[datetime.date]:
    first = month.replace(day=1)
    nxt = (first + datetime.timedelta(days=32)).replace(day=1)
    return [first + datetime.timedelta(days=k) for k in range((nxt - first).days)]


def monthly_summary(
    reports: Sequence[BranchDailyReport],
    month: datetime.date,
    duty_rules: DutyRules = JAPAN_2024_DUTY,
    history: dict[str, list[Duty]] | None = None,
) -> MonthlySummary:
    """Totals per driver over ``reports`` (the branch's days of ``month``), with every rule broken:
    the single-day ones of each day and the multi-day ones over the month's duties (plus ``history``,
    each driver's duties before the month, for the rest and averages across its first days)."""
    if not reports:
        raise ValueError("no daily reports")
    first = reports[0]
    drivers: dict[str, DriverMonth] = {}
    duties: dict[str, list[Duty]] = {}
    violations: list = []
    for r in sorted(reports, key=lambda r: r.date):
        for v in r.vehicles:
            if not v.has_actuals or not v.driver_id:
                continue
            d = drivers.get(v.driver_id) or DriverMonth(v.driver_id, v.driver_name)
            drivers[v.driver_id] = replace(
                d,
                days=d.days + 1,
                restraint_s=d.restraint_s + v.restraint_s,
                driving_s=d.driving_s + v.driving_s,
                distance_m=d.distance_m + v.actual_m,
                delivered=d.delivered + v.on_time + v.late,
                late=d.late + v.late,
                failed=d.failed + v.failed,
                waiting_s=d.waiting_s + sum(s.waiting_s for s in v.stops),
                handling_s=d.handling_s + sum(s.handling_s for s in v.stops),
                violations=d.violations + len(v.violations),
            )
            violations.extend(v.violations)
            duty = duty_of(v)
            if duty is not None:
                duties.setdefault(v.driver_id, []).append(duty)
    last_day = max(r.date for r in reports)
    for driver_id, own in duties.items():
        before = (history or {}).get(driver_id, [])
        found = duty_violations(driver_id, [*before, *own], duty_rules, known_until=last_day)
        first_day = month.replace(day=1)
        found = [x for x in found if x.day.replace(day=1) == first_day or x.code.value == "YEARLY_RESTRAINT"]
        violations.extend(found)
        d = drivers[driver_id]
        broken = sum(1 for x in found if x.severity.value == "VIOLATION")
        drivers[driver_id] = replace(d, violations=d.violations + broken)
    return MonthlySummary(
        organization=first.organization,
        branch_id=first.branch_id,
        branch_name=first.branch_name,
        month=month.replace(day=1),
        drivers=tuple(drivers[k] for k in sorted(drivers)),
        days_reported=len(reports),
        violations=tuple(violations),
    )
