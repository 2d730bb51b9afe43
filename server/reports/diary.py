"""運転日報 (乗務等の記録, 輸送安全規則 第8条) of each driver's day, from the daily report."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from server.reports.model import BranchDailyReport, VehicleReport

#: Breaks shorter than this may be left out of the record (第8条).
MIN_BREAK_S = 10 * 60
#: 荷待ち of at least this long must be recorded with its place and times.
MIN_WAIT_S = 30 * 60

FAILURE_JA = {
    "NOT_HOME": "不在", "REFUSED": "受取拒否", "ADDRESS_UNKNOWN": "住所不明", "DAMAGED": "破損",
    "OTHER": "その他",
}
HANDLING_JA = {"LOADING": "積込", "UNLOADING": "荷卸し"}
#: Marks 荷役 not recorded as such but taken from the time at the stop.
DERIVED = "(到着〜出発)"


@dataclass(frozen=True)
class DiaryBreak:
    place: str
    start: datetime.datetime
    end: datetime.datetime
    from_track: bool


@dataclass(frozen=True)
class DiaryWait:
    """A 荷待ち of 30 minutes or more: where, the time the shipper set, and what happened."""

    place: str
    order_id: str
    set_time: datetime.datetime | None
    arrived: datetime.datetime | None
    wait_start: datetime.datetime
    wait_end: datetime.datetime
    handling_start: datetime.datetime | None
    handling_end: datetime.datetime | None
    departed: datetime.datetime | None


@dataclass(frozen=True)
class DiaryHandling:
    place: str
    what: str  # 積込 / 荷卸し
    start: datetime.datetime
    end: datetime.datetime
    requested_by: str


@dataclass(frozen=True)
class DrivingDiary:
    date: datetime.date
    branch_name: str
    driver_id: str
    driver_name: str
    vehicle_id: str
    registration_number: str
    start: datetime.datetime | None
    start_place: str
    end: datetime.datetime | None
    end_place: str
    distance_m: int
    waypoints: tuple[str, ...]
    breaks: tuple[DiaryBreak, ...]
    waits: tuple[DiaryWait, ...]
    handling: tuple[DiaryHandling, ...]
    #: Accidents, serious delays and other abnormal events (failed deliveries, rules broken...).
    incidents: tuple[str, ...]
    provisional: bool
    #: Room for what the law asks to be written by hand (driver changes, instructions en route...).
    notes: str = ""


def diary_of(report: BranchDailyReport, v: VehicleReport) -> DrivingDiary:
    arrivals = sorted((s for s in v.stops if s.arrived), key=lambda s: s.arrived or datetime.datetime.min)
    waits = []
    for w in v.waits:
        if w.seconds < MIN_WAIT_S:
            continue
        stop = next((s for s in v.stops if s.order_id == w.order_id), None)
        handled = [h for h in v.handling if h.order_id == w.order_id and w.order_id]
        waits.append(DiaryWait(
            w.place, w.order_id or "", stop.window_start if stop else None, stop.arrived if stop else None,
            w.start, w.end, min((h.start for h in handled), default=None),
            max((h.end for h in handled), default=None),
            stop.departed if stop else None,
        ))
    incidents = []
    for s in v.stops:
        if s.outcome == "FAILED":
            reason = FAILURE_JA.get(s.failure_reason, s.failure_reason)
            note = f" {s.failure_note}" if s.failure_note else ""
            incidents.append(f"配達不能 {s.place}({s.order_id}): {reason}{note}")

    late = [f"{s.place}({s.order_id})" for s in v.stops if s.late and s.outcome != "FAILED"]
    if late:
        incidents.append(f"指定時刻超過 {len(late)}件: " + "、".join(late))
    incidents += [f"{x.message_ja}" for x in v.violations]
    incidents += [d.message_ja for d in report.duty_violations if d.driver_id == v.driver_id]
    return DrivingDiary(
        date=report.date,
        branch_name=report.branch_name,
        driver_id=v.driver_id or "",
        driver_name=v.driver_name,
        vehicle_id=v.vehicle_id,
        registration_number=v.registration_number,
        start=v.duty_start,
        start_place=v.start_place,
        end=v.duty_end,
        end_place=v.end_place,
        distance_m=v.actual_m,
        waypoints=tuple(s.place for s in arrivals),
        breaks=tuple(
            DiaryBreak(b.place, b.start, b.end, b.from_track) for b in v.breaks if b.seconds >= MIN_BREAK_S
        ),
        waits=tuple(waits),
        handling=_handling(v),
        incidents=tuple(incidents),
        provisional=report.provisional,
    )


def _handling(v: VehicleReport) -> tuple[DiaryHandling, ...]:
    """荷役 as recorded (LOADING / UNLOADING events), and for a stop with none recorded, its time there
    after any 荷待ち (arrival to departure): the record must say where and when handling happened."""
    out = [DiaryHandling(h.place, HANDLING_JA.get(h.kind, h.kind), h.start, h.end, h.requested_by)
           for h in v.handling]
    recorded = {h.order_id for h in v.handling if h.order_id}
    for s in v.stops:
        if s.order_id in recorded or s.arrived is None or s.departed is None or s.handling_s <= 0:
            continue
        start = s.arrived + datetime.timedelta(seconds=s.waiting_s)
        out.append(DiaryHandling(s.place, f"荷卸し{DERIVED}", start, s.departed, s.requested_by))
    return tuple(sorted(out, key=lambda h: h.start))


def diaries(report: BranchDailyReport) -> list[DrivingDiary]:
    """One 運転日報 per driver who worked that day (vehicles with actuals and a driver), by driver id."""
    out = [diary_of(report, v) for v in report.vehicles if v.has_actuals and v.driver_id]
    return sorted(out, key=lambda d: d.driver_id)
