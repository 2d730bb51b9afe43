"""A recorded day of a branch, built from records: a plan, each vehicle's track and stop events.

Places lie on the meridian through the branch, ``km`` north of it, so the distances of the tracks are
exact (positions every minute, straight along the meridian).
"""

from __future__ import annotations

import datetime
import itertools
import math

from server.jst import JST
from server.plans.records import Branch, Driver, Order, PlanRecord, RouteRecord, StopRecord, Vehicle
from server.reports.model import DayActuals, VehicleDay
from server.tracking.model import EventType, FailureReason, Position, StopEvent

ORG = "ORG-001"
DATE = datetime.date(2026, 12, 1)
LAT0, LON0 = 35.60, 139.70
M_PER_DEG = math.pi * 6_371_008.8 / 180
BRANCH = Branch(id="BR-NRM", organization_id=ORG, code="NRM", name="練馬営業所", latitude=LAT0,
                longitude=LON0)
_ids = itertools.count(1)


def at(hh: int, mm: int = 0, day: datetime.date = DATE) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hh, mm), tzinfo=JST)


def north(km: float) -> tuple[float, float]:
    return LAT0 + km * 1000 / M_PER_DEG, LON0


def order(oid: str, km: float, name: str, weight: float, window: tuple[int, int] | None = None) -> Order:
    lat, lon = north(km)
    tw = () if window is None else ((datetime.time(window[0]), datetime.time(window[1])),)
    return Order(id=oid, organization_id=ORG, branch_id=BRANCH.id, latitude=lat, longitude=lon,
                 delivery_date=DATE, place_name=name, time_windows=tw, weight_kg=weight)


class Track:
    """A vehicle's day as it happens: drive, stay, and events at the current time and place."""

    def __init__(self, vehicle_id: str, driver_id: str, start: datetime.datetime, km: float = 0.0) -> None:
        self.vehicle_id, self.driver_id = vehicle_id, driver_id
        self.t, self.km = start, km
        self.positions = [self._pos()]
        self.events: list[StopEvent] = []

    def _pos(self) -> Position:
        lat, lon = north(self.km)
        return Position(ORG, self.vehicle_id, self.vehicle_id, self.t.astimezone(datetime.UTC), lat, lon)

    def drive(self, to_km: float, minutes: int) -> Track:
        start = self.km
        for k in range(1, minutes + 1):
            self.t += datetime.timedelta(minutes=1)
            self.km = start + (to_km - start) * k / minutes
            self.positions.append(self._pos())
        return self

    def stay(self, minutes: int) -> Track:
        for _ in range(minutes):
            self.t += datetime.timedelta(minutes=1)
            self.positions.append(self._pos())
        return self

    def event(self, kind: EventType, order_id: str | None = None, **kw) -> Track:
        lat, lon = north(self.km)
        n = next(_ids)
        self.events.append(StopEvent(ORG, "PLAN-1", f"E-{n}", f"R-{n}", kind, self.vehicle_id, self.t,
                                     order_id=order_id, driver_id=self.driver_id, latitude=lat, longitude=lon,
                                     **kw))
        return self

    def deliver(self, order_id: str, minutes: int, unloading: bool = True) -> Track:
        self.event(EventType.ARRIVED, order_id)
        if unloading:
            self.event(EventType.UNLOADING_STARTED, order_id)
        self.stay(minutes)
        if unloading:
            self.event(EventType.UNLOADING_ENDED, order_id)
        return self.event(EventType.DELIVERED, order_id).event(EventType.DEPARTED, order_id)


def vehicle(vid: str, payload: float = 2000) -> Vehicle:
    return Vehicle(id=vid, organization_id=ORG, branch_id=BRANCH.id,
                   registration_number=f"練馬 100 あ {vid[-2:]}",
                   vehicle_class="2t", payload_kg=payload)


def driver(did: str, name: str) -> Driver:
    return Driver(id=did, organization_id=ORG, branch_id=BRANCH.id, employee_number=did, name=name)


def route(vid: str, did: str, start: datetime.datetime, end: datetime.datetime, km: float,
          orders: list[tuple[str, datetime.datetime]]) -> RouteRecord:
    stops = [StopRecord(0, "DEPOT", None, start, start, start, (0,))]
    for i, (oid, t) in enumerate(orders, start=1):
        stops.append(StopRecord(i, "DELIVERY", oid, t, t, t, (0,)))
    stops.append(StopRecord(len(stops), "DEPOT", None, end, end, end, (0,)))
    return RouteRecord(f"R-{vid}", vid, did, start, end, int(km * 1000), 0.0, tuple(stops))


ORDERS = [
    order("O-1", 60, "川越センター", 500),
    order("O-2", 135, "高崎倉庫", 700),
    order("O-3", 30, "所沢物流", 400, (6, 12)),
    order("O-4", 60, "狭山商店", 100),
    order("O-5", 105, "本庄工場", 300, (9, 11)),
    order("O-6", 165, "前橋配送センター", 200),
    order("O-7", 30, "新座店", 150),
    order("O-8", 20, "朝霞店", 150),
    order("O-9", 45, "志木店", 150),
]


