"""One vehicle's day from its track and stop events: duty, driving, breaks, waits, handling, visits.

The driving-time rules of the day are then judged by the checker's own code
(:func:`optimizer.checker.driving.driving_violations`) on steps built from what happened: each driving
segment of the track is a step whose travel time is the time driven, each break a BREAK step, any other
stop a step of work (neither driving nor a break).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from optimizer.checker.driving import driving_violations
from optimizer.checker.result import Step, Violation
from optimizer.rules import JAPAN_2024, DrivingRules
from server.reports.model import Interval
from server.reports.places import Places
from server.tracking.model import EventType, StopEvent
from server.tracking.segments import Segment, SegmentKind, segments

Span = tuple[datetime.datetime, datetime.datetime]

_PAIRS = {
    EventType.WAITING_STARTED: ("WAITING", True),
    EventType.WAITING_ENDED: ("WAITING", False),
    EventType.LOADING_STARTED: ("LOADING", True),
    EventType.LOADING_ENDED: ("LOADING", False),
    EventType.UNLOADING_STARTED: ("UNLOADING", True),
    EventType.UNLOADING_ENDED: ("UNLOADING", False),
    EventType.BREAK_STARTED: ("BREAK", True),
    EventType.BREAK_ENDED: ("BREAK", False),
}


@dataclass(frozen=True)
class Visit:
    """What the events say about one order's stop."""

    order_id: str
    arrived: datetime.datetime | None
    departed: datetime.datetime | None
    outcome: StopEvent | None  # the DELIVERED or FAILED event (the last one wins)
    waiting_s: int
    handling_s: int
    requested_by: str


@dataclass(frozen=True)
class Timeline:
    segments: tuple[Segment, ...]
    duty_start: datetime.datetime | None
    duty_end: datetime.datetime | None
    driving_s: int
    distance_m: int
    breaks: tuple[Interval, ...]
    waits: tuple[Interval, ...]
    handling: tuple[Interval, ...]
    visits: dict[str, Visit]

    @property
    def has_actuals(self) -> bool:
        return self.duty_start is not None


def _s(a: datetime.datetime, b: datetime.datetime) -> int:
    return int((b - a).total_seconds())


def event_intervals(
    events: Sequence[StopEvent], end: datetime.datetime | None, places: Places
) -> list[Interval]:
    """Pair each *_STARTED with the next *_ENDED of the same kind and order; a start never ended runs
    to ``end`` (marked open)."""
    open_: dict[tuple[str, str | None], StopEvent] = {}
    out: list[Interval] = []
    for e in sorted(events, key=lambda e: e.time):
        pair = _PAIRS.get(e.type)
        if pair is None:
            continue
        kind, starts = pair
        key = (kind, e.order_id if kind != "BREAK" else None)
        if starts:
            open_.setdefault(key, e)
            continue
        first = open_.pop(key, None)
        if first is not None and e.time >= first.time:
            out.append(Interval(kind, first.time, e.time, places.name_of_event(first), first.order_id,
                                first.requested_by or e.requested_by))
    for (kind, _), first in open_.items():
        stop = max(end or first.time, first.time)
        out.append(Interval(kind, first.time, stop, places.name_of_event(first), first.order_id,
                            first.requested_by, open=True))
    return sorted(out, key=lambda i: i.start)


def _visits(events: Sequence[StopEvent], intervals: Sequence[Interval]) -> dict[str, Visit]:
    by_order: dict[str, list[StopEvent]] = {}
    for e in sorted(events, key=lambda e: e.time):
        if e.order_id:
            by_order.setdefault(e.order_id, []).append(e)
    out = {}
    for oid, evs in by_order.items():
        arrived = next((e.time for e in evs if e.type is EventType.ARRIVED), None)
        departed = next((e.time for e in reversed(evs) if e.type is EventType.DEPARTED), None)
        outcome = next((e for e in reversed(evs) if e.type in (EventType.DELIVERED, EventType.FAILED)), None)
        if arrived is None:
            arrived = evs[0].time
        own = [i for i in intervals if i.order_id == oid]
        waiting = sum(i.seconds for i in own if i.kind == "WAITING")
        handled = [i for i in own if i.kind in ("LOADING", "UNLOADING")]
        if handled:
            handling = sum(i.seconds for i in handled)
        elif departed is not None:
            handling = max(0, _s(arrived, departed) - waiting)
        else:
            handling = 0
        requested = next((i.requested_by for i in handled if i.requested_by), "") or next(
            (e.requested_by for e in evs if e.requested_by), "")
        out[oid] = Visit(oid, arrived, departed, outcome, waiting, handling, requested)
    return out


