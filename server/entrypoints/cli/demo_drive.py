"""``hakobu demo``'s drive: today's demo plan planned, published and driven by simulated phones.

Each truck's phone reports through the OsmAnd endpoint (as Traccar Client does) along the road graph's
legs (``geo.geometry.leg_geometry``), on an accelerated clock; its driver taps 配達完了 (and 荷待ち at one
stop that makes the truck late) through ``RecordStopEvent``. A ``StreamFleet`` subscriber prints what
the dispatcher sees: arrivals and departures detected from the positions, the next ETAs, and alerts.
"""

from __future__ import annotations

import datetime
import http.client
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from server.jst import JST
from server.plans.ports import PlanStores
from server.plans.records import PlanRecord
from server.tracking.fleet import window_of
from server.tracking.simulate import Fix, Legs, Tap, Visit, drive_route, straight

ORG = "ORG-001"
USER = "U-002"
#: Simulated seconds between two fixes of a phone.
FIX_EVERY = 30.0
_JA = {"ARRIVED": "到着", "DEPARTED": "出発", "DELIVERED": "配達完了", "FAILED": "持戻り",
       "WAITING_STARTED": "荷待ち開始", "WAITING_ENDED": "荷待ち終了"}


@dataclass
class DriveTotals:
    fixes: int = 0
    refused: int = 0
    taps: int = 0
    failed_taps: int = 0
    arrivals: int = 0
    alerts: list[str] = field(default_factory=list)
    etas: int = 0


def visits_of(stores: PlanStores, plan: PlanRecord) -> dict[str, list[Visit]]:
    orders = {o.id: o for o in stores.master.day_orders(ORG, plan.branch_id, plan.plan_date)}
    out: dict[str, list[Visit]] = {}
    for r in plan.routes:
        out[r.vehicle_id] = [
            Visit(s.order_id, orders[s.order_id].latitude, orders[s.order_id].longitude, s.arrival_time,
                  s.service_start_time or s.arrival_time, s.departure_time or s.arrival_time)
            for s in r.stops
            if s.order_id in orders and s.order_id is not None and s.arrival_time is not None
        ]
    return out


def delay_for(stores: PlanStores, plan: PlanRecord, visits: dict[str, list[Visit]]
              ) -> tuple[str, str, datetime.timedelta]:
    """(vehicle, order, extra wait) so that a later stop of that route misses its time window: a 荷待ち
    at the route's first stop long enough to be late at a windowed stop after it (and a LONG_WAIT)."""
    orders = {o.id: o for o in stores.master.day_orders(ORG, plan.branch_id, plan.plan_date)}
    best: tuple[datetime.timedelta, str, str] | None = None
    for vehicle, vs in visits.items():
        for later in vs[1:]:
            _, end = window_of(orders[later.order_id], later.service_start)
            if end is None:
                continue
            need = end - later.arrival + datetime.timedelta(minutes=25)
            if best is None or need < best[0]:
                best = (need, vehicle, vs[0].order_id)
    if best is None:
        vehicle = next(v for v, vs in visits.items() if vs)
        return vehicle, visits[vehicle][0].order_id, datetime.timedelta(minutes=45)
    return best[1], best[2], max(best[0], datetime.timedelta(minutes=40))


def road_legs(graph: Any, vehicle_class: str) -> Legs:
    """Legs along ``graph`` (a compiled road graph) for the vehicle's class; straight lines without one
    or where a point is off the graph."""
    if graph is None:
        return straight
    from geo.geometry import leg_geometry

    def legs(a: tuple[float, float], b: tuple[float, float]) -> list[tuple[float, float]]:
        try:
            line = leg_geometry(graph, vehicle_class, a, b)
        except Exception:
            return [a, b]
        return [(lat, lng) for lng, lat in line["coordinates"]]

    return legs


