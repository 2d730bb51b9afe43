"""What newly stored positions mean, as a position observer of the ingest pipeline.

For each vehicle with a plan today: arrivals and departures (``arrival``) become GEOFENCE stop events
through the same use case as a driver's tap (``events.record_event``, idempotent request ids); then, at
most every ``evaluate_every`` seconds of the vehicle's own time, the ETAs are recomputed (``fleet.etas``)
and LATE, OFF_ROUTE and LONG_WAIT alerts raised or cleared, and every ``driving_every`` seconds the day's
track is checked against the driving rules (DRIVING_RULES). :meth:`LiveMonitor.tick`, run on a timer,
raises SILENT for planned vehicles that stopped reporting. New alerts go to the ``AlertBoard`` (vehicle
states show them) and to the fleet bus (``StreamFleet``).
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from optimizer.rules import JAPAN_2024, DrivingRules
from server.jst import JST
from server.plans.errors import NotFoundError, PlanStateError
from server.plans.records import Order, PlanRecord, Vehicle
from server.reports.places import Places
from server.tracking import alerts as rules
from server.tracking import updates
from server.tracking.arrival import ArrivalDetector, Place
from server.tracking.events import EventDeps, geofence_event, record_event
from server.tracking.fleet import FleetDeps, etas, travel_of
from server.tracking.model import LiveVehicle, Position, StopEvent
from server.tracking.ports import PositionHistory
from server.tracking.updates import Alert

log = logging.getLogger("hakobu.tracking.monitor")

#: Seconds a vehicle's branch is remembered (a vehicle moved to another branch is seen after this).
VEHICLE_TTL = 60.0
#: A changed amount re-announces an active alert only when it grew this much (minutes late, metres…).
REANNOUNCE = {"LATE": 10, "OFF_ROUTE": 1000, "SILENT": 600, "LONG_WAIT": 10, "DRIVING_RULES": 1800}


@dataclass(frozen=True)
class _Context:
    plan: PlanRecord
    branch_id: str
    places: tuple[Place, ...]
    line: tuple[tuple[float, float], ...]  # depot, stops, depot
    orders: dict[str, Order]
    travel: tuple[float, float]
    #: The day's places for the driving-rule check (None when the branch is unknown).
    places_named: Places | None = None


def day_start(t: datetime.datetime) -> datetime.datetime:
    """Midnight (Japan time) of the day ``t`` falls in."""
    return datetime.datetime.combine(t.astimezone(JST).date(), datetime.time(0), tzinfo=JST)


class LiveMonitor:
    """A ``PositionObserver`` (``server.tracking.observers``): detectors and alerts on new positions."""

    def __init__(self, events: EventDeps, fleet: FleetDeps, history: PositionHistory | None = None, *,
                 rules_: DrivingRules = JAPAN_2024, evaluate_every: float = 60.0,
                 driving_every: float = 300.0, context_ttl: float = 10.0,
                 on_alert: Callable[[Alert], None] | None = None) -> None:
        self.events, self.fleet, self.history = events, fleet, history
        self.driving_rules = rules_
        self.evaluate_every = datetime.timedelta(seconds=evaluate_every)
        self.driving_every = datetime.timedelta(seconds=driving_every)
        self.context_ttl = context_ttl
        self.on_alert = on_alert
        self.detector = ArrivalDetector(fleet.config.arrival_radius, fleet.config.arrival_dwell)
        self._lock = threading.Lock()
        self._ctx: dict[tuple[str, str], tuple[float, _Context | None]] = {}
        self._vehicles: dict[tuple[str, str], tuple[float, Vehicle | None]] = {}
        self._plans: dict[tuple[str, str, datetime.date], tuple[float, PlanRecord | None]] = {}
        self._evaluated: dict[tuple[str, str], datetime.datetime] = {}
        self._driving: dict[tuple[str, str], datetime.datetime] = {}
        #: The amount each active alert was last announced with.
        self._announced: dict[tuple[str, str, str, str | None], int] = {}

    # ------------------------------------------------------------ the observer

    def observe(self, positions: Sequence[Position]) -> None:
        groups: dict[tuple[str, str], list[Position]] = {}
        for p in positions:
            groups.setdefault((p.organization, p.vehicle_id), []).append(p)
        with self._lock:  # one batch at a time: the dwell state is per vehicle and ordered
            for (org, vehicle_id), ps in groups.items():
                try:
                    self._vehicle(org, vehicle_id, sorted(ps, key=lambda p: p.time))
                except Exception:
                    log.exception("live monitor failed on a vehicle", extra={"organization": org,
                                                                             "vehicle": vehicle_id})

    def _context(self, org: str, vehicle_id: str, at: datetime.datetime, refresh: bool = False
                 ) -> _Context | None:
        key = (org, vehicle_id)
        day = at.astimezone(JST).date()
        cached = self._ctx.get(key)
        if cached is not None and not refresh and time.monotonic() - cached[0] < self.context_ttl:
            if cached[1] is None or cached[1].plan.plan_date == day:
                return cached[1]
        plan = self._plan_of(org, vehicle_id, day, refresh)
        ctx = None
        if plan is not None and plan.status in ("PUBLISHED", "IN_PROGRESS"):
            ctx = self._make_context(org, plan, vehicle_id)
        self._ctx[key] = (time.monotonic(), ctx)
        return ctx

    def _plan_of(self, org: str, vehicle_id: str, day: datetime.date, refresh: bool) -> PlanRecord | None:
        """The vehicle's plan of ``day`` (None: no route on its branch's plan). The vehicle's branch is
        remembered for ``VEHICLE_TTL`` and a branch's plan for ``context_ttl`` seconds, so a fleet
        of vehicles without a plan costs one query per branch, not two per vehicle, every stretch."""
        now = time.monotonic()
        known = self._vehicles.get((org, vehicle_id))
        if known is None or now - known[0] >= VEHICLE_TTL:
            try:
                vehicle: Vehicle | None = self.fleet.vehicles.get(org, vehicle_id)
            except NotFoundError:
                vehicle = None
            self._vehicles[(org, vehicle_id)] = (now, vehicle)
        else:
            vehicle = known[1]
        if vehicle is None:
            return None
        key = (org, vehicle.branch_id, day)
        found = self._plans.get(key)
        if refresh or found is None or now - found[0] >= self.context_ttl:
            found = (now, self.fleet.plans.plans.find(org, vehicle.branch_id, day))
            if len(self._plans) > 10_000:  # branch-days of the past: forget them all now and then
                self._plans.clear()
            self._plans[key] = found
        plan = found[1]
        if plan is None or not any(r.vehicle_id == vehicle_id for r in plan.routes):
            return None
        return plan

    def _make_context(self, org: str, plan: PlanRecord, vehicle_id: str) -> _Context:
        master = self.fleet.plans.master
        orders = {o.id: o for o in master.day_orders(org, plan.branch_id, plan.plan_date)}
        route = next(r for r in plan.routes if r.vehicle_id == vehicle_id)
        branch = master.branch(org, plan.branch_id)
        depot = (branch.latitude, branch.longitude) if branch else None
        places = tuple(
            Place(s.order_id, orders[s.order_id].latitude, orders[s.order_id].longitude,
                  reached=s.status != "PLANNED", done=s.status in ("DONE", "FAILED", "SKIPPED"))
            for s in route.stops if s.order_id in orders and s.order_id is not None
        )
        line = tuple(([depot] if depot else []) + [(p.latitude, p.longitude) for p in places]
                     + ([depot] if depot else []))
        named = Places(branch, orders.values()) if branch is not None else None
        return _Context(plan, plan.branch_id, places, line, orders,
                        travel_of(self.fleet.plans, org, plan.branch_id), named)

    def _vehicle(self, org: str, vehicle_id: str, ps: list[Position]) -> None:
        ctx = self._context(org, vehicle_id, ps[-1].time)
        if ctx is None:
            return
        key = (org, vehicle_id)
        self._sync(org, vehicle_id, ctx.branch_id, "SILENT", [], ps[-1].time)
        for p in ps:
            found = self.detector.step(org, vehicle_id, p.time, p.latitude, p.longitude, ctx.places)
            for d in found:
                request = f"geofence-{ctx.plan.id}-{d.order_id}-{d.type.value.lower()}"
                new = geofence_event(request, d.type, vehicle_id, d.order_id, d.time, d.latitude, d.longitude)
                try:
                    record_event(self.events, org, ctx.plan.id, new)
                except PlanStateError:  # the plan was closed meanwhile
                    pass
            if found:
                ctx = self._context(org, vehicle_id, p.time, refresh=True) or ctx
        last = ps[-1]
        if last.time - self._evaluated.get(key, datetime.datetime.min.replace(tzinfo=datetime.UTC)) >= \
                self.evaluate_every:
            self._evaluated[key] = last.time
            self._evaluate(org, vehicle_id, ctx, last)
        if self.history is not None and last.time - self._driving.get(
                key, datetime.datetime.min.replace(tzinfo=datetime.UTC)) >= self.driving_every:
            self._driving[key] = last.time
            since, until = day_start(last.time), last.time + datetime.timedelta(seconds=1)
            track = self.history.between(org, vehicle_id, since, until)
            evs = self.fleet.events.for_vehicle(org, vehicle_id, since, until) if self.fleet.events else []
            if ctx.places_named is not None:
                found = rules.driving_alerts(org, vehicle_id, track, evs, ctx.places_named, last.time,
                                             self.driving_rules)
                self._sync(org, vehicle_id, ctx.branch_id, "DRIVING_RULES", found, last.time)

    def _evaluate(self, org: str, vehicle_id: str, ctx: _Context, last: Position) -> None:
        now = last.time
        live = LiveVehicle(org, vehicle_id, last.device_id, now, last.latitude, last.longitude,
                           last.speed_kmh, last.heading)
        plan = self.fleet.plans.plans.get(org, ctx.plan.id)
        found = etas(self.fleet, org, plan, vehicle_id, live, now, orders=ctx.orders, travel=ctx.travel)
        late = rules.late_alerts(org, vehicle_id, found, now)
        self._sync(org, vehicle_id, ctx.branch_id, "LATE", late, now)
        remaining = [p for p in ctx.places if not p.reached]
        off = (rules.off_route_alert(org, vehicle_id, last.latitude, last.longitude, ctx.line,
                                     self.fleet.config.off_route, now) if remaining else None)
        self._sync(org, vehicle_id, ctx.branch_id, "OFF_ROUTE", [off] if off else [], now)
        self._long_waits(org, vehicle_id, ctx.branch_id, now)

    def _long_waits(self, org: str, vehicle_id: str, branch: str, now: datetime.datetime) -> None:
        evs: list[StopEvent] = []
        if self.fleet.events is not None:
            evs = self.fleet.events.for_vehicle(org, vehicle_id, day_start(now), now + datetime.timedelta(1))
        self._sync(org, vehicle_id, branch, "LONG_WAIT",
                   rules.long_waits(org, vehicle_id, evs, now, self.fleet.config.long_wait), now)

    # ------------------------------------------------------------ alerts

    def _sync(self, org: str, vehicle_id: str, branch: str, kind: str, found: Sequence[Alert],
              now: datetime.datetime) -> None:
        """Make the board's ``kind`` alerts of the vehicle exactly ``found``; announce the new ones."""
        board = self.fleet.alerts
        before = {a.order_id: a for a in board.of(org, vehicle_id) if a.kind == kind}
        for a in found:
            before.pop(a.order_id, None)
            board.set(a)
            key = (org, vehicle_id, kind, a.order_id)
            told = self._announced.get(key)
            if told is None or a.amount - told >= REANNOUNCE.get(kind, 1):
                self._announced[key] = a.amount
                self._announce(a, branch)
        for order_id in before:
            board.clear(org, vehicle_id, kind, order_id)
            self._announced.pop((org, vehicle_id, kind, order_id), None)

    def _announce(self, alert: Alert, branch: str) -> None:
        log.info("alert", extra={"organization": alert.organization, "vehicle": alert.vehicle_id,
                                 "kind": alert.kind, "order": alert.order_id, "amount": alert.amount})
        if self.events.bus is not None:
            try:
                self.events.bus.publish(alert.organization, updates.alert_message(alert, branch))
            except Exception:
                log.exception("publishing an alert failed")
        if self.on_alert is not None:
            self.on_alert(alert)

    # ------------------------------------------------------------ the timer

    def tick(self, now: datetime.datetime | None = None) -> None:
        """SILENT and LONG_WAIT for every vehicle of today's running plans (run every half minute or so)."""
        now = now or self.fleet.clock()
        with self._lock:
            for org in self.fleet.plans.master.organizations():
                for lv in self.fleet.live.all(org):
                    try:
                        ctx = self._context(org, lv.vehicle_id, now)
                        if ctx is None or all(p.reached for p in ctx.places):
                            continue
                        limit = self.fleet.config.silent_after
                        found = rules.silent_alert(org, lv.vehicle_id, lv.time, now, limit)
                        self._sync(org, lv.vehicle_id, ctx.branch_id, "SILENT", [found] if found else [], now)
                        self._long_waits(org, lv.vehicle_id, ctx.branch_id, now)
                    except Exception:
                        log.exception("live monitor tick failed", extra={"organization": org,
                                                                         "vehicle": lv.vehicle_id})


def start_ticker(monitor: LiveMonitor, every: float = 30.0) -> Callable[[], None]:
    """Run ``monitor.tick`` every ``every`` seconds on a daemon thread; returns the function that stops it."""
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(every):
            monitor.tick()

    threading.Thread(target=run, name="tracking-monitor", daemon=True).start()
    return stop.set
