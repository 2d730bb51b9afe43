"""Problem validation names every bad field."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.model import (
    Depot,
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


def _problem(**overrides) -> Problem:
    base = dict(
        depots=(Depot("d", Location(x=0, y=0)),),
        vehicles=(Vehicle("v", capacity=(10,)),),
        jobs=(Job("j", Stop(Location(x=1, y=1)), demand=(1,)),),
    )
    base.update(overrides)
    return Problem(**base)


def _fields(exc: pytest.ExceptionInfo[ModelError]) -> set[str]:
    return {f for f, _ in exc.value.violations}


def test_valid_problem_passes() -> None:
    """A small consistent problem builds without error."""
    assert _problem().num_dimensions == 1


def test_empty_parts_are_reported() -> None:
    """No depots, vehicles or jobs: each is named."""
    with pytest.raises(ModelError) as exc:
        Problem(depots=(), vehicles=(), jobs=())
    assert {"depots", "vehicles", "jobs"} <= _fields(exc)


def test_window_end_before_start() -> None:
    """A window that ends before it starts names the job's window."""
    job = Job("j", Stop(Location(x=1, y=1), time_windows=(TimeWindow(0, 10), TimeWindow(50, 20))))
    with pytest.raises(ModelError) as exc:
        _problem(jobs=(job,))
    assert "jobs[0].time_windows[1]" in _fields(exc)


def test_negative_demand_and_wrong_dimensions() -> None:
    """Negative demand and a capacity of the wrong length are both reported."""
    job = Job("j", Stop(Location(x=1, y=1)), demand=(-1,))
    veh = Vehicle("v", capacity=(10, 5))
    with pytest.raises(ModelError) as exc:
        _problem(jobs=(job,), vehicles=(veh,))
    assert {"jobs[0].demand[0]", "vehicles[0].capacity"} <= _fields(exc)


def test_duplicate_ids_and_bad_depot_reference() -> None:
    """Duplicate job ids and a vehicle pointing at a missing depot are reported."""
    jobs = (Job("j", Stop(Location(x=1, y=1))), Job("j", Stop(Location(x=2, y=1))))
    veh = Vehicle("v", capacity=(10,), start_depot=3)
    with pytest.raises(ModelError) as exc:
        _problem(jobs=jobs, vehicles=(veh,))
    assert {"jobs[1].id", "vehicles[0].start_depot"} <= _fields(exc)


def test_coordinates_out_of_range_for_haversine() -> None:
    """Latitudes beyond ±90 are rejected for haversine travel."""
    with pytest.raises(ModelError) as exc:
        Problem(
            depots=(Depot("d", Location(latitude=95, longitude=139)),),
            vehicles=(Vehicle("v", capacity=(1,)),),
            jobs=(Job("j", Stop(Location(latitude=35, longitude=139))),),
            travel=Travel(mode=TravelMode.HAVERSINE),
        )
    assert "depots[0].location.latitude" in _fields(exc)


def test_explicit_matrix_shape_and_index() -> None:
    """A non-square matrix and an index outside it are reported."""
    with pytest.raises(ModelError) as exc:
        Problem(
            depots=(Depot("d", Location(matrix_index=0)),),
            vehicles=(Vehicle("v", capacity=(1,)),),
            jobs=(Job("j", Stop(Location(matrix_index=1))),),
            travel=Travel(mode=TravelMode.EXPLICIT, durations=np.zeros((2, 3)), distances=np.zeros((2, 3))),
        )
    assert "travel.durations" in _fields(exc)
    with pytest.raises(ModelError) as exc:
        Problem(
            depots=(Depot("d", Location(matrix_index=0)),),
            vehicles=(Vehicle("v", capacity=(1,)),),
            jobs=(Job("j", Stop(Location(matrix_index=5))),),
            travel=Travel(mode=TravelMode.EXPLICIT, durations=np.zeros((2, 2)), distances=np.zeros((2, 2))),
        )
    assert "jobs[0].location.matrix_index" in _fields(exc)


def test_size_limits() -> None:
    """More jobs than the limit is refused up front."""
    from optimizer.model import MAX_JOBS

    jobs = tuple(Job(f"j{i}", Stop(Location(x=i, y=0))) for i in range(MAX_JOBS + 1))
    with pytest.raises(ModelError) as exc:
        _problem(jobs=jobs)
    assert "jobs" in _fields(exc)