class OsmAnd:
    """A phone's OsmAnd client (keep-alive HTTP GET, as Traccar Client sends)."""

    def __init__(self, host: str, port: int) -> None:
        self.conn = http.client.HTTPConnection(host, port, timeout=10)

    def send(self, vehicle_id: str, fix: Fix) -> bool:
        query = urlencode({
            "id": vehicle_id, "lat": f"{fix.latitude:.6f}", "lon": f"{fix.longitude:.6f}",
            "timestamp": int(fix.time.timestamp() * 1000), "speed": f"{fix.speed_kmh / 1.852:.1f}",
            "bearing": f"{fix.heading:.0f}",
        })
        for attempt in range(3):
            try:
                self.conn.request("GET", "/?" + query)
                resp = self.conn.getresponse()
                resp.read()
                return resp.status == 200
            except (OSError, http.client.HTTPException):
                self.conn.close()
                if attempt == 2:
                    raise
        return False

    def close(self) -> None:
        self.conn.close()


def _hm(ts: Any) -> str:
    return ts.ToDatetime(datetime.UTC).astimezone(JST).strftime("%H:%M")


def watch(stub: Any, branch: str, md: Any, totals: DriveTotals, out: Callable[[str], None],
          ready: threading.Event) -> Iterator[None]:
    """Print the fleet stream: stop events, the ETA after each, alerts."""
    from hakobu.tracking.v1 import tracking_pb2 as pb

    call = stub.StreamFleet(pb.StreamFleetRequest(branch=branch), metadata=md)
    eta_due: set[str] = set()
    try:
        for u in call:
            ready.set()
            if u.HasField("stop_event"):
                e = u.stop_event
                kind = pb.StopEvent.Type.Name(e.type)
                vehicle, order = e.vehicle.rsplit("/", 1)[1], e.order.rsplit("/", 1)[-1]
                if kind == "ARRIVED":
                    totals.arrivals += 1
                src = pb.StopEvent.Source.Name(e.source)
                out(f"  {_hm(e.event_time)}  {vehicle}  {_JA.get(kind, kind)} / {kind:<15} {order}  ({src})")
                eta_due.add(vehicle)
            elif u.HasField("alert"):
                a = u.alert
                kind = pb.Alert.Kind.Name(a.kind)
                totals.alerts.append(kind)
                out(f"  ⚠ {kind:<13} {a.vehicle.rsplit('/', 1)[1]}  {a.message}")
            elif u.HasField("vehicle_state"):
                s = u.vehicle_state
                vehicle = s.vehicle.rsplit("/", 1)[1]
                if vehicle in eta_due and s.etas:
                    eta_due.discard(vehicle)
                    e0 = s.etas[0]
                    window = (f"{_hm(e0.window_start_time)}–{_hm(e0.window_end_time)}"
                              if e0.HasField("window_end_time") else "指定なし / none")
                    late = f", {e0.minutes_late:+d} min" if e0.minutes_late > 0 else ""
                    totals.etas += 1
                    nxt = e0.order.rsplit("/", 1)[1]
                    out(f"           ETA 次 / next {nxt}: {_hm(e0.estimated_arrival_time)} (予定 / planned "
                        f"{_hm(e0.planned_arrival_time)}, 時間指定 / window {window}{late})")
            yield None
    except Exception:  # the stream ends when the drive is over
        ready.set()


