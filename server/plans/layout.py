"""A plan as a dispatcher edits it: per vehicle, its driver and the orders in visiting order.

Pure functions, no storage: a stored plan becomes a list of :class:`RouteLayout`, edits rewrite that list,
and :func:`to_model_plan` turns it into the optimizer's :class:`~optimizer.model.Plan` for the checker.
Times, loads and breaks are never edited: the checker derives them again from the new order of stops.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from optimizer.model import NodeKind, Plan, RoutePlan, Visit
from server.plans.build import IndexMaps
from server.plans.records import PlanRecord

#: Stop statuses that mean the stop has happened (or is happening) and is fixed in place.
STARTED_STATUSES = frozenset({"ARRIVED", "DONE", "FAILED", "SKIPPED"})
STOP_STATUSES = frozenset({"PLANNED"}) | STARTED_STATUSES
#: An item of a route: an order id, or ``RELOAD`` (back to the branch to load the next trip).
RELOAD = None


class EditError(ValueError):
    """An edit names something that does not exist or is malformed; ``field`` is its path."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class EditRefused(Exception):
    """The edit is well-formed but the plan's state forbids it (e.g. moving a delivered stop)."""


@dataclass(frozen=True)
class RouteLayout:
    vehicle_id: str
    driver_id: str | None
    items: tuple[str | None, ...]


@dataclass(frozen=True)
class StopState:
    status: str = "PLANNED"
    locked: bool = False


@dataclass(frozen=True)
class Layout:
    routes: tuple[RouteLayout, ...]
    #: Per order on a route: its progress and lock (orders absent here are PLANNED and unlocked).
    states: Mapping[str, StopState]

    def route_of(self, order_id: str) -> int | None:
        for i, r in enumerate(self.routes):
            if order_id in r.items:
                return i
        return None

    def state(self, order_id: str) -> StopState:
        return self.states.get(order_id, StopState())


def layout_of(plan: PlanRecord) -> Layout:
    routes = []
    states: dict[str, StopState] = {}
    for r in plan.routes:
        items: list[str | None] = []
        for s in r.stops:
            if s.kind in ("DELIVERY", "PICKUP") and s.order_id is not None:
                items.append(s.order_id)
                states[s.order_id] = StopState(s.status, s.locked)
            elif s.kind == "RELOAD":
                items.append(RELOAD)
        routes.append(RouteLayout(r.vehicle_id, r.driver_id, tuple(items)))
    return Layout(tuple(routes), states)


# ---------------------------------------------------------------- edits


@dataclass(frozen=True)
class MoveOrder:
    """Put ``order_id`` on ``vehicle_id``'s route at ``position`` (0-based among its stops; None = last).

    The order may be on another route, on the same route, or unassigned (then this assigns it)."""

    order_id: str
    vehicle_id: str
    position: int | None = None


@dataclass(frozen=True)
class UnassignOrder:
    order_id: str


@dataclass(frozen=True)
class SetDriver:
    """Make ``driver_id`` drive ``vehicle_id`` (None = no driver); a driver already on another route
    swaps with the route's current driver."""

    vehicle_id: str
    driver_id: str | None


@dataclass(frozen=True)
class LockOrder:
    order_id: str
    locked: bool = True


@dataclass(frozen=True)
class SetStopStatus:
    """Progress of a stop as reported from the road (until the tracking service reports it itself)."""

    order_id: str
    status: str


Edit = MoveOrder | UnassignOrder | SetDriver | LockOrder | SetStopStatus
#: How each edit is named in field paths (as in the API: ``edits[2].move_order.position``).
EDIT_NAMES: dict[type, str] = {
    MoveOrder: "move_order",
    UnassignOrder: "unassign_order",
    SetDriver: "set_driver",
    LockOrder: "lock_order",
    SetStopStatus: "set_stop_status",
}


def _drop_trailing_reloads(items: Sequence[str | None]) -> tuple[str | None, ...]:
    out = list(items)
    while out and out[-1] is RELOAD:
        out.pop()
    while out and out[0] is RELOAD:
        out.pop(0)
    return tuple(out)


def _movable(layout: Layout, order_id: str, field: str) -> None:
    st = layout.state(order_id)
    if st.status in STARTED_STATUSES:
        raise EditRefused(
            f"配送済み・作業中の停車地は変更できません / the stop of order {order_id} is {st.status}; "
            f"it can no longer be moved ({field})"
        )