def _free(
    start: datetime.datetime, end: datetime.datetime, taken: Sequence[Span]
) -> list[Span]:
    """The parts of [start, end] outside every span of ``taken`` (sorted by start)."""
    out = []
    at = start
    for a, b in taken:
        if b <= at or a >= end:
            continue
        if a > at:
            out.append((at, a))
        at = max(at, b)
    if at < end:
        out.append((at, end))
    return out


def timeline(
    positions: Sequence, events: Sequence[StopEvent], places: Places, rules: DrivingRules = JAPAN_2024
) -> Timeline:
    """The day of one vehicle. Duty runs from the first of (first driving, first event) to the last of
    (last driving, last event). A stop of at least ``rules.break_min_part`` with no work recorded in it
    (no visit, wait or handling), away from the branch, is a break found from the track (each part of
    it outside recorded work that lasts at least that long)."""
    segs = tuple(segments(positions))
    driving = [s for s in segs if s.kind is SegmentKind.DRIVING and s.seconds > 0]
    times = [e.time for e in events]
    starts = [*times, *(s.start for s in driving)]
    ends = [*times, *(s.end for s in driving)]
    if not starts:
        return Timeline(segs, None, None, 0, 0, (), (), (), {})
    duty_start, duty_end = min(starts), max(ends)
    intervals = event_intervals(events, duty_end, places)
    visits = _visits(events, intervals)
    work = [(v.arrived, v.departed) for v in visits.values() if v.arrived and v.departed]
    work += [(i.start, i.end) for i in intervals if i.kind != "BREAK"]
    breaks = [i for i in intervals if i.kind == "BREAK"]
    taken = sorted([*work, *((b.start, b.end) for b in breaks)])
    for s in segs:
        if s.kind is not SegmentKind.STOPPED or s.seconds < rules.break_min_part:
            continue
        if places.at_branch(s.latitude, s.longitude):
            continue
        for a, b in _free(max(s.start, duty_start), min(s.end, duty_end), taken):
            if _s(a, b) >= rules.break_min_part:
                where = places.name_at(s.latitude, s.longitude)
                breaks.append(Interval("BREAK", a, b, where, from_track=True))
    breaks.sort(key=lambda i: i.start)
    return Timeline(
        segs, duty_start, duty_end, int(sum(s.seconds for s in driving)),
        round(sum(s.distance_m for s in driving)), tuple(breaks),
        tuple(i for i in intervals if i.kind == "WAITING"),
        tuple(i for i in intervals if i.kind in ("LOADING", "UNLOADING")), visits,
    )


def rule_steps(t: Timeline) -> list[Step]:
    """The day as checker steps (seconds from the start of duty): driving segments carry their time as
    travel, breaks are BREAK steps, anything else is work."""
    assert t.duty_start is not None and t.duty_end is not None
    origin = t.duty_start

    def at(x: datetime.datetime) -> int:
        return _s(origin, x)

    pieces: list[tuple[int, int, str]] = []
    for s in t.segments:
        if s.kind is SegmentKind.DRIVING and s.seconds > 0:
            pieces.append((at(s.start), at(s.end), "DRIVE"))
    for b in t.breaks:
        pieces.append((at(b.start), at(b.end), "BREAK"))
    pieces.sort()
    steps = [Step("START", None, 0, 0, 0, 0, 0, (), 0, 0, 0)]
    for a, b, kind in pieces:
        if kind == "DRIVE":
            steps.append(Step("JOB", None, 0, b, b, b, 0, (), 0, b - a, 0))
        else:
            if steps[-1].departure < a:  # work (or standing) between the last piece and the break
                steps.append(Step("JOB", None, 0, a, a, a, 0, (), 0, 0, 0))
            steps.append(Step("BREAK", None, 0, a, a, b, 0, (), 0, 0, 0))
    end = at(t.duty_end)
    steps.append(Step("END", None, 0, end, end, end, 0, (), 0, 0, 0))
    return steps


def day_violations(t: Timeline, rules: DrivingRules, vehicle_id: str) -> list[Violation]:
    """The single-day driving rules (430 with parts of 10 min, restraint) on what happened."""
    if not t.has_actuals:
        return []
    return driving_violations(rule_steps(t), rules, vehicle_id=vehicle_id)
