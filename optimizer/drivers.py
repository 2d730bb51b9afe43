"""Pairing vehicles with drivers whose licences allow them.

Before the search, a maximum matching of vehicles to drivers (an edge where the
driver's licence allows the vehicle) decides which vehicles may be used at all
and who drives each. The engines then plan on the matched vehicles only, so
every route of every plan has its own licensed driver by construction.
Vehicles left unmatched (no licensed driver, or fewer drivers than vehicles)
are simply not offered to the engines.

Limitation: a driver's own ``rules`` are not applied; routes are planned and
checked against the vehicle's driving rules.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from optimizer.compiled import Compiled
from optimizer.diagnosis import Unassigned, UnassignedReason
from optimizer.licences import allows
from optimizer.model import Plan, Problem, RoutePlan


def match_drivers(problem: Problem) -> dict[int, int]:
    """A maximum matching ``{vehicle index: driver index}`` of licensed pairs.

    Among maximum matchings, the one that covers the most capacity (then the
    lowest fixed cost) is taken, so spare drivers go to the bigger trucks.
    """
    nv, nd = len(problem.vehicles), len(problem.drivers)
    allowed = np.zeros((nv, nd), dtype=bool)
    for v, veh in enumerate(problem.vehicles):
        for d, drv in enumerate(problem.drivers):
            allowed[v, d] = allows(drv.licence, veh.gross_weight_kg, veh.payload_kg)
    if not allowed.any():
        return {}
    # Every allowed pair is worth far more than any capacity difference, so the
    # assignment first maximises the number of pairs, then the capacity covered.
    cap = np.array([float(sum(v.capacity)) for v in problem.vehicles])
    fixed = np.array([v.fixed_cost for v in problem.vehicles])
    score = 1.0 + cap / (cap.max() + 1.0) - 1e-3 * fixed / (fixed.max() + 1.0)
    weight = np.where(allowed, 10.0 * nv + score[:, None], 0.0)
    rows, cols = linear_sum_assignment(weight, maximize=True)
    return {int(v): int(d) for v, d in zip(rows, cols, strict=True) if allowed[v, d]}


@dataclass(frozen=True, slots=True)
class Crew:
    """The matched vehicles, as a compiled problem of their own, and their drivers."""

    #: The full problem with only the matched vehicles (and no drivers).
    compiled: Compiled
    #: Full-problem index of each vehicle of ``compiled``.
    vehicles: tuple[int, ...]
    #: Driver index of each full-problem vehicle that has one.
    driver_of: dict[int, int]

    def to_full(self, plan: Plan) -> Plan:
        """Re-number a plan of ``compiled`` in the full problem's vehicles, with drivers."""
        return self.attach(Plan([RoutePlan(self.vehicles[r.vehicle], list(r.visits)) for r in plan.routes]))

    def attach(self, plan: Plan) -> Plan:
        """The same plan (full-problem vehicles) with each route's driver set."""
        return Plan(
            [RoutePlan(r.vehicle, list(r.visits), self.driver_of.get(r.vehicle)) for r in plan.routes]
        )


def crew_for(full: Compiled) -> Crew | None:
    """The vehicles the engines may use when the problem has drivers.

    ``None`` when the problem has no drivers (every vehicle may be used), or when
    no vehicle can be matched to a driver (see :func:`no_driver_unassigned`).
    """
    p = full.problem
    if not p.drivers:
        return None
    driver_of = match_drivers(p)
    if not driver_of:
        return None
    kept = tuple(sorted(driver_of))
    vehicles = tuple(
        dataclasses.replace(p.vehicles[v], rules=p.drivers[driver_of[v]].rules)
        if p.drivers[driver_of[v]].rules is not None
        else p.vehicles[v]
        for v in kept
    )
    # The engines see each vehicle with its driver's driving rules, if the driver has any.
    sub = dataclasses.replace(p, vehicles=vehicles, drivers=())
    compiled = dataclasses.replace(
        full, problem=sub, vehicle_profile=tuple(full.vehicle_profile[v] for v in kept)
    )
    return Crew(compiled, kept, driver_of)


def no_driver_unassigned(problem: Problem) -> dict[tuple[str, int], Unassigned]:
    """Every job and shipment, left out because no driver may drive any vehicle."""
    en = "no driver's licence allows any vehicle of the fleet"
    ja = "どの運転者の免許でも運転できる車両がありません"
    out = {
        ("JOB", j): Unassigned("JOB", j, job.id, UnassignedReason.NO_COMPATIBLE_VEHICLE, en, ja)
        for j, job in enumerate(problem.jobs)
    }
    out.update(
        {
            ("SHIPMENT", s): Unassigned("SHIPMENT", s, sh.id, UnassignedReason.NO_COMPATIBLE_VEHICLE, en, ja)
            for s, sh in enumerate(problem.shipments)
        }
    )
    return out
