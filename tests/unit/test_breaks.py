"""Tests for break planning (optimizer.breaks)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from optimizer.breaks import BreakPlace, plan_breaks, schedule_with_breaks, split_leg
from optimizer.compiled import Compiled, compile_problem
from optimizer.model import (
    Depot,
    Job,
    Location,
    NodeKind,
    Problem,
    RoutePlan,
    Stop,
    TimeWindow,
    Travel,
    TravelMode,
    Vehicle,
    Visit,
)
from optimizer.rules import JAPAN_2024, DrivingRules

H = 3600
M = 60


def _compiled(jobs: list[tuple[float, int, tuple[TimeWindow, ...]]], rules: DrivingRules | None) -> Compiled:
    """Jobs on a line at x seconds of driving from the depot (1 m/s), with (x, service, windows)."""
    return compile_problem(
        Problem(
            depots=(Depot("D", Location(x=0, y=0)),),
            vehicles=(Vehicle("V", (100,), rules=rules),),
            jobs=tuple(Job(f"J{i}", Stop(Location(x=x, y=0), s, w)) for i, (x, s, w) in enumerate(jobs)),
            travel=Travel(TravelMode.EUCLIDEAN, speed=1.0),
        )
    )


def _route(n: int) -> RoutePlan:
    return RoutePlan(0, [Visit(NodeKind.JOB, i) for i in range(n)])


def _max_stretch(legs: list[int], sched) -> int:
    """Longest driving between breaks, rebuilt from the legs and the planned breaks."""
    cuts: dict[int, list[int]] = {}
    for b in sched.breaks:
        cuts.setdefault(b.position, []).append(b.driven if b.place is BreakPlace.EN_ROUTE else -1)
    best = run = 0
    for i, leg in enumerate(legs):
        done = 0
        for off in cuts.get(i, []):
            if off < 0:  # at the stop before the leg, or while waiting at its end (position i)
                run = 0 if done == 0 else run
                continue
            run += off - done
            best = max(best, run)
            done, run = off, 0
        run += leg - done
        best = max(best, run)
    return best


def test_six_hours_of_driving_get_a_half_hour_break_before_four_hours():
    """3 h out and 3 h back: one 30 min break at the stop, never more than 4 h at the wheel."""
    c = _compiled([(3 * H, 0, ())], JAPAN_2024)
    s = plan_breaks(c, _route(1))
    assert len(s.breaks) == 1
    b = s.breaks[0]
    assert (b.place, b.position, b.duration) == (BreakPlace.AT_STOP, 1, 30 * M)
    assert b.start == s.start_time + 3 * H
    assert s.end_time - s.start_time == 6 * H + 30 * M
    assert _max_stretch([3 * H, 3 * H], s) <= 4 * H


def test_service_time_does_not_reset_the_driving_clock():
    """2.5 h out, 2 h of loading, 2.5 h back still needs a break: loading is not a break."""
    c = _compiled([(2.5 * H, 2 * H, ())], JAPAN_2024)
    s = plan_breaks(c, _route(1))
    assert [(b.place, b.position) for b in s.breaks] == [(BreakPlace.AT_STOP, 1)]
    assert s.breaks[0].start == s.departure[0]  # after the loading


def test_leg_longer_than_the_limit_gets_an_en_route_break():
    """A 5 h leg is cut after 4 h of driving by a road-side break."""
    c = _compiled([(5 * H, 0, ())], JAPAN_2024)
    s = plan_breaks(c, _route(1))
    first = s.breaks[0]
    assert (first.place, first.position, first.driven) == (BreakPlace.EN_ROUTE, 0, 4 * H)
    assert s.arrival[0] == s.start_time + 5 * H + 30 * M
    # the way back: 1 h already driven + 5 h => break at the stop, then 4 h + break + 1 h
    assert [(b.place, b.position, b.driven) for b in s.breaks[1:]] == [
        (BreakPlace.AT_STOP, 1, 0),
        (BreakPlace.EN_ROUTE, 1, 4 * H),
    ]
    assert _max_stretch([5 * H, 5 * H], s) == 4 * H
    assert all(b.duration >= JAPAN_2024.break_min_part for b in s.breaks)


def test_short_routes_need_no_break():
    """Two 1.5 h legs (3 h of driving) get no break."""
    c = _compiled([(1.5 * H, 0, ())], JAPAN_2024)
    assert plan_breaks(c, _route(1)).breaks == ()


def test_disabled_or_missing_rules_plan_no_breaks():
    """Rules switched off, or no rules at all, give the break-free schedule."""
    for rules in (DrivingRules(enabled=False), None):
        c = _compiled([(5 * H, 0, ())], rules)
        s = plan_breaks(c, _route(1))
        assert s.breaks == ()
        assert s.end_time - s.start_time == 10 * H


WAITS = replace(JAPAN_2024, wait_counts_as_break=True)


def test_long_wait_for_a_window_is_used_as_the_break_when_the_setting_says_so():
    """Waiting 40 min for a window after 3 h of driving is the break (with ``wait_counts_as_break``): the
    route ends no later."""
    w = (TimeWindow(3 * H + 40 * M, 3 * H + 50 * M),)
    with_rules = plan_breaks(_compiled([(3 * H, 0, w)], WAITS), _route(1))
    without = plan_breaks(_compiled([(3 * H, 0, w)], None), _route(1))
    assert [b.place for b in with_rules.breaks] == [BreakPlace.WAITING]
    assert with_rules.end_time == without.end_time
    assert with_rules.waiting[0] >= JAPAN_2024.break_total


def test_by_default_a_wait_is_work_and_a_real_break_is_taken():
    """The same route under the default rules: the wait does not reset the driving clock, so the 3 h
    back need a break at the stop (30 min later)."""
    w = (TimeWindow(3 * H + 40 * M, 3 * H + 50 * M),)
    s = plan_breaks(_compiled([(3 * H, 0, w)], JAPAN_2024), _route(1))
    without = plan_breaks(_compiled([(3 * H, 0, w)], None), _route(1))
    assert [b.place for b in s.breaks] == [BreakPlace.AT_STOP]
    assert s.end_time == without.end_time + JAPAN_2024.break_total


def test_departure_is_as_late_as_breaks_allow():
    """The route leaves as late as it can while the wait at a late window still serves as a break."""
    w = (TimeWindow(10 * H, 11 * H),)
    s = plan_breaks(_compiled([(3 * H, 0, ()), (6 * H, 0, w)], WAITS), _route(2))
    # Leaving at 3 h: break at J0 (3 h + 3 h > 4 h), J1 reached at 9 h 30, the 30 min wait is a
    # break, and the 6 h way back needs only one road-side break. Leaving later would turn the
    # wait into driving time and need one more break, ending later.
    assert [(b.place, b.position) for b in s.breaks] == [
        (BreakPlace.AT_STOP, 1),
        (BreakPlace.WAITING, 2),
        (BreakPlace.EN_ROUTE, 2),
    ]
    assert (s.start_time, s.start[1], s.end_time) == (3 * H, 10 * H, 16 * H + 30 * M)
    assert s.late == (False, False)


def test_schedule_with_breaks_checks_its_inputs():
    """legs must have one more entry than services."""
    with pytest.raises(ValueError):
        schedule_with_breaks(JAPAN_2024, 0, [1, 2], [0, 0], [(), ()])


def test_split_leg_keeps_the_total_distance():
    """Pieces of a cut leg add up to the leg's distance and duration."""
    pieces = split_leg(1001, 7, [3, 5])
    assert sum(d for d, _ in pieces) == 1001
    assert [t for _, t in pieces] == [3, 2, 2]
