"""Planning the breaks a route needs under :class:`~optimizer.rules.DrivingRules`.

Positions along a route are numbered like the steps of a break-free schedule:
0 is the start depot, ``k`` (1..n) is visit ``k - 1`` of the route and
``n + 1`` is the end depot; leg ``k`` goes from position ``k`` to ``k + 1``.

The rule used: before leaving position ``k``, if driving leg ``k`` would push
the continuous driving past ``max_continuous_driving``, one break of
``break_total`` is taken there (after service). A leg longer than the limit by
itself is split: drive until the limit, break by the road, go on. A wait for a
time window of at least ``break_total`` after some driving is used as the
break (it costs no time) only when ``rules.wait_counts_as_break`` (off by default: waiting is work).
Every break resets the driving clock.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from optimizer.compiled import Compiled
from optimizer.model import NodeKind, RoutePlan
from optimizer.rules import DrivingRules

Windows = tuple[tuple[int, int], ...]


class BreakPlace(enum.Enum):
    #: At position ``position`` after its service, before leaving.
    AT_STOP = "AT_STOP"
    #: By the road on leg ``position`` (to ``position + 1``), after ``driven`` seconds of it.
    EN_ROUTE = "EN_ROUTE"
    #: At position ``position`` while waiting for its time window, before service.
    WAITING = "WAITING"


@dataclass(frozen=True, slots=True)
class Break:
    place: BreakPlace
    position: int
    #: EN_ROUTE: seconds of the leg driven before the break (0 otherwise).
    driven: int
    start: int
    end: int

    @property
    def duration(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class BreakSchedule:
    """A route's times with its breaks; per-visit lists are indexed by visit (position − 1)."""

    breaks: tuple[Break, ...]
    start_time: int
    end_time: int
    #: Arrival at each visit (before any break taken while waiting there).
    arrival: tuple[int, ...]
    #: Service start of each visit.
    start: tuple[int, ...]
    departure: tuple[int, ...]
    #: Service start minus arrival (a WAITING break is inside this span).
    waiting: tuple[int, ...]
    #: End of the window service started in; for a late visit the last window's end; None = no window.
    window_end: tuple[int | None, ...]
    late: tuple[bool, ...]

    @property
    def break_duration(self) -> int:
        return sum(b.duration for b in self.breaks)


def schedule_with_breaks(
    rules: DrivingRules | None,
    depart: int,
    legs: Sequence[int],
    services: Sequence[int],
    windows: Sequence[Windows],
) -> BreakSchedule:
    """Forward schedule from ``depart``, inserting breaks (none if ``rules`` is None or disabled).

    ``legs`` has one travel duration more than ``services``/``windows`` (the last
    leg returns to the end depot); ``windows`` are sorted (start, end) pairs.
    """
    n = len(services)
    if len(legs) != n + 1 or len(windows) != n:
        raise ValueError("legs needs exactly one more entry than services and windows")
    active = rules is not None and rules.enabled
    limit = rules.max_continuous_driving if rules is not None and active else 0
    length = rules.break_total if rules is not None and active else 0
    waits_break = rules is not None and rules.wait_counts_as_break
    if active and limit <= 0:
        raise ValueError("max_continuous_driving must be positive")
    breaks: list[Break] = []
    arr, sta, dep, wai = [0] * n, [0] * n, [0] * n, [0] * n
    wend: list[int | None] = [None] * n
    late = [False] * n
    t = depart
    drive = 0
    for i in range(n + 1):
        leg = legs[i]
        if active:
            if drive > 0 and drive + leg > limit:
                breaks.append(Break(BreakPlace.AT_STOP, i, 0, t, t + length))
                t += length
                drive = 0
            rem = leg
            while drive + rem > limit:
                part = limit - drive
                rem -= part
                t += part
                breaks.append(Break(BreakPlace.EN_ROUTE, i, leg - rem, t, t + length))
                t += length
                drive = 0
            t += rem
            drive += rem
        else:
            t += leg
        if i == n:
            break
        a = t
        s = a
        for ws, we in windows[i]:
            if we >= a:
                s = max(s, ws)
                wend[i] = we
                break
        else:
            if windows[i]:
                wend[i] = windows[i][-1][1]
                late[i] = True
        if active and waits_break and drive > 0 and s - a >= length:
            breaks.append(Break(BreakPlace.WAITING, i + 1, 0, a, a + length))
            drive = 0
        arr[i], sta[i], wai[i] = a, s, s - a
        t = s + services[i]
        dep[i] = t
    return BreakSchedule(
        tuple(breaks), depart, t, tuple(arr), tuple(sta), tuple(dep), tuple(wai), tuple(wend), tuple(late)
    )


