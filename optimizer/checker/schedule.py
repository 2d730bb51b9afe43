"""The times of one route: arrivals, service starts and the latest departure that keeps them."""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

from optimizer.compiled import Compiled
from optimizer.model import NodeKind, Visit


@dataclass(slots=True)
class Point:
    """A visit prepared for scheduling."""

    visit: Visit
    kind: str
    node: int
    service: int
    #: Sorted (start, end) windows; empty means any time.
    windows: tuple[tuple[int, int], ...]


def _windows(stop_windows: tuple) -> tuple[tuple[int, int], ...]:
    ws = tuple((w.start, w.end) for w in stop_windows)
    if len(ws) > 1:
        ws = tuple(sorted(ws))
    return ws


def prepare(compiled: Compiled, visits: list[Visit]) -> list[Point]:
    p = compiled.problem
    n_dep, n_job, n_shp = len(p.depots), len(p.jobs), len(p.shipments)
    out: list[Point] = []
    for vis in visits:
        k, i = vis.kind, vis.index
        if k is NodeKind.JOB:
            st = p.jobs[i].stop
            out.append(Point(vis, "JOB", n_dep + i, st.service_duration, _windows(st.time_windows)))
        elif k is NodeKind.PICKUP:
            st = p.shipments[i].pickup
            out.append(
                Point(vis, "PICKUP", n_dep + n_job + i, st.service_duration, _windows(st.time_windows))
            )
        elif k is NodeKind.DELIVERY:
            st = p.shipments[i].delivery
            out.append(
                Point(
                    vis, "DELIVERY", n_dep + n_job + n_shp + i, st.service_duration, _windows(st.time_windows)
                )
            )
        else:
            d = p.depots[i]
            out.append(
                Point(vis, "RELOAD", i, d.reload_duration, ((d.time_window.start, d.time_window.end),))
            )
    return out


@dataclass(slots=True)
class Times:
    arrival: list[int]
    start: list[int]
    departure: list[int]
    waiting: list[int]
    #: End of the window service started in (None: no window); for late stops the last window's end.
    window_end: list[int | None]
    late: list[bool]
    end_arrival: int


def schedule(depart: int, points: list[Point], durs: list[int]) -> Times:
    n = len(points)
    arr = [0] * n
    sta = [0] * n
    dep = [0] * n
    wai = [0] * n
    wend: list[int | None] = [None] * n
    late = [False] * n
    t = depart
    for i in range(n):
        pt = points[i]
        a = t + durs[i]
        s = a
        for ws, we in pt.windows:
            if we >= a:
                if ws > a:
                    s = ws
                wend[i] = we
                break
        else:
            if pt.windows:
                wend[i] = pt.windows[-1][1]
                late[i] = True
        arr[i] = a
        sta[i] = s
        wai[i] = s - a
        t = s + pt.service
        dep[i] = t
    return Times(arr, sta, dep, wai, wend, late, t + durs[n])


def latest_delay(times: Times, max_leave_delay: int) -> int:
    """How much later the vehicle can leave without ending later or breaking a window.

    A delay δ at the start is absorbed by waiting: after stop k the schedule is
    shifted by max(0, δ - W_k), W_k being the waiting up to and including k.
    This assumes every stop stays in the window it was served in, which holds
    only when every stop has at most one window (see :func:`latest_departure`).
    """
    bound = max_leave_delay
    cum = 0
    for i in range(len(times.arrival)):
        cum += times.waiting[i]
        we = times.window_end[i]
        if times.late[i]:
            b = cum  # do not make a late stop later still
        elif we is None:
            continue
        else:
            b = we - times.start[i] + cum
        if b < bound:
            bound = b
    return max(0, min(bound, cum))


def latest_departure(times: Times, points: list[Point], durs: list[int]) -> int | None:
    """Latest departure whose schedule ends no later and is no later anywhere it was late.

    ``times`` is the schedule from the earliest departure. Exact for any number
    of windows per stop (a later departure may reach a later window of a stop and
    wait less). Every step of the forward pass is non-decreasing in its input:
    from an arrival ``a`` service starts at ``g(a)`` = ``a`` inside a window or
    after the last one (late), else the start of the next window. So end time,
    each arrival and each lateness are non-decreasing in the departure, the
    earliest departure minimises lateness and then end time, and the departures
    keeping both are an interval starting there. Its right end is found by a
    backward pass: ``limit`` is the latest time one may leave the current point
    and still meet every constraint after it; at stop i the latest admissible
    arrival is the largest ``a`` with ``g(a) + service <= limit`` (a down-set, as
    ``g`` is monotone), capped at the last window's end (stay on time) or, for a
    stop already late, at its current arrival (no more lateness). ``None`` only
    if no departure qualifies, which cannot happen for the earliest one.
    """
    limit = times.end_arrival - durs[len(points)]
    for i in range(len(points) - 1, -1, -1):
        pt = points[i]
        s = limit - pt.service  # latest service start
        ws = pt.windows
        if ws:
            k = bisect.bisect_right(ws, (s, math.inf)) - 1  # last window opening at or before s
            if k < 0:
                return None  # s is before the first window opens: no arrival fits
            if ws[k][1] < s and k < len(ws) - 1:
                s = ws[k][1]  # s is in a gap: arriving after ws[k] closes waits past s
            s = min(s, times.arrival[i] if times.late[i] else ws[-1][1])
        limit = s - durs[i]
    return limit
