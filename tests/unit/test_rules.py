"""Tests for the driving-time rule set (optimizer.rules) and its validation."""

from __future__ import annotations

import pytest

from optimizer.checker import RouteResult, evaluate
from optimizer.compiled import compile_problem
from optimizer.model import (
    Depot,
    Job,
    Location,
    ModelError,
    NodeKind,
    Plan,
    Problem,
    RoutePlan,
    Stop,
    Vehicle,
    Visit,
)
from optimizer.rules import JAPAN_2024, DrivingRules


def _problem(*rules: DrivingRules | None) -> Problem:
    return Problem(
        depots=(Depot("d", Location(x=0, y=0)),),
        vehicles=tuple(Vehicle(f"v{i}", (10,), rules=r) for i, r in enumerate(rules)),
        jobs=(Job("j", Stop(Location(x=1, y=1)), demand=(1,)),),
    )


def _fields(exc: pytest.ExceptionInfo[ModelError]) -> set[str]:
    return {f for f, _ in exc.value.violations}


def test_japan_2024_defaults_are_the_430_and_13_hour_rules():
    """JAPAN_2024 is 4 h driving, 30 min of breaks in parts of ≥ 10 min, 13 h restraint (max 15 h)."""
    r = JAPAN_2024
    assert (r.max_continuous_driving, r.break_total, r.break_min_part) == (14400, 1800, 600)
    assert (r.max_restraint, r.hard_max_restraint) == (46800, 54000)
    assert (r.max_daily_driving, r.enabled) == (None, True)


def test_a_vehicle_carries_its_rules_into_the_schedule():
    """5 h of driving: with JAPAN_2024 the checked schedule holds 30 min of breaks, without rules none."""

    def route(rules: DrivingRules | None) -> RouteResult:
        p = Problem(
            depots=(Depot("d", Location(x=0, y=0)),),
            vehicles=(Vehicle("v", (10,), rules=rules),),
            jobs=(Job("j", Stop(Location(x=9000, y=0)), demand=(1,)),),  # 2.5 h each way at 1 m/s
        )
        ev = evaluate(compile_problem(p), Plan([RoutePlan(0, [Visit(NodeKind.JOB, 0)])]))
        assert ev.is_feasible
        [rr] = ev.routes
        return rr

    assert Vehicle("v", (1,)).rules is None
    free, ruled = route(None), route(JAPAN_2024)
    assert free.breaks == () and free.duration == 18000
    assert ruled.break_duration >= JAPAN_2024.break_total
    assert ruled.duration == 18000 + ruled.break_duration


def test_valid_rules_pass_validation():
    """Default, disabled and daily-limited rule sets are accepted."""
    p = _problem(JAPAN_2024, DrivingRules(enabled=False), DrivingRules(max_daily_driving=9 * 3600), None)
    assert len(p.vehicles) == 4


def test_negative_durations_are_named():
    """Negative rule durations are reported under vehicles[i].rules.<field>."""
    with pytest.raises(ModelError) as exc:
        _problem(None, None, DrivingRules(break_total=-1, max_daily_driving=-5))
    assert {"vehicles[2].rules.break_total", "vehicles[2].rules.max_daily_driving"} <= _fields(exc)


def test_zero_driving_limit_is_rejected():
    """A continuous-driving limit of 0 would need infinitely many breaks and is rejected."""
    with pytest.raises(ModelError) as exc:
        _problem(DrivingRules(max_continuous_driving=0))
    assert _fields(exc) == {"vehicles[0].rules.max_continuous_driving"}


def test_minimum_part_longer_than_total_break_is_rejected():
    """break_min_part above break_total cannot be satisfied and names break_min_part."""
    with pytest.raises(ModelError) as exc:
        _problem(DrivingRules(break_total=600, break_min_part=900))
    assert _fields(exc) == {"vehicles[0].rules.break_min_part"}


def test_break_longer_than_restraint_is_rejected():
    """A break longer than the restraint limit is reported on break_total."""
    with pytest.raises(ModelError) as exc:
        _problem(None, DrivingRules(break_total=4 * 3600, max_restraint=3 * 3600))
    assert _fields(exc) == {"vehicles[1].rules.break_total"}


def test_restraint_above_hard_maximum_is_rejected():
    """max_restraint above hard_max_restraint is reported on max_restraint."""
    with pytest.raises(ModelError) as exc:
        _problem(DrivingRules(max_restraint=16 * 3600))
    assert _fields(exc) == {"vehicles[0].rules.max_restraint"}
