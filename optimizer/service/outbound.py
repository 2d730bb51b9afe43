"""Model → protobuf: the inverse of :func:`optimizer.service.convert.problem_from_proto`.

Code that holds an :class:`optimizer.model.Problem` (for example the plans
service) uses this to ask a remote OptimizerService to solve it. Every field
the model has is written so that ``problem_from_proto(problem_to_proto(p))``
gives back ``p``: indices become ids (depots by id), times become offsets
from the optional time origin, and defaults that the reader fills in for unset
fields are written out explicitly where the model's value differs.

Not representable, hence not round-tripped: a :class:`Location` with more than
one kind of position (only the one the travel mode uses is sent), travel
fields the mode ignores (e.g. ``detour_factor`` under Euclidean travel), and a
vehicle weight of 0 kg (the wire's "unknown"), and about one in twelve
haversine speeds, which come back within one ulp because the wire carries
km/h (every speed the server itself can read round-trips exactly).
"""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
from google.protobuf import duration_pb2, timestamp_pb2
from google.type import latlng_pb2

from hakobu.optimizer.v1 import optimizer_pb2 as pb
from optimizer.model import (
    MAX_TIME,
    Depot,
    Driver,
    Job,
    JobKind,
    Location,
    Problem,
    Rounding,
    Shipment,
    Stop,
    TimeWindow,
    Travel,
    TravelMode,
    Vehicle,
)
from optimizer.rules import DrivingRules
from optimizer.solve import SolveOptions

ENGINES = {
    "auto": pb.ENGINE_AUTO, "pyvrp": pb.ENGINE_PYVRP, "ortools": pb.ENGINE_ORTOOLS, "hgs": pb.ENGINE_HGS,
}  # fmt: skip
ROUNDING = {
    Rounding.ROUND: pb.ROUNDING_ROUND,
    Rounding.TRUNCATE: pb.ROUNDING_TRUNCATE,
    Rounding.CEIL: pb.ROUNDING_CEIL,
}


def _seconds(value: int) -> duration_pb2.Duration:
    """Whole seconds, as the reader reads them back (it rounds nanos to the nearest second)."""
    return duration_pb2.Duration(seconds=int(value))


def _window(w: TimeWindow) -> pb.TimeWindow:
    """An unset end means open-ended (``MAX_TIME``) on the wire."""
    out = pb.TimeWindow(start_offset=_seconds(w.start))
    if w.end != MAX_TIME:
        out.end_offset.CopyFrom(_seconds(w.end))
    return out


def _location(loc: Location, mode: TravelMode) -> pb.Location:
    """The position the travel mode reads; another one when that is missing (the server names the field)."""
    latlng = loc.latitude is not None and loc.longitude is not None
    point = loc.x is not None and loc.y is not None
    matrix = loc.matrix_index is not None
    preferred = {
        TravelMode.EXPLICIT: "matrix",
        TravelMode.EUCLIDEAN: "point",
        TravelMode.HAVERSINE: "latlng",
        TravelMode.ROAD: "latlng",
    }[mode]
    available = {"matrix": matrix, "point": point, "latlng": latlng}
    order = [preferred] + [k for k in ("latlng", "point", "matrix") if k != preferred]
    which = next((k for k in order if available[k]), None)
    if which == "latlng":
        return pb.Location(lat_lng=latlng_pb2.LatLng(latitude=loc.latitude, longitude=loc.longitude))
    if which == "point":
        return pb.Location(point=pb.Point(x=loc.x, y=loc.y))
    if which == "matrix":
        return pb.Location(matrix_index=loc.matrix_index)
    return pb.Location()  # no position: the server reports "a location is required"


def _rules(r: DrivingRules) -> pb.DrivingRules:
    """Every number written out, so the server's defaults never replace the model's values."""
    out = pb.DrivingRules(
        off=not r.enabled,
        max_continuous_driving=_seconds(r.max_continuous_driving),
        break_total=_seconds(r.break_total),
        break_min_part=_seconds(r.break_min_part),
        max_restraint=_seconds(r.max_restraint),
        hard_max_restraint=_seconds(r.hard_max_restraint),
        wait_counts_as_break=r.wait_counts_as_break,
    )
    if r.max_daily_driving is not None:
        out.max_daily_driving.CopyFrom(_seconds(r.max_daily_driving))
    return out


def _kmh(speed: float) -> float:
    """km/h whose division by 3.6 on the server gives ``speed`` m/s back bit for bit, when one exists."""
    kmh = speed * 3.6
    if kmh / 3.6 == speed:
        return kmh
    down = up = kmh
    for _ in range(8):
        down, up = math.nextafter(down, -math.inf), math.nextafter(up, math.inf)
        for candidate in (down, up):
            if candidate / 3.6 == speed:
                return candidate
    return kmh