def drive(stores: PlanStores, plan: PlanRecord, osmand: tuple[str, int], tracking: str, graph: Any,
          speedup: float, md: Any, out: Callable[[str], None] = print) -> DriveTotals:
    """Drive every route of ``plan`` on a clock ``speedup`` times faster than real time."""
    import grpc

    from hakobu.tracking.v1 import tracking_pb2 as pb
    from hakobu.tracking.v1 import tracking_pb2_grpc

    visits = visits_of(stores, plan)
    late_vehicle, late_order, extra = delay_for(stores, plan, visits)
    classes = {v.id: v.vehicle_class for v in stores.master.active_vehicles(ORG, plan.branch_id)}
    branch = stores.master.branch(ORG, plan.branch_id)
    assert branch is not None
    depot = (branch.latitude, branch.longitude)
    run = uuid.uuid4().hex[:6]
    # A fresh millisecond offset per run: a replayed day is new positions, not duplicates of the last run.
    jitter = datetime.timedelta(milliseconds=int(run, 16) % 997 + 1)
    items: list[tuple[datetime.datetime, str, Fix | Tap]] = []
    for r in plan.routes:
        start = (r.stops[0].departure_time if r.stops else None) or r.start_time
        if start is None or not visits.get(r.vehicle_id):
            continue
        fixes, taps = drive_route(r.vehicle_id, depot, start, visits[r.vehicle_id],
                                  road_legs(graph, classes.get(r.vehicle_id, "2t")), every=FIX_EVERY,
                                  wait_at=late_order if r.vehicle_id == late_vehicle else None, wait=extra)
        items += [(f.time + jitter, r.vehicle_id, f) for f in fixes]
        items += [(t.time + jitter, r.vehicle_id, t) for t in taps]
    items.sort(key=lambda x: (x[0], isinstance(x[2], Tap)))
    minutes = int(extra.total_seconds() // 60)
    out(f"\n走行デモ / drive: {len(plan.routes)} 台 / trucks, 今日 / today {plan.plan_date}, "
        f"{speedup:.0f}× の時計 / clock; {late_vehicle} は {late_order} で荷待ち {minutes} 分 "
        f"/ waits {minutes} min there")
    totals = DriveTotals()
    channel = grpc.insecure_channel(tracking)
    stub = tracking_pb2_grpc.TrackingServiceStub(channel)
    ready = threading.Event()
    stream = watch(stub, f"organizations/{ORG}/branches/{plan.branch_id}", md, totals, out, ready)
    reader = threading.Thread(target=lambda: [None for _ in stream], daemon=True)
    reader.start()
    ready.wait(10)
    phone = OsmAnd(*osmand)
    t0, w0 = items[0][0] if items else None, time.monotonic()
    try:
        for at, vehicle, item in items:
            assert t0 is not None
            delay = (at - t0).total_seconds() / speedup - (time.monotonic() - w0)
            if delay > 0:
                time.sleep(delay)
            if isinstance(item, Fix):
                totals.fixes += 1
                fix = Fix(at, item.latitude, item.longitude, item.speed_kmh, item.heading)
                if not phone.send(vehicle, fix):
                    totals.refused += 1
            else:
                totals.taps += 1
                ev = pb.StopEvent(type=pb.StopEvent.Type.Value(item.type),
                                  vehicle=f"organizations/{ORG}/vehicles/{vehicle}",
                                  order=f"organizations/{ORG}/orders/{item.order_id}",
                                  source=pb.StopEvent.DRIVER)
                ev.event_time.FromDatetime(at)  # simulated: ahead of the wall clock early in the day
                try:
                    stub.RecordStopEvent(pb.RecordStopEventRequest(
                        parent=f"organizations/{ORG}/plans/{plan.id}", stop_event=ev,
                        request_id=f"demo-{run}-{vehicle}-{item.order_id}-{item.type}"), metadata=md,
                        timeout=30)
                except grpc.RpcError as exc:
                    totals.failed_taps += 1
                    out(f"  (tap refused: {exc.code().name}: {exc.details()})")
        time.sleep(2.0)  # the observers catch up with the last positions
    finally:
        phone.close()
        channel.close()
        reader.join(5)
    return totals


def plan_today(wiring: Any, settings: Any, url: str, out: Callable[[str], None] = print) -> PlanRecord:
    """Today's demo day afresh: seeded, the previous run's plan removed, optimized, published."""
    from optimizer.solve import SolveOptions
    from server.adapters.postgres.demo_reset import reset_demo_day
    from server.adapters.postgres.seed import NERIMA_BRANCH_ID, seed
    from server.jst import today_jst
    from server.plans.optimize import optimize_day
    from server.plans.queries import publish_plan

    today = today_jst()
    seed(url, today)
    reset_demo_day(url, ORG, NERIMA_BRANCH_ID, today)
    with wiring.open_batch(settings, url) as batch:
        plan, _ = optimize_day(batch.stores, ORG, NERIMA_BRANCH_ID, today, SolveOptions(time_limit=3, seed=1),
                               USER)
        plan = publish_plan(batch.stores, ORG, plan.id, plan.etag, USER)
    out(f"\n今日の計画 / today's plan {plan.id} ({today}): {plan.status}, {len(plan.routes)} routes")
    for r in plan.routes:
        stops = [s for s in r.stops if s.order_id]
        first, last = r.stops[0].departure_time, r.stops[-1].arrival_time
        span = f"{first.astimezone(JST):%H:%M}–{last.astimezone(JST):%H:%M}" if first and last else ""
        out(f"  {r.vehicle_id} ({r.driver_id or '-'}): {len(stops)} stops {span}")
    return plan