def latest_schedule_with_breaks(
    rules: DrivingRules | None,
    earliest: int,
    max_delay: int,
    legs: Sequence[int],
    services: Sequence[int],
    windows: Sequence[Windows],
) -> BreakSchedule:
    """The schedule leaving as late as possible (at most ``max_delay`` after ``earliest``).

    Leaving later must not end the route later, make an on-time visit late, or
    make a late visit later still, compared with leaving at ``earliest``. The
    delay is found by bisection; the result always satisfies these conditions.
    """
    base = schedule_with_breaks(rules, earliest, legs, services, windows)

    def ok(s: BreakSchedule) -> bool:
        if s.end_time > base.end_time:
            return False
        for i in range(len(services)):
            if base.late[i]:
                if s.arrival[i] > base.arrival[i]:
                    return False
            elif s.late[i]:
                return False
        return True

    lo, hi = 0, max(0, min(max_delay, sum(base.waiting)))
    best = base
    while lo < hi:
        mid = (lo + hi + 1) // 2
        s = schedule_with_breaks(rules, earliest + mid, legs, services, windows)
        if ok(s):
            lo, best = mid, s
        else:
            hi = mid - 1
    return best


def _windows(stop_windows: tuple) -> Windows:
    ws = [(w.start, w.end) for w in stop_windows]
    return tuple(sorted(ws))


def plan_breaks(compiled: Compiled, route_plan: RoutePlan) -> BreakSchedule:
    """Schedule of ``route_plan`` with the breaks its vehicle's rules require.

    The route leaves as late as it can without ending later (as in the
    checker); a vehicle without enabled rules gets no breaks.
    """
    p = compiled.problem
    veh = p.vehicles[route_plan.vehicle]
    nodes = [veh.start_depot]
    services: list[int] = []
    windows: list[Windows] = []
    for vis in route_plan.visits:
        node = compiled.node_of(vis)
        nodes.append(node)
        if vis.kind is NodeKind.DEPOT:
            d = p.depots[vis.index]
            services.append(d.reload_duration)
            windows.append(((d.time_window.start, d.time_window.end),))
        else:
            stop = compiled.stop_of(node)
            assert stop is not None
            services.append(stop.service_duration)
            windows.append(_windows(stop.time_windows))
    nodes.append(veh.end_depot)
    durs = compiled.durations[compiled.vehicle_profile[route_plan.vehicle]]
    legs = [int(durs[a, b]) for a, b in itertools.pairwise(nodes)]
    sd = p.depots[veh.start_depot]
    earliest = max(veh.shift.start, sd.time_window.start)
    latest_leave = min(veh.shift.end, sd.time_window.end)
    return latest_schedule_with_breaks(
        veh.rules, earliest, max(0, latest_leave - earliest), legs, services, windows
    )


def split_leg(distance: int, duration: int, offsets: Sequence[int]) -> list[tuple[int, int]]:
    """Cut a leg at the driven ``offsets`` (seconds, increasing): (distance, duration) of each piece.

    Distances are shared in proportion to time and always add up to ``distance``.
    """
    out: list[tuple[int, int]] = []
    prev_t = prev_d = 0
    for off in [*offsets, duration]:
        d = distance if off >= duration else (distance * off) // duration if duration else 0
        out.append((d - prev_d, off - prev_t))
        prev_t, prev_d = off, d
    return out


__all__ = [
    "Break",
    "BreakPlace",
    "BreakSchedule",
    "latest_schedule_with_breaks",
    "plan_breaks",
    "schedule_with_breaks",
    "split_leg",
]