def apply_edit(layout: Layout, edit: Edit, field: str, known_orders: Iterable[str]) -> tuple[Layout, str]:
    """One edit applied to ``layout``; returns the new layout and a one-line description of it."""
    routes = list(layout.routes)
    states = dict(layout.states)
    field = f"{field}.{EDIT_NAMES[type(edit)]}"
    if isinstance(edit, (MoveOrder, UnassignOrder, LockOrder, SetStopStatus)):
        if edit.order_id not in set(known_orders):
            raise EditError(f"{field}.order", f"配送依頼が見つかりません / order {edit.order_id!r} is not "
                                              f"an open order of this plan's branch and date")
    if isinstance(edit, MoveOrder):
        _movable(layout, edit.order_id, field)
        target = next((i for i, r in enumerate(routes) if r.vehicle_id == edit.vehicle_id), None)
        src = layout.route_of(edit.order_id)
        if src is not None:
            r = routes[src]
            routes[src] = replace(r, items=_drop_trailing_reloads([x for x in r.items if x != edit.order_id]))
        if target is None:
            routes.append(RouteLayout(edit.vehicle_id, None, ()))
            target = len(routes) - 1
        items = list(routes[target].items)
        pos = len(items) if edit.position is None else edit.position
        if not 0 <= pos <= len(items):
            raise EditError(f"{field}.position", f"位置は 0〜{len(items)} です / position must be in "
                                                 f"0..{len(items)} for this route")
        started = [i for i, x in enumerate(items) if x is not None and layout.state(x).status in
                   STARTED_STATUSES]
        if started and pos <= max(started):
            raise EditRefused(
                f"配送済みの停車地より前には入れられません / position {pos} is before a stop that has "
                f"already happened on {edit.vehicle_id}"
            )
        items.insert(pos, edit.order_id)
        routes[target] = replace(routes[target], items=tuple(items))
        states.setdefault(edit.order_id, StopState())
        desc = f"move {edit.order_id} → {edit.vehicle_id} #{pos}"
    elif isinstance(edit, UnassignOrder):
        _movable(layout, edit.order_id, field)
        src = layout.route_of(edit.order_id)
        if src is None:
            raise EditRefused(f"配送依頼 {edit.order_id} は割当されていません / order {edit.order_id} is not "
                              f"on any route")
        r = routes[src]
        routes[src] = replace(r, items=_drop_trailing_reloads([x for x in r.items if x != edit.order_id]))
        states.pop(edit.order_id, None)
        desc = f"unassign {edit.order_id}"
    elif isinstance(edit, SetDriver):
        target = next((i for i, r in enumerate(routes) if r.vehicle_id == edit.vehicle_id), None)
        if target is None:
            raise EditError(f"{field}.vehicle", f"この車両のルートはありません / vehicle {edit.vehicle_id} "
                                                f"has no route in this plan")
        previous = routes[target].driver_id
        if edit.driver_id is not None:
            for i, r in enumerate(routes):
                if i != target and r.driver_id == edit.driver_id:
                    routes[i] = replace(r, driver_id=previous)
        routes[target] = replace(routes[target], driver_id=edit.driver_id)
        desc = f"driver of {edit.vehicle_id}: {previous or '-'} → {edit.driver_id or '-'}"
    elif isinstance(edit, LockOrder):
        if layout.route_of(edit.order_id) is None:
            raise EditRefused(f"割当されていない配送依頼はロックできません / order {edit.order_id} is not on "
                              f"a route; only planned stops can be locked")
        states[edit.order_id] = replace(layout.state(edit.order_id), locked=edit.locked)
        desc = f"{'lock' if edit.locked else 'unlock'} {edit.order_id}"
    else:
        if edit.status not in STOP_STATUSES:
            raise EditError(f"{field}.status", f"不明な状態です / unknown stop status {edit.status!r}")
        if layout.route_of(edit.order_id) is None:
            raise EditRefused(f"配送依頼 {edit.order_id} は割当されていません / order {edit.order_id} is not "
                              f"on any route")
        states[edit.order_id] = replace(layout.state(edit.order_id), status=edit.status)
        desc = f"stop {edit.order_id}: {layout.state(edit.order_id).status} → {edit.status}"
    return Layout(tuple(routes), states), desc


# ---------------------------------------------------------------- to the optimizer's plan


def to_model_plan(layout: Layout, maps: IndexMaps, field: str = "edits") -> Plan:
    """The layout in the problem's indices (routes without stops are left out)."""
    job_of = {oid: i for i, oid in enumerate(maps.order_ids)}
    vehicle_of = {vid: i for i, vid in enumerate(maps.vehicle_ids)}
    driver_of = {did: i for i, did in enumerate(maps.driver_ids)}
    routes = []
    for r in layout.routes:
        if not any(x is not None for x in r.items):
            continue
        if r.vehicle_id not in vehicle_of:
            raise EditError(f"{field}.vehicle", f"車両 {r.vehicle_id} はこの拠点で稼働していません / vehicle "
                                                f"{r.vehicle_id} is not an active vehicle of this branch")
        if r.driver_id is not None and r.driver_id not in driver_of:
            raise EditError(f"{field}.driver", f"運転者 {r.driver_id} はこの拠点で勤務できません / driver "
                                               f"{r.driver_id} is not an available driver of this branch "
                                               f"with a known licence")
        visits = []
        for x in r.items:
            if x is RELOAD:
                visits.append(Visit(NodeKind.DEPOT, 0))
            elif x in job_of:
                visits.append(Visit(NodeKind.JOB, job_of[x]))
            # an order that is no longer open (cancelled) simply drops out of the route
        routes.append(RoutePlan(vehicle_of[r.vehicle_id], visits, None if r.driver_id is None else
                                driver_of[r.driver_id]))
    return Plan(routes)
