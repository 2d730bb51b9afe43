"""Problem builders shared by the engine tests."""

from __future__ import annotations

import random

import numpy as np

from optimizer.model import (
    Depot,
    Job,
    JobKind,
    Location,
    Problem,
    Stop,
    TimeWindow,
    Travel,
    TravelMode,
    Vehicle,
)


def at(x: float, y: float = 0.0) -> Location:
    return Location(x=x, y=y)


def job(
    name: str,
    loc: Location,
    demand: int = 0,
    *,
    kind: JobKind = JobKind.DELIVERY,
    windows: tuple[TimeWindow, ...] = (),
    service: int = 0,
    penalty: float | None = None,
    classes: frozenset[str] = frozenset(),
    skills: frozenset[str] = frozenset(),
) -> Job:
    return Job(
        name,
        Stop(loc, service, windows),
        kind=kind,
        demand=(demand,),
        allowed_vehicle_classes=classes,
        required_skills=skills,
        penalty=penalty,
    )


def explicit(matrix: list[list[int]]) -> Travel:
    m = np.array(matrix, dtype=np.int64)
    return Travel(mode=TravelMode.EXPLICIT, distances=m, durations=m.copy())


def random_windows_problem(n: int, seed: int, vehicles: int = 6, capacity: int = 20) -> Problem:
    """``n`` jobs around one depot, each with a 200-long window starting before 400, and a fleet."""
    rng = random.Random(seed)
    jobs = []
    for i in range(n):
        start = rng.randrange(0, 400)
        jobs.append(
            job(
                f"j{i}",
                at(rng.uniform(-100, 100), rng.uniform(-100, 100)),
                rng.randint(1, 6),
                windows=(TimeWindow(start, start + 200),),
                service=10,
            )
        )
    fleet = tuple(Vehicle(f"v{i}", (capacity,), shift=TimeWindow(0, 1000)) for i in range(vehicles))
    return Problem((Depot("depot", at(0, 0)),), fleet, tuple(jobs))