def _travel(t: Travel) -> pb.Travel:
    if t.mode is TravelMode.EUCLIDEAN:
        return pb.Travel(
            euclidean=pb.EuclideanTravel(
                scale=t.scale, rounding=ROUNDING[t.rounding], speed_meters_per_second=t.speed
            )
        )
    if t.mode is TravelMode.HAVERSINE:
        return pb.Travel(
            haversine=pb.HaversineTravel(
                speed_kilometers_per_hour=_kmh(t.speed), detour_factor=t.detour_factor
            )
        )
    if t.mode is TravelMode.ROAD:
        return pb.Travel(road=pb.RoadTravel(graph=t.graph, max_snap_meters=t.max_snap))
    assert t.durations is not None and t.distances is not None  # the model's validation requires both
    # The same integer view the local compile takes (optimizer.compiled.travel_matrices).
    durations = np.asarray(t.durations, dtype=np.int64)
    distances = np.asarray(t.distances, dtype=np.int64)
    return pb.Travel(
        matrices=pb.ExplicitMatrices(
            size=int(durations.shape[0]),
            durations_seconds=durations.ravel().tolist(),
            distances_meters=distances.ravel().tolist(),
        )
    )


def _stop_fields(s: Stop, mode: TravelMode) -> dict[str, object]:
    return {
        "location": _location(s.location, mode),
        "service_duration": _seconds(s.service_duration),
        "time_windows": [_window(w) for w in s.time_windows],
    }


def _depot(d: Depot, mode: TravelMode) -> pb.Depot:
    out = pb.Depot(id=d.id, location=_location(d.location, mode), reload_duration=_seconds(d.reload_duration))
    if d.time_window != TimeWindow():
        out.time_window.CopyFrom(_window(d.time_window))
    return out


def _vehicle(v: Vehicle, depots: tuple[Depot, ...]) -> pb.Vehicle:
    out = pb.Vehicle(
        id=v.id,
        capacity=list(v.capacity),
        start_depot_id=depots[v.start_depot].id,
        end_depot_id=depots[v.end_depot].id,
        fixed_cost=v.fixed_cost,
        cost_per_km=v.cost_per_km,
        cost_per_hour=v.cost_per_hour,
        max_distance_meters=v.max_distance or 0,
        vehicle_class=v.vehicle_class,
        skills=sorted(v.skills),
        max_trips=v.max_trips,
        gross_weight_kg=v.gross_weight_kg or 0,
        payload_kg=v.payload_kg or 0,
    )
    if v.shift != TimeWindow():
        out.shift.CopyFrom(_window(v.shift))
    if v.max_duration is not None:
        out.max_duration.CopyFrom(_seconds(v.max_duration))
    if v.rules is not None:
        out.driving_rules.CopyFrom(_rules(v.rules))
    return out


def _job(j: Job, mode: TravelMode) -> pb.Job:
    out = pb.Job(
        id=j.id,
        type=pb.Job.PICKUP if j.kind is JobKind.PICKUP else pb.Job.DELIVERY,
        demand=list(j.demand),
        allowed_vehicle_classes=sorted(j.allowed_vehicle_classes),
        required_skills=sorted(j.required_skills),
        **_stop_fields(j.stop, mode),  # type: ignore[arg-type]
    )
    if j.penalty is not None:
        out.penalty = j.penalty
    return out


def _shipment(s: Shipment, mode: TravelMode) -> pb.Shipment:
    out = pb.Shipment(
        id=s.id,
        pickup=pb.ShipmentStop(**_stop_fields(s.pickup, mode)),  # type: ignore[arg-type]
        delivery=pb.ShipmentStop(**_stop_fields(s.delivery, mode)),  # type: ignore[arg-type]
        demand=list(s.demand),
        allowed_vehicle_classes=sorted(s.allowed_vehicle_classes),
        required_skills=sorted(s.required_skills),
    )
    if s.penalty is not None:
        out.penalty = s.penalty
    return out


def _driver(d: Driver) -> pb.Driver:
    out = pb.Driver(id=d.id, licence=d.licence.value)
    if d.rules is not None:
        out.driving_rules.CopyFrom(_rules(d.rules))
    return out


def problem_to_proto(problem: Problem, *, time_origin: datetime | None = None) -> pb.Problem:
    """The wire form of ``problem``; items keep their order, so field paths in errors map back by index.

    ``time_origin`` (timezone-aware) is the absolute time the model's offsets count from; when given,
    the server's answer also carries absolute timestamps.
    """
    mode = problem.travel.mode
    out = pb.Problem(
        capacity_dimensions=list(problem.dimensions),
        depots=[_depot(d, mode) for d in problem.depots],
        vehicles=[_vehicle(v, problem.depots) for v in problem.vehicles],
        jobs=[_job(j, mode) for j in problem.jobs],
        shipments=[_shipment(s, mode) for s in problem.shipments],
        travel=_travel(problem.travel),
        drivers=[_driver(d) for d in problem.drivers],
    )
    if time_origin is not None:
        if time_origin.tzinfo is None:
            raise ValueError("time_origin must be timezone-aware")
        ts = timestamp_pb2.Timestamp()
        ts.FromDatetime(time_origin)
        out.time_origin.CopyFrom(ts)
    return out


def options_to_proto(options: SolveOptions) -> pb.SolveParameters:
    """The inverse of ``convert.options_from_proto``: parallelism is sent as given (1 = one search)."""
    limit = duration_pb2.Duration()
    limit.FromNanoseconds(round(options.time_limit * 1e9))
    return pb.SolveParameters(
        time_limit=limit,
        engine=ENGINES[options.engine],
        seed=options.seed,
        max_iterations=options.max_iterations or 0,
        parallelism=options.parallelism,
    )
