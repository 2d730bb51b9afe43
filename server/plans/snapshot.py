"""A plan's content as JSON-ready data (a "snapshot"): what each revision stores and what compare reads."""

from __future__ import annotations

import datetime
from typing import Any

from optimizer.model import JobKind, NodeKind, Problem
from optimizer.solve import Solution
from server.jst import JST

#: checker step kind -> stops.kind
_STOP_KIND = {"START": "DEPOT", "END": "DEPOT", "RELOAD": "RELOAD", "BREAK": "BREAK"}


def origin_of(date: datetime.date) -> datetime.datetime:
    """Time 0 of a day's problem: the date's midnight in Japan time."""
    return datetime.datetime.combine(date, datetime.time(0, 0), tzinfo=JST)


def ts(t: datetime.datetime | None) -> str | None:
    return None if t is None else t.isoformat()


def parse_ts(s: str | None) -> datetime.datetime | None:
    return None if s is None else datetime.datetime.fromisoformat(s)


def snapshot_of(solution: Solution, problem: Problem, date: datetime.date) -> dict[str, Any]:
    """The plan's content as JSON-ready data (times as ISO timestamps in JST)."""
    origin = origin_of(date)

    def at(sec: int) -> str:
        return (origin + datetime.timedelta(seconds=int(sec))).isoformat()

    routes = []
    for r in solution.evaluation.routes:
        if not any(s.kind in ("JOB", "PICKUP", "DELIVERY") for s in r.steps):
            continue
        stops = []
        for seq, s in enumerate(r.steps):
            order_id = None
            if s.kind == "JOB" and s.visit is not None and s.visit.kind is NodeKind.JOB:
                job = problem.jobs[s.visit.index]
                order_id = job.id
                kind = "PICKUP" if job.kind is JobKind.PICKUP else "DELIVERY"
            else:
                kind = _STOP_KIND.get(s.kind, s.kind)  # shipment PICKUP / DELIVERY keep their kind
            stops.append({
                "sequence": seq,
                "kind": kind,
                "order_id": order_id,
                "arrival": at(s.arrival),
                "start": at(s.start),
                "departure": at(s.departure),
                "load": [int(x) for x in s.load],
            })
        routes.append({
            "vehicle_id": r.vehicle_id,
            "driver_id": r.driver_id or None,
            "start_time": at(r.start_time),
            "end_time": at(r.end_time),
            "distance_m": int(r.distance),
            "cost": float(r.cost),
            "stops": stops,
        })
    unassigned = [
        {"order_id": u.id, "reason": u.reason.value, "message": u.message, "message_ja": u.message_ja}
        for u in solution.unassigned
    ]
    ev = solution.evaluation
    return {
        "routes": routes,
        "unassigned": unassigned,
        "distance_m": int(ev.distance),
        "cost": float(ev.cost.total),
        "dimensions": list(problem.dimensions),
    }
