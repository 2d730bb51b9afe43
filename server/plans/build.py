"""``build_problem``: one branch's day (depot, active fleet and drivers, open orders) as a routing Problem.

Times are seconds from the time origin = the plan date 00:00 in Japan time (Asia/Tokyo). Capacities and
demands have two dimensions: kilograms and litres (m³ × 1000, since the optimizer's amounts are integers).
Model ids are the database ids, so a solution's job / vehicle / driver ids are order / vehicle / driver ids.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from optimizer.licences import parse_licence
from optimizer.model import (
    Depot,
    Driver,
    Job,
    Location,
    Problem,
    Stop,
    TimeWindow,
    Travel,
    TravelMode,
    Vehicle,
)
from optimizer.rules import JAPAN_2024
from server.db.repository import ORDERS, Database
from server.jst import JST, today_jst

DIMENSIONS = ("kg", "litres")
#: Shift when the schema stores none: 08:00–19:00 local time.
DEFAULT_SHIFT = (datetime.time(8, 0), datetime.time(19, 0))
ACTIVE_VEHICLE_STATUSES = ("AVAILABLE", "IN_SERVICE")
ACTIVE_DRIVER_STATUSES = ("AVAILABLE", "ON_DUTY")
#: Volume capacity of a vehicle whose volume is not stored: not limiting.
UNLIMITED = 10**9
#: Straight-line travel: average urban truck speed and road detour.
HAVERSINE_SPEED_KMH = 22.0
DETOUR_FACTOR = 1.35
#: Road graph used by ``travel="road"`` (the Nerima OSM extract).
DEFAULT_ROAD_GRAPH = "tokyo_nerima"
#: Cost model (yen): the schema stores no costs yet, so every vehicle uses these.
FIXED_COST = 9000.0
COST_PER_KM = 30.0
COST_PER_HOUR = 1800.0
MAX_TRIPS = 2
RELOAD_SECONDS = 30 * 60


@dataclass(frozen=True)
class IndexMaps:
    """How the problem's indices map back to stored rows."""

    origin: datetime.datetime  # the plan date 00:00 JST (time 0 of the problem)
    branch_id: str
    order_ids: tuple[str, ...]  # job index -> order id
    vehicle_ids: tuple[str, ...]  # vehicle index -> vehicle id
    driver_ids: tuple[str, ...]  # driver index -> driver id
    #: Drivers left out because their licence class is empty or unknown.
    skipped_drivers: tuple[str, ...] = ()

    def at(self, seconds: int) -> datetime.datetime:
        """The problem time ``seconds`` as an aware timestamp (JST)."""
        return self.origin + datetime.timedelta(seconds=seconds)


def check_date(date: datetime.date, now: datetime.datetime | None = None) -> None:
    """``ValueError`` when ``date`` is before today in Japan time."""
    if date < today_jst(now):
        raise ValueError(f"date {date.isoformat()} is in the past (today is {today_jst(now)} in Japan)")


def origin_of(date: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(date, datetime.time(0, 0), tzinfo=JST)


def _seconds(t: datetime.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def build_problem(
    db: Database,
    org: str,
    branch_id: str,
    date: datetime.date,
    travel: str = "haversine",
    *,
    road_graph: str = DEFAULT_ROAD_GRAPH,
    now: datetime.datetime | None = None,
    allow_past: bool = False,
) -> tuple[Problem, IndexMaps]:
    """The routing problem of ``branch_id`` on ``date``; ``LookupError`` if the branch is not in ``org``.

    A past ``date`` is refused unless ``allow_past`` (re-checking an edit of today's running plan is fine).
    """
    if not allow_past:
        check_date(date, now)
    if travel not in ("haversine", "road"):
        raise ValueError(f"travel must be 'haversine' or 'road', not {travel!r}")
    with db.transaction() as conn:
        branch = conn.execute(
            "SELECT * FROM branches WHERE organization_id = %s AND id = %s", (org, branch_id)
        ).fetchone()
        if branch is None:
            raise LookupError(f"branches/{branch_id} not found")
        vehicles = conn.execute(
            "SELECT * FROM vehicles WHERE organization_id = %s AND branch_id = %s AND status = ANY(%s) "
            "ORDER BY id",
            (org, branch_id, list(ACTIVE_VEHICLE_STATUSES)),
        ).fetchall()
        drivers = conn.execute(
            "SELECT * FROM drivers WHERE organization_id = %s AND branch_id = %s AND status = ANY(%s) "
            "ORDER BY id",
            (org, branch_id, list(ACTIVE_DRIVER_STATUSES)),
        ).fetchall()
        order_rows = conn.execute(
            "SELECT * FROM orders WHERE organization_id = %s AND branch_id = %s AND delivery_date = %s "
            "AND status <> 'CANCELLED' ORDER BY id",
            (org, branch_id, date),
        ).fetchall()
    orders = [ORDERS.row_to_record(r) for r in order_rows]

    shift = TimeWindow(_seconds(DEFAULT_SHIFT[0]), _seconds(DEFAULT_SHIFT[1]))
    depot = Depot(
        id=branch_id,
        location=Location(latitude=branch["latitude"], longitude=branch["longitude"]),
        reload_duration=RELOAD_SECONDS,
    )
    model_vehicles = tuple(
        Vehicle(
            id=v["id"],
            capacity=(
                math.floor(v["payload_kg"]),
                UNLIMITED if v["volume_m3"] is None else math.floor(round(v["volume_m3"] * 1000, 6)),
            ),
            shift=shift,
            fixed_cost=FIXED_COST,
            cost_per_km=COST_PER_KM,
            cost_per_hour=COST_PER_HOUR,
            vehicle_class=v["vehicle_class"],
            max_trips=MAX_TRIPS,
            rules=JAPAN_2024,
            gross_weight_kg=None if v["gross_weight_kg"] is None else round(v["gross_weight_kg"]),
            payload_kg=round(v["payload_kg"]),
        )
        for v in vehicles
    )
    model_drivers: list[Driver] = []
    skipped: list[str] = []
    for d in drivers:
        try:
            licence = parse_licence(d["licence_class"])
        except ValueError:
            skipped.append(d["id"])
            continue
        model_drivers.append(Driver(id=d["id"], licence=licence, rules=JAPAN_2024))
    jobs = tuple(
        Job(
            id=o.id,
            stop=Stop(
                location=Location(latitude=o.latitude, longitude=o.longitude),
                service_duration=o.service_seconds,
                time_windows=tuple(TimeWindow(_seconds(s), _seconds(e)) for s, e in o.time_windows),
            ),
            demand=(math.ceil(round(o.weight_kg, 6)), math.ceil(round(o.volume_m3 * 1000, 6))),
            allowed_vehicle_classes=frozenset(o.allowed_vehicle_classes),
        )
        for o in orders
    )
    if travel == "road":
        model_travel = Travel(mode=TravelMode.ROAD, graph=road_graph)
    else:
        model_travel = Travel(
            mode=TravelMode.HAVERSINE, speed=HAVERSINE_SPEED_KMH / 3.6, detour_factor=DETOUR_FACTOR
        )
    problem = Problem(
        depots=(depot,),
        vehicles=model_vehicles,
        jobs=jobs,
        travel=model_travel,
        dimensions=DIMENSIONS,
        drivers=tuple(model_drivers),
    )
    maps = IndexMaps(
        origin=origin_of(date),
        branch_id=branch_id,
        order_ids=tuple(o.id for o in orders),
        vehicle_ids=tuple(v.id for v in model_vehicles),
        driver_ids=tuple(d.id for d in model_drivers),
        skipped_drivers=tuple(skipped),
    )
    return problem, maps
