"""A compiled problem restricted to some of its jobs and shipments.

Jobs that no vehicle can serve are kept away from the engines; this module
slices the compiled matrices (no recomputation) and maps plans back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from optimizer.compiled import Compiled
from optimizer.model import Node, NodeKind, Plan, RoutePlan, Visit


@dataclass(frozen=True, slots=True)
class Subproblem:
    compiled: Compiled
    #: Index in the full problem of each kept job / shipment.
    jobs: tuple[int, ...]
    shipments: tuple[int, ...]

    def to_full(self, plan: Plan) -> Plan:
        """Re-number a plan of the subproblem in the full problem's indices."""

        def visit(v: Visit) -> Visit:
            if v.kind is NodeKind.JOB:
                return Visit(v.kind, self.jobs[v.index])
            if v.kind in (NodeKind.PICKUP, NodeKind.DELIVERY):
                return Visit(v.kind, self.shipments[v.index])
            return v

        return Plan([RoutePlan(r.vehicle, [visit(v) for v in r.visits]) for r in plan.routes])


def restrict(full: Compiled, jobs: Sequence[int], shipments: Sequence[int]) -> Subproblem:
    """Keep only ``jobs`` and ``shipments`` (indices into the full problem)."""
    p = full.problem
    jobs, shipments = tuple(jobs), tuple(shipments)
    if len(jobs) == len(p.jobs) and len(shipments) == len(p.shipments):
        return Subproblem(full, jobs, shipments)
    d, nj, ns = len(p.depots), len(p.jobs), len(p.shipments)
    keep = list(range(d))
    keep += [d + j for j in jobs]
    keep += [d + nj + s for s in shipments]
    keep += [d + nj + ns + s for s in shipments]
    idx = np.asarray(keep, dtype=np.int64)
    # Problem.__post_init__ validates; the full problem was valid, so is the subset.
    sub = dataclasses.replace(
        p,
        jobs=tuple(p.jobs[j] for j in jobs),
        shipments=tuple(p.shipments[s] for s in shipments),
    )
    nodes = [Node(NodeKind.DEPOT, i) for i in range(d)]
    nodes += [Node(NodeKind.JOB, i) for i in range(len(jobs))]
    nodes += [Node(NodeKind.PICKUP, i) for i in range(len(shipments))]
    nodes += [Node(NodeKind.DELIVERY, i) for i in range(len(shipments))]
    compiled = Compiled(
        problem=sub,
        nodes=tuple(nodes),
        distances=tuple(np.ascontiguousarray(m[np.ix_(idx, idx)]) for m in full.distances),
        durations=tuple(np.ascontiguousarray(m[np.ix_(idx, idx)]) for m in full.durations),
        vehicle_profile=full.vehicle_profile,
    )
    return Subproblem(compiled, jobs, shipments)
