"""The daily branch report: per vehicle and driver, the plan against what happened."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from optimizer.checker.duty import JAPAN_2024_DUTY, Duty, DutyCode, DutyRules, DutyViolation, duty_violations
from optimizer.rules import JAPAN_2024, DrivingRules
from server.jst import JST
from server.plans.records import Order, RouteRecord
from server.reports.model import BranchDailyReport, DayActuals, StopActual, VehicleDay, VehicleReport
from server.reports.places import Places
from server.reports.timeline import Timeline, day_violations, timeline
from server.tracking.segments import SegmentKind

WORK_KINDS = ("DELIVERY", "PICKUP")
#: Multi-day findings dated the day before that this day's start causes.
SPANNING = (DutyCode.REST_BETWEEN_SHIFTS, DutyCode.REST_BELOW_TARGET, DutyCode.RESTRAINT_24H)


def day_end(date: datetime.date) -> datetime.datetime:
    """When a day is over (midnight after it, Japan time)."""
    return datetime.datetime.combine(date + datetime.timedelta(days=1), datetime.time(0), tzinfo=JST)


Span = tuple[datetime.datetime | None, datetime.datetime | None]


def _window(order: Order | None, date: datetime.date) -> Span:
    if order is None or not order.time_windows:
        return None, None
    start = min(w[0] for w in order.time_windows)
    end = max(w[1] for w in order.time_windows)
    at = datetime.datetime.combine
    return at(date, start, tzinfo=JST), at(date, end, tzinfo=JST)


def _trips(route: RouteRecord | None) -> int:
    if route is None:
        return 1
    return 1 + sum(1 for s in route.stops if s.kind == "RELOAD")


def _stops(
    day: DayActuals, route: RouteRecord | None, t: Timeline, places: Places, final: bool
) -> tuple[list[StopActual], list[str], list[str]]:
    planned = [s for s in (route.stops if route else ()) if s.kind in WORK_KINDS and s.order_id]
    planned_ids = {s.order_id for s in planned}
    out: list[StopActual] = []
    skipped: list[str] = []

    def actual(order_id: str, seq: int | None, planned_at: datetime.datetime | None) -> StopActual:
        order = day.orders.get(order_id)
        w0, w1 = _window(order, day.date)
        v = t.visits.get(order_id)
        outcome, reason, note = "PENDING", "", ""
        if v is not None and v.outcome is not None:
            outcome = v.outcome.type.value
            if v.outcome.failure_reason is not None:
                reason = v.outcome.failure_reason.value
            note = v.outcome.failure_note
        elif final:
            outcome = "SKIPPED"
        arrived = v.arrived if v else None
        late = bool(arrived and w1 and arrived > w1)
        return StopActual(
            order_id, places.name_of_order(order_id), seq, planned_at, w0, w1, arrived,
            v.departed if v else None, outcome, reason, note, v.waiting_s if v else 0,
            v.handling_s if v else 0, order.weight_kg if order else 0.0, late, v.requested_by if v else "",
        )

    for s in planned:
        assert s.order_id is not None
        a = actual(s.order_id, s.sequence, s.arrival_time)
        if a.outcome == "SKIPPED":
            skipped.append(s.order_id)
        out.append(a)
    added = sorted(oid for oid in t.visits if oid not in planned_ids)
    out.extend(actual(oid, None, None) for oid in added)
    return out, added, skipped


def _loaded_ratio(t: Timeline, stops: Sequence[StopActual]) -> float | None:
    done = [s.arrived for s in stops if s.outcome in ("DELIVERED", "FAILED") and s.arrived]
    if not done or t.distance_m <= 0:
        return None
    last = max(done)
    loaded = 0.0
    for s in t.segments:
        if s.kind is not SegmentKind.DRIVING or s.seconds <= 0:
            continue
        if s.end <= last:
            loaded += s.distance_m
        elif s.start < last:
            loaded += s.distance_m * (last - s.start).total_seconds() / s.seconds
    return min(1.0, loaded / t.distance_m)


def vehicle_report(
    day: DayActuals, vd: VehicleDay, places: Places, rules: DrivingRules = JAPAN_2024
) -> VehicleReport:
    t = timeline(vd.positions, vd.events, places, rules)
    final = day.now >= day_end(day.date)
    stops, added, skipped = _stops(day, vd.route, t, places, final)
    route = vd.route
    payload = vd.vehicle.payload_kg * _trips(route)
    delivered = sum(s.weight_kg for s in stops if s.outcome == "DELIVERED")
    planned_w = sum(s.weight_kg for s in stops if s.sequence is not None)
    driving = [s for s in t.segments if s.kind is SegmentKind.DRIVING and s.seconds > 0]
    first_dep = driving[0].start if driving else None
    last_ret = None
    if driving:
        last = vd.positions[driving[-1].last]
        if places.at_branch(last.latitude, last.longitude):
            last_ret = driving[-1].end
    # Out and not back at the branch yet (a vehicle that ends its day elsewhere is running until midnight).
    running = not final and t.has_actuals and last_ret is None
    planned_m = route.distance_m if route else 0
    planned_s = 0
    if route and route.start_time and route.end_time:
        planned_s = int((route.end_time - route.start_time).total_seconds())
    p0, p1 = (vd.positions[0], vd.positions[-1]) if vd.positions else (None, None)
    return VehicleReport(
        vehicle_id=vd.vehicle.id,
        registration_number=vd.vehicle.registration_number,
        driver_id=vd.driver.id if vd.driver else (route.driver_id if route else None),
        driver_name=vd.driver.name if vd.driver else "",
        has_actuals=t.has_actuals,
        running=running,
        planned_m=planned_m,
        actual_m=t.distance_m,
        planned_s=planned_s,
        duty_start=t.duty_start,
        duty_end=t.duty_end,
        driving_s=t.driving_s,
        first_departure=first_dep,
        last_return=last_ret,
        start_place=places.name_at(p0.latitude, p0.longitude) if p0 else "",
        end_place=places.name_at(p1.latitude, p1.longitude) if p1 else "",
        stops=tuple(stops),
        breaks=t.breaks,
        handling=t.handling,
        waits=t.waits,
        load_factor=delivered / payload if payload > 0 and t.has_actuals else None,
        planned_load_factor=planned_w / payload if route and payload > 0 else None,
        loaded_ratio=_loaded_ratio(t, stops),
        added=tuple(added),
        skipped=tuple(skipped),
        detour_m=max(0, t.distance_m - planned_m) if t.has_actuals and route else 0,
        violations=tuple(day_violations(t, rules, vd.vehicle.id)),
    )


def duty_of(v: VehicleReport) -> Duty | None:
    if v.duty_start is None or v.duty_end is None:
        return None
    return Duty(v.duty_start.astimezone(JST), v.duty_end.astimezone(JST), v.driving_s)


def branch_report(
    day: DayActuals,
    rules: DrivingRules = JAPAN_2024,
    duty_rules: DutyRules = JAPAN_2024_DUTY,
    history: dict[str, list[Duty]] | None = None,
) -> BranchDailyReport:
    """The day's report. ``history``: each driver's duties on other days (for the rest before this
    day and the 2-day average); the multi-day violations kept are those that concern this day."""
    places = Places(day.branch, day.orders.values())
    vehicles = tuple(vehicle_report(day, vd, places, rules) for vd in day.vehicles)
    dv: list[DutyViolation] = []
    if history is not None:
        for v in vehicles:
            duty = duty_of(v)
            if v.driver_id is None or duty is None:
                continue
            duties = [d for d in history.get(v.driver_id, []) if d.day != day.date] + [duty]
            found = duty_violations(v.driver_id, duties, duty_rules, known_until=max(d.day for d in duties))
            before = day.date - datetime.timedelta(days=1)
            dv.extend(x for x in found if x.day == day.date or (x.day == before and x.code in SPANNING))
    return BranchDailyReport(
        organization=day.organization,
        branch_id=day.branch.id,
        branch_name=day.branch.name,
        date=day.date,
        plan_id=day.plan.id,
        generated_at=day.now,
        provisional=day.now < day_end(day.date),
        vehicles=vehicles,
        active_vehicles=day.active_vehicles,
        duty_violations=tuple(dv),
    )
