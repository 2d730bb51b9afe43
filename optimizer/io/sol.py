"""Read and write solutions in the CVRPLIB ``.sol`` style.

A file lists one line per non-empty route, ``Route #1: 3 7 2`` (job ids, start
and end depot omitted), followed by ``Cost 27591``.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import TextIO

from optimizer.model import NodeKind, Plan, Problem, RoutePlan, TravelMode, Visit

_ROUTE = re.compile(r"^\s*Route\s*#\s*(\d+)\s*:(.*)$", re.IGNORECASE)


def write_sol(problem: Problem, plan: Plan, cost: float | int | str, stream: TextIO) -> None:
    """Write ``plan`` as ``Route #i: ids`` lines then ``Cost <cost>``.

    Routes are numbered from 1 in plan order; empty routes are skipped. Only
    job visits can be written (the format has no reloads or shipments).
    """
    number = 0
    for route in plan.routes:
        if not route.visits:
            continue
        ids = []
        for visit in route.visits:
            if visit.kind is not NodeKind.JOB:
                raise ValueError(
                    f"route of vehicle {route.vehicle}: a {visit.kind.value} visit cannot be written "
                    "in the CVRPLIB .sol format (jobs only)"
                )
            ids.append(problem.jobs[visit.index].id)
        number += 1
        stream.write(f"Route #{number}: {' '.join(ids)}\n")
    stream.write(f"Cost {_cost_text(cost)}\n")


def read_sol(problem: Problem, path: str | os.PathLike[str]) -> Plan:
    """Read a ``.sol`` file for ``problem``; route *k* (k-th non-empty) goes to vehicle *k-1*.

    Raises ``FileNotFoundError`` for a missing file and ``ValueError`` for
    unknown or repeated job ids, too many routes, or a file without routes.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"solution file not found: {p}")
    index = {job.id: i for i, job in enumerate(problem.jobs)}
    seen: dict[str, int] = {}
    routes: list[RoutePlan] = []
    found_route_line = False
    for no, line in enumerate(p.read_text().splitlines(), start=1):
        m = _ROUTE.match(line)
        if m is None:
            if line.strip().lower().startswith("route"):
                raise ValueError(f"{p}:{no}: malformed route line {line.strip()!r}")
            continue
        found_route_line = True
        ids = m.group(2).split()
        if not ids:
            continue
        if len(routes) >= len(problem.vehicles):
            raise ValueError(
                f"{p}:{no}: more routes than the {len(problem.vehicles)} vehicles of the problem"
            )
        visits = []
        for job_id in ids:
            if job_id not in index:
                raise ValueError(f"{p}:{no}: unknown job id {job_id!r}")
            if job_id in seen:
                raise ValueError(f"{p}:{no}: job {job_id!r} already visited on line {seen[job_id]}")
            seen[job_id] = no
            visits.append(Visit(NodeKind.JOB, index[job_id]))
        routes.append(RoutePlan(vehicle=len(routes), visits=visits))
    if not found_route_line:
        raise ValueError(f"{p}: no 'Route #i:' lines, not a CVRPLIB solution file")
    return Plan(routes=routes)


def format_cost(value_in_model_units: int, problem: Problem) -> str:
    """A distance in model units as the benchmark files print it.

    Euclidean problems with ``travel.scale`` a power of ten (10 for Solomon)
    are printed in file units with that many decimals (``8273`` -> ``"827.3"``);
    anything else (scale 1, explicit matrices) as an integer.
    """
    t = problem.travel
    decimals = 0
    if t.mode is TravelMode.EUCLIDEAN and t.scale > 1:
        exponent = math.log10(t.scale)
        if abs(exponent - round(exponent)) < 1e-9:
            decimals = round(exponent)
    if decimals == 0:
        return str(int(value_in_model_units))
    return f"{value_in_model_units / t.scale:.{decimals}f}"


def _cost_text(cost: float | int | str) -> str:
    if isinstance(cost, str):
        return cost
    if isinstance(cost, int):
        return str(cost)
    if float(cost).is_integer():
        return str(int(cost))
    return f"{cost:.10g}"
