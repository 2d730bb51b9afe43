"""In-memory ``MasterData`` and ``PlanRepository``: the plans ports without a database.

They keep the same rules as the PostgreSQL adapters (``server.plans.rules``), so unit tests of the use
cases run against them; one lock stands for a transaction.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import json
import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from server.jst import JST
from server.plans import rules
from server.plans.errors import InvalidReferenceError, NotFoundError
from server.plans.planning import PlanningLevels
from server.plans.ports import (
    ACTIVE_DRIVER_STATUSES,
    ACTIVE_VEHICLE_STATUSES,
    DEFAULT_ALLOWED_FROM,
    PageKey,
    Snapshot,
)
from server.plans.records import (
    Branch,
    Driver,
    Order,
    PlanRecord,
    PlanVersion,
    RouteRecord,
    StopRecord,
    UnassignedOrder,
    Vehicle,
)
from server.plans.snapshot import parse_ts


@dataclass
class MemoryMasterData:
    """Implements ``server.plans.ports.MasterData``; fill it with :meth:`add` and :meth:`add_user`."""

    branches: dict[tuple[str, str], Branch] = field(default_factory=dict)
    vehicles: dict[tuple[str, str], Vehicle] = field(default_factory=dict)
    drivers: dict[tuple[str, str], Driver] = field(default_factory=dict)
    orders: dict[tuple[str, str], Order] = field(default_factory=dict)
    users: set[tuple[str, str]] = field(default_factory=set)
    #: (organization, branch id or None, vehicle id or None) -> stored planning settings of that level.
    settings: dict[tuple[str, str | None, str | None], dict[str, object]] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def add(self, org: str, *records: Branch | Vehicle | Driver | Order) -> None:
        """Store records of ``org`` (replacing any with the same id)."""
        table = {Branch: self.branches, Vehicle: self.vehicles, Driver: self.drivers, Order: self.orders}
        with self.lock:
            for r in records:
                table[type(r)][(org, r.id)] = dataclasses.replace(r, organization_id=org)

    def add_user(self, org: str, user_id: str) -> None:
        self.users.add((org, user_id))

    def organizations(self) -> list[str]:
        return sorted({org for org, _ in self.branches} | {org for org, _ in self.users})

    def branch(self, org: str, branch_id: str) -> Branch | None:
        return self.branches.get((org, branch_id))

    def active_vehicles(self, org: str, branch_id: str) -> list[Vehicle]:
        return _sorted(v for (o, _), v in self.vehicles.items()
                       if o == org and v.branch_id == branch_id and v.status in ACTIVE_VEHICLE_STATUSES)

    def active_drivers(self, org: str, branch_id: str) -> list[Driver]:
        return _sorted(d for (o, _), d in self.drivers.items()
                       if o == org and d.branch_id == branch_id and d.status in ACTIVE_DRIVER_STATUSES)

    def day_orders(self, org: str, branch_id: str, date: datetime.date) -> list[Order]:
        with self.lock:
            return _sorted(x for (o, _), x in self.orders.items()
                           if o == org and x.branch_id == branch_id and x.delivery_date == date
                           and x.status != "CANCELLED")

    def branches_with_orders(self, org: str, date: datetime.date) -> list[str]:
        with self.lock:
            return sorted({x.branch_id for (o, _), x in self.orders.items()
                           if o == org and x.delivery_date == date and x.status != "CANCELLED"})

    def user_exists(self, org: str, user_id: str) -> bool:
        return (org, user_id) in self.users

    def planning_levels(self, org: str, branch_id: str) -> PlanningLevels:
        vehicles = {v.id for v in self.active_vehicles(org, branch_id)}
        return PlanningLevels(
            organization=dict(self.settings.get((org, None, None), {})),
            branch=dict(self.settings.get((org, branch_id, None), {})),
            vehicles={vid: dict(s) for (o, b, vid), s in self.settings.items()
                      if o == org and b is None and vid in vehicles},
        )

    def set_order_status(self, org: str, order_id: str, status: str) -> None:
        with self.lock:
            key = (org, order_id)
            self.orders[key] = dataclasses.replace(
                self.orders[key], status=status, version=self.orders[key].version + 1
            )


R = TypeVar("R", Branch, Vehicle, Driver, Order)


def _sorted(items: Iterable[R]) -> list[R]:
    return sorted(items, key=lambda r: r.id)


@dataclass
class _Plan:
    org: str
    id: str
    branch_id: str
    plan_date: datetime.date
    created_by: str | None
    created_at: datetime.datetime
    status: str = "DRAFT"
    revision: int = 1
    version: int = 1
    updated_at: datetime.datetime | None = None
    published_at: datetime.datetime | None = None
    published_by: str | None = None
    versions: list[PlanVersion] = field(default_factory=list)

    @property
    def snapshot(self) -> Snapshot:
        return self.versions[-1].snapshot


class MemoryPlans:
    """Implements ``server.plans.ports.PlanRepository``; orders follow plans in ``master``."""

    def __init__(self, master: MemoryMasterData) -> None:
        self.master = master
        self._plans: dict[tuple[str, str], _Plan] = {}
        self._requests: dict[tuple[str, str], str] = {}
        self._lock = master.lock

    # ------------------------------------------------------------ reads

    def get(self, org: str, plan_id: str) -> PlanRecord:
        with self._lock:
            return _record(self._plan(org, plan_id))

    def stamp(self, org: str, plan_id: str) -> str:
        with self._lock:
            p = self._plan(org, plan_id)
            return f"{p.version}:{p.revision}"

    def find(self, org: str, branch_id: str, date: datetime.date) -> PlanRecord | None:
        with self._lock:
            p = self._find(org, branch_id, date)
            return None if p is None else _record(p)

    def versions(self, org: str, plan_id: str) -> list[PlanVersion]:
        with self._lock:
            return list(self._plan(org, plan_id).versions)

    def revision(self, org: str, plan_id: str, revision: int) -> Snapshot:
        with self._lock:
            p = self._plans.get((org, plan_id))
            found = [v for v in (p.versions if p else []) if v.revision == revision]
            if not found:
                raise NotFoundError(f"plans/{plan_id} revision {revision} not found")
            return copy.deepcopy(found[0].snapshot)

    def list(
        self, org: str, *, branch_id: str | None = None, plan_date: datetime.date | None = None,
        status: str | None = None, page_size: int = 50, after: PageKey | None = None,
    ) -> tuple[list[PlanRecord], PageKey | None]:
        with self._lock:
            rows = sorted(
                (p for (o, _), p in self._plans.items() if o == org
                 and branch_id in (None, p.branch_id) and plan_date in (None, p.plan_date)
                 and status in (None, p.status) and (after is None or (p.plan_date, p.id) < after)),
                key=lambda p: (p.plan_date, p.id), reverse=True,
            )
            size = max(1, min(page_size or 50, 500))
            page = rows[:size]
            nxt = (page[-1].plan_date, page[-1].id) if len(rows) > size else None
            return [_record(p) for p in page], nxt

    # ------------------------------------------------------------ writes

    def save_day(
        self, org: str, branch_id: str, date: datetime.date, snap: Snapshot, created_by: str | None,
        request_id: str | None = None, *, force: bool = False,
    ) -> PlanRecord:
        snap = _plain(snap)
        with self._lock:
            self._check_user(org, created_by)
            if request_id and (org, request_id) in self._requests:
                return _record(self._plan(org, self._requests[(org, request_id)]))
            p = self._find(org, branch_id, date)
            if p is None:
                now = _now()
                p = _Plan(org, uuid.uuid4().hex, branch_id, date, created_by, now, updated_at=now)
                p.versions.append(PlanVersion(1, created_by, "CREATED", now, snap))
                self._plans[(org, p.id)] = p
            else:
                change = rules.day_save_change(
                    p.id, p.status, force, f"{branch_id} on {date}", p.snapshot, snap
                )
                if change is not None:
                    self._write(p, "DRAFT", snap, created_by, change)
            if request_id:
                self._requests[(org, request_id)] = p.id
            return _record(p)

    def save_revision(
        self, org: str, plan_id: str, snap: Snapshot, changed_by: str | None, change: str, etag: str | None,
        *, status: str | None = None, allowed_from: Sequence[str] = DEFAULT_ALLOWED_FROM,
        skip_if_same: bool = False,
    ) -> PlanRecord:
        snap = _plain(snap)
        with self._lock:
            p = self._plan(org, plan_id)
            rules.check_etag(plan_id, etag, p.version)
            rules.check_transition(plan_id, p.status, None, allowed_from)
            self._check_user(org, changed_by)
            if skip_if_same and status in (None, p.status) and p.snapshot == snap:
                return _record(p)
            self._write(p, status, snap, changed_by, change)
            self._sync_orders(p)
            return _record(p)

    def set_status(
        self, org: str, plan_id: str, status: str, etag: str | None, changed_by: str | None,
        allowed_from: Sequence[str],
    ) -> PlanRecord:
        with self._lock:
            p = self._plan(org, plan_id)
            rules.check_etag(plan_id, etag, p.version)
            rules.check_transition(plan_id, p.status, status, allowed_from)
            self._check_user(org, changed_by)
            if status == "PUBLISHED":
                p.published_at, p.published_by = _now(), changed_by
            self._write(p, status, copy.deepcopy(p.snapshot), changed_by, status)
            self._sync_orders(p)
            return _record(p)

    def delete(self, org: str, plan_id: str, etag: str | None) -> None:
        with self._lock:
            p = self._plan(org, plan_id)
            rules.check_etag(plan_id, etag, p.version)
            rules.check_deletable(plan_id, p.status)
            del self._plans[(org, plan_id)]

    # ------------------------------------------------------------ helpers

    def _plan(self, org: str, plan_id: str) -> _Plan:
        p = self._plans.get((org, plan_id))
        if p is None:
            raise NotFoundError(f"plans/{plan_id} not found")
        return p

    def _find(self, org: str, branch_id: str, date: datetime.date) -> _Plan | None:
        found = [p for (o, _), p in self._plans.items()
                 if o == org and p.branch_id == branch_id and p.plan_date == date]
        return max(found, key=lambda p: p.created_at) if found else None

    def _check_user(self, org: str, user: str | None) -> None:
        """The foreign key of ``created_by`` / ``changed_by`` on users, as the database has it."""
        if user is not None and not self.master.user_exists(org, user):
            raise InvalidReferenceError(f"Key (organization_id, changed_by)=({org}, {user}) is not present")

    def _write(self, p: _Plan, status: str | None, snap: Snapshot, by: str | None, change: str) -> None:
        now = _now()
        p.revision += 1
        p.version += 1
        p.updated_at = now
        if status is not None:
            p.status = status
        p.versions.append(PlanVersion(p.revision, by, change, now, snap))

    def _sync_orders(self, p: _Plan) -> None:
        stops = [(s["order_id"], s.get("status", "PLANNED"))
                 for r in p.snapshot.get("routes", []) for s in r["stops"] if s.get("order_id")]
        unassigned = [u["order_id"] for u in p.snapshot.get("unassigned", [])]
        status_of, pending = rules.order_updates(p.status, stops, unassigned)
        for order_id, st in status_of.items():
            o = self.master.orders.get((p.org, order_id))
            if o is not None and o.status not in ("CANCELLED", st):
                self.master.set_order_status(p.org, order_id, st)
        for order_id in pending:
            o = self.master.orders.get((p.org, order_id))
            if o is not None and o.status == "PLANNED":
                self.master.set_order_status(p.org, order_id, "PENDING")


def _now() -> datetime.datetime:
    return datetime.datetime.now(JST)


def _plain(snap: Snapshot) -> Snapshot:
    return json.loads(json.dumps(snap, ensure_ascii=False))  # type: ignore[no-any-return]


def _jst(s: str | None) -> datetime.datetime | None:
    t = parse_ts(s)
    return None if t is None else t.astimezone(JST)


def _record(p: _Plan) -> PlanRecord:
    snap = copy.deepcopy(p.snapshot)
    routes = tuple(
        RouteRecord(
            id=f"{p.id}-{r['vehicle_id']}",
            vehicle_id=r["vehicle_id"],
            driver_id=r["driver_id"],
            start_time=_jst(r["start_time"]),
            end_time=_jst(r["end_time"]),
            distance_m=int(r["distance_m"]),
            cost=float(r["cost"]),
            stops=tuple(
                StopRecord(
                    id=f"{p.id}-{r['vehicle_id']}-{s['sequence']}",
                    sequence=s["sequence"],
                    kind=s["kind"],
                    order_id=s["order_id"],
                    arrival_time=_jst(s["arrival"]),
                    service_start_time=_jst(s["start"]),
                    departure_time=_jst(s["departure"]),
                    load=tuple(s["load"]),
                    status=s.get("status", "PLANNED"),
                    locked=bool(s.get("locked", False)),
                )
                for s in sorted(r["stops"], key=lambda s: s["sequence"])
            ),
        )
        for r in sorted(snap.get("routes", []), key=lambda r: r["vehicle_id"])
    )
    return PlanRecord(
        id=p.id, organization_id=p.org, branch_id=p.branch_id, plan_date=p.plan_date, status=p.status,
        revision=p.revision, version=p.version, created_by=p.created_by, created_at=p.created_at,
        updated_at=p.updated_at or p.created_at, routes=routes,
        unassigned=tuple(UnassignedOrder(**u) for u in snap.get("unassigned", [])),
        published_at=p.published_at, published_by=p.published_by,
        violations=tuple(snap.get("violations", [])), travel=snap.get("travel", "haversine"), snapshot=snap,
    )
