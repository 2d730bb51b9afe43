"""Reports records → hakobu.reports.v1 messages, and the report resource names."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from google.protobuf import duration_pb2, timestamp_pb2

from hakobu.reports.v1 import reports_pb2 as pb
from optimizer.checker.duty import DutyViolation
from optimizer.checker.result import Violation
from server.reports.diary import DrivingDiary
from server.reports.model import (
    BranchDailyReport,
    DriverMonth,
    Interval,
    MonthlySummary,
    StopActual,
    VehicleReport,
)
from server.reports.usecases import RuleCheck

_SEG = r"[A-Za-z0-9][A-Za-z0-9._~-]{0,127}"
_DATE = r"\d{4}-\d{2}-\d{2}"
_BRANCH = rf"organizations/({_SEG})/branches/({_SEG})"
DAILY = re.compile(rf"{_BRANCH}/dailyReports/({_DATE})")
DIARY = re.compile(rf"{_BRANCH}/dailyReports/({_DATE})/drivingDiaries/({_SEG})")
MONTHLY = re.compile(rf"{_BRANCH}/monthlySummaries/(\d{{4}}-\d{{2}})")
BRANCH = re.compile(_BRANCH)


@dataclass(frozen=True)
class ReportName:
    kind: str  # daily, diary, monthly
    organization: str
    branch: str
    date: datetime.date  # the day, or the month's first day
    driver: str | None = None


def parse_report_name(name: str) -> ReportName | None:
    """A daily report, a driving diary or a monthly summary name; None when it is none of them (or its
    date does not exist)."""
    try:
        if m := DIARY.fullmatch(name):
            return ReportName("diary", m[1], m[2], datetime.date.fromisoformat(m[3]), m[4])
        if m := DAILY.fullmatch(name):
            return ReportName("daily", m[1], m[2], datetime.date.fromisoformat(m[3]))
        if m := MONTHLY.fullmatch(name):
            return ReportName("monthly", m[1], m[2], datetime.date.fromisoformat(m[3] + "-01"))
    except ValueError:
        return None
    return None


def daily_name(org: str, branch: str, date: datetime.date) -> str:
    return f"organizations/{org}/branches/{branch}/dailyReports/{date.isoformat()}"


def _ts(t: datetime.datetime | None) -> timestamp_pb2.Timestamp | None:
    if t is None:
        return None
    out = timestamp_pb2.Timestamp()
    out.FromDatetime(t.astimezone(datetime.UTC))
    return out


def _dur(seconds: float) -> duration_pb2.Duration:
    return duration_pb2.Duration(seconds=int(seconds))


def interval(i: Interval) -> pb.Interval:
    return pb.Interval(kind=i.kind, start_time=_ts(i.start), end_time=_ts(i.end), place=i.place,
                       order_id=i.order_id or "", requested_by=i.requested_by, open=i.open,
                       from_track=i.from_track)


def violation(
    x: Violation | DutyViolation, date: datetime.date | None = None, driver_id: str = ""
) -> pb.RuleViolation:
    if isinstance(x, DutyViolation):
        return pb.RuleViolation(code=x.code.value, severity=x.severity.value, driver_id=x.driver_id,
                                date=x.day.isoformat(), amount_seconds=x.amount, limit_seconds=x.limit,
                                message=x.message, message_ja=x.message_ja)
    return pb.RuleViolation(code=x.code.value, severity="VIOLATION", driver_id=driver_id,
                            vehicle_id=x.vehicle_id or "", date=date.isoformat() if date else "",
                            amount_seconds=x.amount or 0, limit_seconds=x.limit or 0, message=x.message,
                            message_ja=x.message_ja)


def stop(s: StopActual) -> pb.StopReport:
    return pb.StopReport(
        order_id=s.order_id, place=s.place, sequence=s.sequence or 0,
        planned_arrival_time=_ts(s.planned_arrival),
        window_start_time=_ts(s.window_start), window_end_time=_ts(s.window_end), arrival_time=_ts(s.arrived),
        departure_time=_ts(s.departed), outcome=s.outcome, failure_reason=s.failure_reason,
        failure_note=s.failure_note, waiting=_dur(s.waiting_s), handling=_dur(s.handling_s), late=s.late,
        stop_over_30_minutes=s.stop_over_30, wait_over_30_minutes=s.wait_over_30, over_2_hours=s.over_2h,
        requested_by=s.requested_by,
    )


def vehicle(v: VehicleReport, date: datetime.date) -> pb.VehicleReport:
    out = pb.VehicleReport(
        vehicle_id=v.vehicle_id, registration_number=v.registration_number, driver_id=v.driver_id or "",
        driver_name=v.driver_name, has_actuals=v.has_actuals, running=v.running,
        planned_distance_meters=v.planned_m, actual_distance_meters=v.actual_m,
        planned_duration=_dur(v.planned_s), duty_start_time=_ts(v.duty_start), duty_end_time=_ts(v.duty_end),
        restraint=_dur(v.restraint_s), driving=_dur(v.driving_s), first_departure_time=_ts(v.first_departure),
        last_return_time=_ts(v.last_return), stops=[stop(s) for s in v.stops],
        breaks=[interval(i) for i in v.breaks], waits=[interval(i) for i in v.waits],
        handling=[interval(i) for i in v.handling], on_time=v.on_time, late=v.late, failed=v.failed,
        pending=v.pending, added_orders=v.added, skipped_orders=v.skipped, extra_distance_meters=v.detour_m,
        detour=v.detour, violations=[violation(x, date, v.driver_id or "") for x in v.violations],
    )
    if v.load_factor is not None:
        out.load_factor = v.load_factor
    if v.planned_load_factor is not None:
        out.planned_load_factor = v.planned_load_factor
    if v.loaded_ratio is not None:
        out.loaded_ratio = v.loaded_ratio
    return out


def daily_report(r: BranchDailyReport) -> pb.DailyReport:
    return pb.DailyReport(
        name=daily_name(r.organization, r.branch_id, r.date), branch_name=r.branch_name,
        plan=f"organizations/{r.organization}/plans/{r.plan_id}", generate_time=_ts(r.generated_at),
        provisional=r.provisional, running_vehicles=r.running_routes,
        vehicles=[vehicle(v, r.date) for v in r.vehicles], utilisation=r.utilisation or 0.0,
        duty_violations=[violation(x) for x in r.duty_violations],
    )


def diary(d: DrivingDiary, org: str, branch: str) -> pb.DrivingDiary:
    return pb.DrivingDiary(
        name=f"{daily_name(org, branch, d.date)}/drivingDiaries/{d.driver_id}", date=d.date.isoformat(),
        branch_name=d.branch_name, driver_id=d.driver_id, driver_name=d.driver_name, vehicle_id=d.vehicle_id,
        registration_number=d.registration_number, start_time=_ts(d.start), start_place=d.start_place,
        end_time=_ts(d.end), end_place=d.end_place, distance_meters=d.distance_m, waypoints=d.waypoints,
        breaks=[pb.Interval(kind="BREAK", start_time=_ts(b.start), end_time=_ts(b.end), place=b.place,
                            from_track=b.from_track) for b in d.breaks],
        waits=[pb.DiaryWait(place=w.place, order_id=w.order_id, set_time=_ts(w.set_time),
                            arrival_time=_ts(w.arrived), wait_start_time=_ts(w.wait_start),
                            wait_end_time=_ts(w.wait_end), handling_start_time=_ts(w.handling_start),
                            handling_end_time=_ts(w.handling_end), departure_time=_ts(w.departed))
               for w in d.waits],
        handling=[pb.Interval(kind=h.what, start_time=_ts(h.start), end_time=_ts(h.end), place=h.place,
                              requested_by=h.requested_by) for h in d.handling],
        incidents=d.incidents, provisional=d.provisional, notes=d.notes,
    )


def _driver_month(d: DriverMonth) -> pb.DriverMonth:
    return pb.DriverMonth(
        driver_id=d.driver_id, driver_name=d.driver_name, days=d.days, restraint=_dur(d.restraint_s),
        driving=_dur(d.driving_s), distance_meters=d.distance_m, delivered=d.delivered, late=d.late,
        failed=d.failed, waiting=_dur(d.waiting_s), handling=_dur(d.handling_s), violations=d.violations,
    )


def monthly(s: MonthlySummary) -> pb.MonthlySummary:
    return pb.MonthlySummary(
        name=f"organizations/{s.organization}/branches/{s.branch_id}/monthlySummaries/{s.month:%Y-%m}",
        branch_name=s.branch_name, days_reported=s.days_reported,
        drivers=[_driver_month(d) for d in s.drivers], total=_driver_month(s.total),
        violations=[violation(x) for x in s.violations],
    )


def rule_check(c: RuleCheck) -> pb.CheckRulesResponse:
    return pb.CheckRulesResponse(
        days_reported=c.days_reported,
        violations=[violation(x, day, driver) for day, _, driver, x in c.daily]
        + [violation(x) for x in c.multi_day],
    )
