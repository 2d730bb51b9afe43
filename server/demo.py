"""A demo day for one Tokyo branch: the README's first command solves it."""

from __future__ import annotations

import random

from google.protobuf import duration_pb2
from google.type import latlng_pb2

from hakobu.optimizer.v1 import optimizer_pb2 as pb

HOUR = 3600

#: (display name, latitude, longitude) of delivery areas around the 東京本社 branch.
_AREAS = [
    ("渋谷", 35.6580, 139.7016),
    ("新宿", 35.6896, 139.7006),
    ("品川", 35.6285, 139.7388),
    ("目黒", 35.6339, 139.7157),
    ("池袋", 35.7295, 139.7109),
    ("上野", 35.7138, 139.7773),
    ("中野", 35.7074, 139.6638),
    ("世田谷", 35.6464, 139.6533),
    ("大田", 35.5614, 139.7160),
    ("練馬", 35.7356, 139.6517),
]


#: Gross vehicle weight per class (kg): decides which licence may drive it.
_GROSS_KG = {"軽": 1_350, "2t": 5_000, "4t": 8_000}
#: Three drivers for four trucks; the 普通 licence only allows the 軽 van.
_DRIVERS = [("D-01", "田中 一郎", "中型"), ("D-02", "佐藤 花子", "準中型"), ("D-03", "鈴木 次郎", "普通")]


def _dur(seconds: int) -> duration_pb2.Duration:
    return duration_pb2.Duration(seconds=seconds)


def _window(start_h: float, end_h: float) -> pb.TimeWindow:
    return pb.TimeWindow(start_offset=_dur(int(start_h * HOUR)), end_offset=_dur(int(end_h * HOUR)))


#: The 練馬 branch used with the Nerima road extract (lat 35.7403-35.7584, lng 139.6577-139.6802).
_NERIMA = (35.7490, 139.6690)


def demo_request(
    jobs: int = 40, seed: int = 7, time_limit: float = 5.0, road_graph: str | None = None
) -> pb.OptimizeRequest:
    """A realistic small day: 2 t and 4 t trucks, kg and m³, 時間指定 and 車格制限.

    With ``road_graph`` (the Nerima extract) the branch and its customers lie in
    練馬区 and travel is planned on the real roads per vehicle class; otherwise
    customers spread over central Tokyo with straight-line travel.
    """
    rng = random.Random(seed)
    if road_graph:
        travel = pb.Travel(road=pb.RoadTravel(graph=road_graph))
    else:
        travel = pb.Travel(haversine=pb.HaversineTravel(speed_kilometers_per_hour=22, detour_factor=1.35))
    problem = pb.Problem(capacity_dimensions=["kg", "m3"], travel=travel)
    depot_id = "nerima" if road_graph else "tokyo-hq"
    problem.time_origin.FromJsonString("2026-12-01T00:00:00+09:00")
    problem.depots.append(
        pb.Depot(
            id=depot_id,
            display_name="東京本社" if not road_graph else "練馬営業所",
            location=pb.Location(
                lat_lng=latlng_pb2.LatLng(latitude=_NERIMA[0], longitude=_NERIMA[1])
                if road_graph
                else latlng_pb2.LatLng(latitude=35.6812, longitude=139.7671)
            ),
            time_window=_window(6, 22),
            reload_duration=_dur(30 * 60),
        )
    )
    fleet = [("V-001", "2t", 2000, 12, 9000, 25), ("V-002", "4t", 4000, 24, 12000, 32)]
    fleet += [("V-003", "2t", 2000, 12, 9000, 25), ("V-004", "軽", 350, 3, 5000, 18)]
    for vid, cls, kg, m3, fixed, per_km in fleet:
        problem.vehicles.append(
            pb.Vehicle(
                id=vid,
                display_name=f"{cls}車 {vid}",
                capacity=[kg, m3],
                start_depot_id=depot_id,
                shift=_window(8, 19),
                fixed_cost=fixed,
                cost_per_km=per_km,
                cost_per_hour=1800,
                max_duration=_dur(11 * HOUR),
                vehicle_class=cls,
                max_trips=2,
                gross_weight_kg=_GROSS_KG[cls],
                payload_kg=kg,
                driving_rules=pb.DrivingRules(),  # 改善基準告示 (2024)
            )
        )
    for did, name, licence in _DRIVERS:
        problem.drivers.add(id=did, display_name=name, licence=licence)
    for i in range(jobs):
        name, lat, lng = rng.choice(_AREAS)
        if road_graph:
            name, lat, lng = "練馬", rng.uniform(35.7425, 35.7565), rng.uniform(139.6600, 139.6780)
        else:
            lat, lng = lat + rng.uniform(-0.012, 0.012), lng + rng.uniform(-0.015, 0.015)
        kg = rng.choice([20, 50, 80, 120, 200, 300, 450])
        job = pb.Job(
            id=f"O-{i + 1:04d}",
            display_name=f"{name} 配送 {i + 1}",
            location=pb.Location(lat_lng=latlng_pb2.LatLng(latitude=lat, longitude=lng)),
            service_duration=_dur(rng.choice([5, 10, 15]) * 60),
            demand=[kg, max(1, kg // 100)],
        )
        r = rng.random()
        if r < 0.3:
            job.time_windows.append(_window(9, 12))  # 午前指定
        elif r < 0.5:
            job.time_windows.append(_window(14, 16))
        elif r < 0.6:
            job.time_windows.extend([_window(9, 10), _window(16, 18)])
        if rng.random() < 0.25:
            job.allowed_vehicle_classes.extend(["軽", "2t"])  # 車格制限: narrow street
        problem.jobs.append(job)
    return pb.OptimizeRequest(
        problem=problem,
        parameters=pb.SolveParameters(time_limit=duration_pb2.Duration(seconds=int(time_limit)), seed=1),
    )
