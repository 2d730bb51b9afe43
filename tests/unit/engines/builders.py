"""Problem builders shared by the engine tests."""

from __future__ import annotations

import numpy as np

from optimizer.model import Job, JobKind, Location, Stop, TimeWindow, Travel, TravelMode


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
