"""Make engine plans obey the driving-time rules the engines do not model.

Engines plan without breaks. Two measures make their plans keep the rules:
travel times are padded for the breaks to come (:func:`pad_for_breaks`), and a
plan that still breaks a rule once the checker has placed the breaks is repaired
by taking jobs off the offending routes until the checker accepts it
(:func:`repair_for_rules`). Jobs taken off are reported as unassigned with the
reason "driving-time rules".
"""

from __future__ import annotations

import dataclasses

import numpy as np

from optimizer.checker import Evaluation, ViolationCode, evaluate
from optimizer.compiled import Compiled
from optimizer.model import NodeKind, Plan, RoutePlan, Visit

#: Violations that breaks can cause on an otherwise valid route.
RULE_CODES = frozenset(
    {
        ViolationCode.TIME_WINDOW,
        ViolationCode.SHIFT,
        ViolationCode.MAX_DURATION,
        ViolationCode.CONTINUOUS_DRIVING,
        ViolationCode.RESTRAINT,
        ViolationCode.DAILY_DRIVING,
    }
)


def _ruled(compiled: Compiled) -> list[bool]:
    return [v.rules is not None and v.rules.enabled for v in compiled.problem.vehicles]


def has_rules(compiled: Compiled) -> bool:
    drivers = compiled.problem.drivers
    return any(_ruled(compiled)) or any(d.rules is not None and d.rules.enabled for d in drivers)


def _route_ruled(compiled: Compiled, rp: RoutePlan) -> bool:
    """Whether the route's driver (or else its vehicle) carries enabled driving rules."""
    p = compiled.problem
    if rp.driver is not None and 0 <= rp.driver < len(p.drivers) and p.drivers[rp.driver].rules is not None:
        rules = p.drivers[rp.driver].rules
        return rules is not None and rules.enabled
    v = p.vehicles[rp.vehicle]
    return v.rules is not None and v.rules.enabled


def pad_for_breaks(compiled: Compiled) -> Compiled:
    """The engines' view of a problem with driving-time rules.

    Travel durations are stretched by the share of breaks the rules add (30 min
    per 4 h → ×1.125) for the profiles of vehicles with rules (distances are
    untouched), and the restraint limit becomes their maximum route duration.
    """
    ruled = _ruled(compiled)
    factors: dict[int, float] = {}
    for k, v in enumerate(compiled.problem.vehicles):
        if ruled[k] and v.rules is not None:
            f = 1.0 + v.rules.break_total / v.rules.max_continuous_driving
            prof = compiled.vehicle_profile[k]
            factors[prof] = max(factors.get(prof, 1.0), f)
    if not factors:
        return compiled
    p = compiled.problem
    vehicles = tuple(
        dataclasses.replace(
            v,
            max_duration=min(v.max_duration or v.rules.max_restraint, v.rules.max_restraint),
        )
        if ruled[k] and v.rules is not None
        else v
        for k, v in enumerate(p.vehicles)
    )
    durations = tuple(
        np.ceil(m * factors[p]).astype(np.int64) if p in factors else m
        for p, m in enumerate(compiled.durations)
    )
    return dataclasses.replace(
        compiled, problem=dataclasses.replace(p, vehicles=vehicles), durations=durations
    )


def _without(plan: Plan, route: int, drop: set[Visit]) -> Plan:
    routes = [RoutePlan(r.vehicle, list(r.visits), r.driver) for r in plan.routes]
    routes[route].visits = [v for v in routes[route].visits if v not in drop]
    return Plan(routes)


def _partner(v: Visit) -> set[Visit]:
    """A visit and, for a shipment end, its other end."""
    if v.kind is NodeKind.PICKUP:
        return {v, Visit(NodeKind.DELIVERY, v.index)}
    if v.kind is NodeKind.DELIVERY:
        return {v, Visit(NodeKind.PICKUP, v.index)}
    return {v}


def repair_for_rules(
    compiled: Compiled, plan: Plan, max_rounds: int = 500
) -> tuple[Plan, Evaluation, set[Visit]]:
    """Take visits off rule-bearing routes until no rule-related violation is left.

    Returns the repaired plan, its evaluation and the visits removed. Violations
    on routes of vehicles without rules are left for the caller to judge.
    """
    removed: set[Visit] = set()
    ev = evaluate(compiled, plan)
    for _ in range(max_rounds):
        bad = [
            v
            for v in ev.violations
            if v.code in RULE_CODES and v.route is not None and _route_ruled(compiled, plan.routes[v.route])
        ]
        if not bad:
            break
        first = bad[0]
        assert first.route is not None
        route_plan = plan.routes[first.route]
        result = next(r for r in ev.routes if r.vehicle == route_plan.vehicle)
        victim: Visit | None = None
        if first.step is not None and 0 <= first.step < len(result.steps):
            victim = result.steps[first.step].visit
            if victim is not None and victim.kind is NodeKind.DEPOT:
                victim = None
        if victim is None:  # a route-level violation: shorten the route from its end
            jobs = [v for v in route_plan.visits if v.kind is not NodeKind.DEPOT]
            if not jobs:
                break
            victim = jobs[-1]
        drop = _partner(victim)
        removed |= drop
        plan = _without(plan, first.route, drop)
        ev = evaluate(compiled, plan)
    return plan, ev, removed
