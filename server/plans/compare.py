"""Compare two plans (or two revisions of one): totals side by side and what changed per vehicle.

Works on stored snapshots (see ``server.plans.snapshot.snapshot_of``), so any revision ever saved can be
compared with any other — e.g. last night's plan with this morning's re-plan, or two engines' plans.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Totals:
    distance_m: int
    duration_s: int  # sum over routes of end minus start
    vehicles_used: int
    stops: int
    late_stops: int  # stops the checker found outside their time window
    unassigned: int
    cost: float


@dataclass(frozen=True)
class RouteChange:
    vehicle_id: str
    driver_before: str | None
    driver_after: str | None
    added: tuple[str, ...]  # orders on this vehicle in B and not in A
    removed: tuple[str, ...]  # orders on this vehicle in A and not in B
    resequenced: bool  # the orders both have are visited in another order
    distance_before_m: int
    distance_after_m: int

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed or self.resequenced or self.driver_before != self.driver_after
                    or self.distance_before_m != self.distance_after_m)


@dataclass(frozen=True)
class Comparison:
    a: Totals
    b: Totals
    routes: tuple[RouteChange, ...]  # every vehicle used by either plan, by vehicle id
    newly_unassigned: tuple[str, ...]
    newly_assigned: tuple[str, ...]


def _orders(route: dict[str, Any]) -> list[str]:
    return [s["order_id"] for s in route["stops"] if s.get("order_id")]


def _duration(route: dict[str, Any]) -> int:
    start, end = route.get("start_time"), route.get("end_time")
    if not start or not end:
        return 0
    elapsed = datetime.datetime.fromisoformat(end) - datetime.datetime.fromisoformat(start)
    return int(elapsed.total_seconds())


def totals(snap: dict[str, Any]) -> Totals:
    routes = snap.get("routes", [])
    late = {
        (v.get("vehicle_id"), v.get("order_id"))
        for v in snap.get("violations", [])
        if v.get("code") == "TIME_WINDOW"
    }
    return Totals(
        distance_m=int(sum(r.get("distance_m", 0) for r in routes)),
        duration_s=sum(_duration(r) for r in routes),
        vehicles_used=sum(1 for r in routes if _orders(r)),
        stops=sum(len(_orders(r)) for r in routes),
        late_stops=len(late),
        unassigned=len(snap.get("unassigned", [])),
        cost=float(snap.get("cost", sum(r.get("cost", 0.0) for r in routes))),
    )


def compare(a: dict[str, Any], b: dict[str, Any]) -> Comparison:
    """What changed from plan ``a`` to plan ``b``."""
    ra = {r["vehicle_id"]: r for r in a.get("routes", [])}
    rb = {r["vehicle_id"]: r for r in b.get("routes", [])}
    changes = []
    for vid in sorted(set(ra) | set(rb)):
        x, y = ra.get(vid), rb.get(vid)
        oa, ob = (_orders(x) if x else []), (_orders(y) if y else [])
        common_a = [o for o in oa if o in set(ob)]
        common_b = [o for o in ob if o in set(oa)]
        changes.append(RouteChange(
            vehicle_id=vid,
            driver_before=x.get("driver_id") if x else None,
            driver_after=y.get("driver_id") if y else None,
            added=tuple(o for o in ob if o not in set(oa)),
            removed=tuple(o for o in oa if o not in set(ob)),
            resequenced=common_a != common_b,
            distance_before_m=int(x.get("distance_m", 0)) if x else 0,
            distance_after_m=int(y.get("distance_m", 0)) if y else 0,
        ))
    ua = {u["order_id"] for u in a.get("unassigned", [])}
    ub = {u["order_id"] for u in b.get("unassigned", [])}
    return Comparison(totals(a), totals(b), tuple(changes), tuple(sorted(ub - ua)), tuple(sorted(ua - ub)))


def describe(a: dict[str, Any], b: dict[str, Any]) -> str:
    """One line on what changed from ``a`` to ``b`` (stored with the revision, printed by the batch)."""
    c = compare(a, b)
    changed = sum(1 for r in c.routes if r.changed)
    km = (c.b.distance_m - c.a.distance_m) / 1000
    return (
        f"+{len(c.newly_assigned)} assigned / -{len(c.newly_unassigned)} unassigned, "
        f"stops {c.a.stops}→{c.b.stops}, {changed} route(s) changed, "
        f"vehicles {c.a.vehicles_used}→{c.b.vehicles_used}, {km:+.1f} km"
    )
