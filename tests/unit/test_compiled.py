"""Travel matrices: the mirrored upper triangle equals the full computation, for every mode."""

from __future__ import annotations

import random

import numpy as np
import pytest

from optimizer.compiled import EARTH_RADIUS_M, node_locations, travel_matrices
from optimizer.model import (
    MAX_TIME,
    Depot,
    Job,
    Location,
    Problem,
    Rounding,
    Stop,
    Travel,
    TravelMode,
    Vehicle,
)


def _problem(n: int, travel: Travel, seed: int) -> Problem:
    rng = random.Random(seed)
    if travel.mode is TravelMode.HAVERSINE:
        where = [Location(latitude=rng.uniform(24, 46), longitude=rng.uniform(122, 146)) for _ in range(n)]
        where.append(Location(latitude=35.68, longitude=139.77))
    else:
        where = [Location(x=rng.uniform(-1e4, 1e4), y=rng.uniform(-99.9, 99.9)) for _ in range(n)]
        where.append(Location(x=0.0, y=0.0))
    jobs = tuple(Job(f"j{i}", Stop(loc)) for i, loc in enumerate(where[:-1]))
    return Problem((Depot("d", where[-1]),), (Vehicle("v", (1,)),), jobs, travel=travel)


def _full(p: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Every entry computed on its own (the formulas before the matrices were mirrored)."""
    t, locs = p.travel, node_locations(p)
    if t.mode is TravelMode.EUCLIDEAN:
        xy = np.array([(loc.x, loc.y) for loc in locs])
        raw = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)) * t.scale
        step = {Rounding.ROUND: lambda v: np.floor(v + 0.5), Rounding.TRUNCATE: lambda v: np.floor(v + 1e-9)}
        rnd = step.get(t.rounding, lambda v: np.ceil(v - 1e-9))
        dist = rnd(raw).astype(np.int64)
        dur = rnd(dist / t.speed).astype(np.int64)
    else:
        lat = np.radians([loc.latitude for loc in locs])
        lng = np.radians([loc.longitude for loc in locs])
        dlat, dlng = lat[None, :] - lat[:, None], lng[None, :] - lng[:, None]
        a = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlng / 2) ** 2
        dist = np.rint(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1))) * t.detour_factor)
        dist = dist.astype(np.int64)
        dur = np.floor(dist / t.speed + 0.5).astype(np.int64)
    np.fill_diagonal(dist, 0)
    np.fill_diagonal(dur, 0)
    return np.minimum(dist, MAX_TIME), np.minimum(dur, MAX_TIME)


@pytest.mark.parametrize(
    "travel",
    [
        Travel(mode=TravelMode.HAVERSINE, speed=8.3),
        Travel(scale=10.0, rounding=Rounding.ROUND, speed=1.7),
        Travel(scale=10.0, rounding=Rounding.TRUNCATE, speed=1.0),
        Travel(scale=3.0, rounding=Rounding.CEIL, speed=0.9),
    ],
    ids=["haversine", "round", "truncate", "ceil"],
)
@pytest.mark.parametrize("n", [1, 300, 700])  # one block, and several (256 rows each) with a ragged last
def test_mirrored_matrices_equal_the_full_computation(travel: Travel, n: int) -> None:
    p = _problem(n, travel, seed=n)
    dist, dur = travel_matrices(p, node_locations(p))
    want_dist, want_dur = _full(p)
    assert dist.dtype == dur.dtype == np.int64
    assert np.array_equal(dist, want_dist) and np.array_equal(dur, want_dur)
