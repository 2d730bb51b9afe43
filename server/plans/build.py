"""``build_problem``: one branch's day (depot, active fleet and drivers, open orders) as a routing Problem.

It reads the master data and the planning settings through ``PlanStores`` (no SQL here).

Times are seconds from the time origin = the plan date 00:00 in Japan time (Asia/Tokyo). Capacities and
demands have two dimensions: kilograms and litres (m³ × 1000, since the optimizer's amounts are integers).
Model ids are the database ids, so a solution's job / vehicle / driver ids are order / vehicle / driver ids.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass, replace

from optimizer.licences import parse_licence
from optimizer.model import (
    Depot,
    Driver,
    Job,
    Location,
    ModelError,
    Problem,
    Stop,
    TimeWindow,
    Travel,
    TravelMode,
    Vehicle,
)
from optimizer.rules import JAPAN_2024, DrivingRules
from server.jst import today_jst
from server.plans import records
from server.plans.errors import InvalidDayError
from server.plans.planning import PlanningSettings
from server.plans.ports import PlanStores, RoadGraphs
from server.plans.snapshot import origin_of

DIMENSIONS = ("kg", "litres")
#: A stored volume (m³) in the optimizer's integer litres.
LITRES_PER_M3 = 1000
#: Volume capacity of a vehicle whose volume is not stored: not limiting.
UNLIMITED = 10**9
RELOAD_SECONDS = 30 * 60
#: Why a day asked for road travel is planned on straight lines (stored with the plan).
NO_GRAPH_NOTE = (
    "営業所はどの道路グラフの範囲にもないため直線距離で計画しました / the branch lies outside every road "
    "graph: planned with straight-line (haversine) travel"
)


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
    #: How travel is computed: "haversine" or "road" (road asked for but no graph: "haversine").
    travel: str = "haversine"
    #: Notes for the plan (e.g. road travel asked for a branch outside every graph).
    notes: tuple[str, ...] = ()

    def at(self, seconds: int) -> datetime.datetime:
        """The problem time ``seconds`` as an aware timestamp (JST)."""
        return self.origin + datetime.timedelta(seconds=seconds)


def check_date(date: datetime.date, now: datetime.datetime | None = None) -> None:
    """``ValueError`` when ``date`` is before today in Japan time."""
    if date < today_jst(now):
        raise ValueError(f"date {date.isoformat()} is in the past (today is {today_jst(now)} in Japan)")


def _seconds(t: datetime.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def build_problem(
    stores: PlanStores,
    org: str,
    branch_id: str,
    date: datetime.date,
    travel: str = "haversine",
    *,
    now: datetime.datetime | None = None,
    allow_past: bool = False,
) -> tuple[Problem, IndexMaps]:
    """The routing problem of ``branch_id`` on ``date``; ``LookupError`` if the branch is not in ``org``.

    A past ``date`` is refused unless ``allow_past`` (re-checking an edit of today's running plan is fine).
    Shift, costs, trips, speed and road graph come from the stored planning settings (``planning``).
    Road travel uses the branch's graph (set, or the one whose area holds the branch); a branch outside
    every graph is planned on straight lines and ``IndexMaps.notes`` says so.
    """
    if not allow_past:
        check_date(date, now)
    if travel not in ("haversine", "road"):
        raise ValueError(f"travel must be 'haversine' or 'road', not {travel!r}")
    master = stores.master
    branch = master.branch(org, branch_id)
    if branch is None:
        raise LookupError(f"branches/{branch_id} not found")
    vehicles = master.active_vehicles(org, branch_id)
    drivers = master.active_drivers(org, branch_id)
    orders = master.day_orders(org, branch_id, date)
    levels = master.planning_levels(org, branch_id)
    day = levels.for_branch()

    depot = Depot(
        id=branch_id,
        location=Location(latitude=branch.latitude, longitude=branch.longitude),
        reload_duration=RELOAD_SECONDS,
    )
    model_vehicles = tuple(_vehicle(v, levels.for_vehicle(v.id)) for v in vehicles)
    model_drivers: list[Driver] = []
    skipped: list[str] = []
    for d in drivers:
        try:
            licence = parse_licence(d.licence_class)
        except ValueError:
            skipped.append(d.id)
            continue
        model_drivers.append(Driver(id=d.id, licence=licence, rules=_rules(day)))
    jobs = tuple(
        Job(
            id=o.id,
            stop=Stop(
                location=Location(latitude=o.latitude, longitude=o.longitude),
                service_duration=o.service_seconds,
                time_windows=tuple(TimeWindow(_seconds(s), _seconds(e)) for s, e in o.time_windows),
            ),
            demand=(math.ceil(round(o.weight_kg, 6)), math.ceil(round(o.volume_m3 * LITRES_PER_M3, 6))),
            allowed_vehicle_classes=frozenset(o.allowed_vehicle_classes),
        )
        for o in orders
    )
    if not orders:
        on = date.isoformat()
        text = f"{on} の配送依頼がありません / no open orders on {on}"
        raise InvalidDayError([(f"branches/{branch_id}", text)])
    notes: tuple[str, ...] = ()
    graph = _road_graph(stores.graphs, day, branch) if travel == "road" else None
    if graph is not None:
        model_travel = Travel(mode=TravelMode.ROAD, graph=graph)
    else:
        if travel == "road":
            notes = (NO_GRAPH_NOTE,)
        model_travel = Travel(
            mode=TravelMode.HAVERSINE, speed=day.speed_kmh / 3.6, detour_factor=day.detour_factor
        )
    try:
        problem = Problem(
            depots=(depot,),
            vehicles=model_vehicles,
            jobs=jobs,
            travel=model_travel,
            dimensions=DIMENSIONS,
            drivers=tuple(model_drivers),
        )
    except ModelError as exc:
        names = {
            "jobs": [f"orders/{o.id}" for o in orders], "vehicles": [f"vehicles/{v.id}" for v in vehicles],
            "drivers": [f"drivers/{d.id}" for d in model_drivers], "depots": [f"branches/{branch_id}"],
        }
        raise InvalidDayError([(_stored_path(path, names), text) for path, text in exc.violations]) from exc
    maps = IndexMaps(
        origin=origin_of(date),
        branch_id=branch_id,
        order_ids=tuple(o.id for o in orders),
        vehicle_ids=tuple(v.id for v in model_vehicles),
        driver_ids=tuple(d.id for d in model_drivers),
        skipped_drivers=tuple(skipped),
        travel="road" if graph is not None else "haversine",
        notes=notes,
    )
    return problem, maps


_INDEXED = re.compile(r"^(jobs|vehicles|drivers|depots)\[(\d+)\](.*)$")


def _stored_path(path: str, names: dict[str, list[str]]) -> str:
    """``jobs[3].time_windows`` → ``orders/O-123.time_windows``: the stored row, not the model index."""
    m = _INDEXED.match(path)
    if m is None or int(m.group(2)) >= len(names[m.group(1)]):
        return path
    return names[m.group(1)][int(m.group(2))] + m.group(3)


def _vehicle(v: records.Vehicle, s: PlanningSettings) -> Vehicle:
    return Vehicle(
        id=v.id,
        capacity=(
            math.floor(v.payload_kg),
            UNLIMITED if v.volume_m3 is None else math.floor(round(v.volume_m3 * LITRES_PER_M3, 6)),
        ),
        shift=TimeWindow(_seconds(s.shift_start), _seconds(s.shift_end)),
        fixed_cost=s.fixed_cost,
        cost_per_km=s.cost_per_km,
        cost_per_hour=s.cost_per_hour,
        vehicle_class=v.vehicle_class,
        max_trips=s.max_trips,
        rules=_rules(s),
        gross_weight_kg=None if v.gross_weight_kg is None else round(v.gross_weight_kg),
        payload_kg=round(v.payload_kg),
    )


def _rules(s: PlanningSettings) -> DrivingRules:
    """The 2024 truck rules, with waiting counted as a break only where the settings say so."""
    return replace(JAPAN_2024, wait_counts_as_break=s.wait_counts_as_break)


def _road_graph(graphs: RoadGraphs | None, day: PlanningSettings, branch: records.Branch) -> str | None:
    """The branch's road graph: the one set in its settings, else the one whose area holds it, else None."""
    if day.road_graph:
        if graphs is not None and not graphs.known(day.road_graph):
            raise ValueError(f"road graph {day.road_graph!r} set for branch {branch.id} is not available")
        return day.road_graph
    if graphs is None:
        return None
    return graphs.graph_at(branch.latitude, branch.longitude)