def tracks() -> dict[str, Track]:
    """V-001 drives 4 h 30 min with only an unloading in between (430 broken); V-002 is restrained
    14 h 30 min, waits 2 h 30 min at O-3 and fails O-4 (不在); V-003 skips O-8, adds O-9 and detours."""
    v1 = Track("V-001", "D-001", at(7, 0)).stay(30)  # 07:00 phone on at the branch
    v1.event(EventType.LOADING_STARTED).stay(30).event(EventType.LOADING_ENDED)  # 07:30-08:00
    v1.drive(60, 120).deliver("O-1", 15)  # 10:00-10:15
    v1.drive(135, 150).deliver("O-2", 10)  # 12:45-12:55
    v1.event(EventType.BREAK_STARTED).stay(45).event(EventType.BREAK_ENDED)  # 12:55-13:40
    v1.drive(0, 180).stay(20)  # back 16:40

    v2 = Track("V-002", "D-002", at(4, 50)).stay(10)
    v2.drive(30, 60).event(EventType.ARRIVED, "O-3").event(EventType.WAITING_STARTED, "O-3")  # 06:00
    v2.stay(150).event(EventType.WAITING_ENDED, "O-3")  # 08:30
    v2.event(EventType.UNLOADING_STARTED, "O-3", requested_by="所沢物流 佐藤")
    v2.stay(20).event(EventType.UNLOADING_ENDED, "O-3").event(EventType.DELIVERED, "O-3")  # 08:50
    v2.stay(5).event(EventType.DEPARTED, "O-3")  # 08:55
    v2.drive(60, 60).event(EventType.ARRIVED, "O-4").stay(5)  # 09:55-10:00
    v2.event(EventType.FAILED, "O-4", failure_reason=FailureReason.NOT_HOME).event(EventType.DEPARTED, "O-4")
    v2.drive(105, 90).deliver("O-5", 15, unloading=False)  # 11:30-11:45, late (window to 11:00)
    v2.event(EventType.BREAK_STARTED).stay(60).event(EventType.BREAK_ENDED)  # 11:45-12:45
    v2.drive(165, 120).deliver("O-6", 15)  # 14:45-15:00
    v2.stay(30)  # 15:00-15:30: a break with no event (found from the track)
    v2.drive(0, 180)  # 18:30 at the branch
    v2.event(EventType.UNLOADING_STARTED).stay(60).event(EventType.UNLOADING_ENDED)  # returns 18:30-19:30

    v3 = Track("V-003", "D-003", at(8, 50)).stay(10)
    v3.drive(30, 60).deliver("O-7", 10)  # 10:00-10:10
    v3.drive(45, 30).deliver("O-9", 10)  # 10:40-10:50 (not planned)
    v3.drive(0, 90).stay(10)  # 12:20
    return {"V-001": v1, "V-002": v2, "V-003": v3}


def plan(routes: tuple[RouteRecord, ...]) -> PlanRecord:
    t = at(0)
    return PlanRecord("PLAN-1", ORG, BRANCH.id, DATE, "IN_PROGRESS", 3, 3, "u", t, t, routes, ())


def recorded_day(now: datetime.datetime | None = None, until: datetime.datetime | None = None) -> DayActuals:
    """The day as recorded; ``until`` cuts the tracks and events (a day still running)."""
    tr = tracks()
    routes = (
        route("V-001", "D-001", at(8), at(16, 30), 260, [("O-1", at(10)), ("O-2", at(12, 40))]),
        route("V-002", "D-002", at(5), at(18), 330,
              [("O-3", at(6)), ("O-4", at(9)), ("O-5", at(10, 30)), ("O-6", at(13))]),
        route("V-003", "D-003", at(9), at(12), 50, [("O-7", at(10)), ("O-8", at(10, 40))]),
    )
    names = {"D-001": "山田 太郎", "D-002": "佐々木 次郎", "D-003": "鈴木 花子"}
    days = []
    for r in routes:
        t = tr[r.vehicle_id]
        pos, evs = t.positions, t.events
        if until is not None:
            pos = [p for p in pos if p.time < until]
            evs = [e for e in evs if e.time < until]
        assert r.driver_id is not None
        days.append(VehicleDay(vehicle(r.vehicle_id), driver(r.driver_id, names[r.driver_id]), r, tuple(pos),
                               tuple(evs)))
    days.append(VehicleDay(vehicle("V-004"), None, None))
    return DayActuals(ORG, BRANCH, DATE, plan(routes), {o.id: o for o in ORDERS}, tuple(days), 4,
                      now or at(6, day=DATE + datetime.timedelta(days=1)))


def shifted(day: DayActuals, days: int) -> DayActuals:
    """The same day recorded ``days`` days later (earlier when negative)."""
    import dataclasses

    delta = datetime.timedelta(days=days)
    date = day.date + delta

    def move(t: datetime.datetime | None) -> datetime.datetime | None:
        return None if t is None else t + delta

    vehicles = []
    for v in day.vehicles:
        route = v.route
        if route is not None:
            stops = tuple(dataclasses.replace(s, arrival_time=move(s.arrival_time),
                                              service_start_time=move(s.service_start_time),
                                              departure_time=move(s.departure_time)) for s in route.stops)
            route = dataclasses.replace(route, start_time=move(route.start_time),
                                        end_time=move(route.end_time), stops=stops)
        vehicles.append(dataclasses.replace(
            v, route=route,
            positions=tuple(dataclasses.replace(p, time=p.time + delta) for p in v.positions),
            events=tuple(dataclasses.replace(e, time=e.time + delta, event_id=f"{e.event_id}@{days}",
                                             request_id=f"{e.request_id}@{days}") for e in v.events),
        ))
    orders = {k: dataclasses.replace(o, delivery_date=date) for k, o in day.orders.items()}
    return dataclasses.replace(day, date=date, plan=dataclasses.replace(day.plan, plan_date=date),
                               vehicles=tuple(vehicles), orders=orders, now=day.now + delta)
