"""Read CVRPLIB / VRPLIB instance files (e.g. the Uchoa et al. "X" set) into a Problem.

Conventions (those of CVRPLIB, so that plans are comparable with its best-known
solutions):

* ``EUC_2D`` coordinates: distance = Euclidean distance rounded to the nearest
  integer per arc (TSPLIB "nint"); travel time equals distance.
* ``EXPLICIT`` edge weights: the (rounded) matrix is used for both distance and
  travel time.
* The depot is the ``DEPOT_SECTION`` node; every other node becomes a job, in
  file order, with ids ``"1" .. "n-1"`` — the numbering of CVRPLIB ``.sol``
  files when the depot is node 1.
* Fleet: ``VEHICLES`` copies when the file states it; otherwise the format
  means an unlimited fleet, and the reader sizes it from the loads
  (:func:`optimizer.packing.routes_bound`: the bin-packing bound plus 30 % and 3,
  or a first-fit-decreasing packing if that needs more — never one truck per
  customer, which past 2,000 customers exceeds the vehicle cap). Best-known
  CVRPLIB plans use the bin-packing bound or a route or two more. In a VRPTW
  file without ``VEHICLES`` the windows, not the loads, may need more routes:
  jobs left over are then unassigned (fleet full). Ids ``"v1", "v2", ...``;
  ``cost_per_km = 1`` so the engines' objective is the total distance.
* Optional VRPTW fields (``TIME_WINDOW_SECTION``, ``SERVICE_TIME_SECTION``) are
  used as given, in the same units as the distances.
"""

from __future__ import annotations

import os
from numbers import Number
from pathlib import Path
from typing import Any

import numpy as np
import vrplib

from optimizer.model import (
    MAX_TIME,
    Depot,
    Job,
    Location,
    Problem,
    Rounding,
    Stop,
    TimeWindow,
    Travel,
    TravelMode,
    Vehicle,
)
from optimizer.packing import routes_bound

SUPPORTED_TYPES = ("CVRP", "VRPTW")
SUPPORTED_EDGE_WEIGHT_TYPES = ("EUC_2D", "EXPLICIT")


def read_vrplib(path: str | os.PathLike[str]) -> Problem:
    """Read a VRPLIB-format CVRP (or VRPTW) instance file.

    Raises ``FileNotFoundError`` for a missing file and ``ValueError`` for a file
    that is not a supported VRPLIB instance.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"VRPLIB instance not found: {p}")
    try:
        text = p.read_text()
    except UnicodeDecodeError as err:
        raise ValueError(f"{p}: not a VRPLIB instance (not a text file)") from err
    specs = _header(text)
    if not specs:
        raise ValueError(f"{p}: not a VRPLIB instance (no 'KEY : VALUE' specification lines)")
    _check_header(specs, str(p))
    try:
        data = vrplib.read_instance(p, compute_edge_weights=False)
    except (RuntimeError, ValueError, IndexError, TypeError) as err:
        raise ValueError(f"{p}: not a readable VRPLIB instance ({err})") from err
    return problem_from_vrplib(data, source=str(p))


def problem_from_vrplib(data: dict[str, Any], source: str = "<vrplib>") -> Problem:
    """Build a Problem from the dictionary returned by ``vrplib.read_instance``."""
    _, ewt = _check_header(data, source)
    if "capacity" not in data:
        raise ValueError(f"{source}: CAPACITY is missing")
    capacity = _as_int(data["capacity"], f"{source}: CAPACITY")

    n = _num_nodes(data, ewt, source)
    depots = np.atleast_1d(np.asarray(data.get("depot", [0]), dtype=np.int64))
    if depots.size != 1:
        raise ValueError(f"{source}: exactly one depot is supported, DEPOT_SECTION lists {depots.size}")
    depot = int(depots[0])
    if not 0 <= depot < n:
        raise ValueError(f"{source}: depot node {depot + 1} is outside 1..{n}")

    demand = np.asarray(data.get("demand", np.zeros(n)), dtype=np.float64).reshape(-1)
    if demand.size != n:
        raise ValueError(f"{source}: DEMAND_SECTION has {demand.size} rows, expected {n}")
    windows = _windows(data, n, source)
    service = _service_times(data, n, depot, source)

    travel, locations = _travel(data, ewt, n, source)
    depot_window = TimeWindow(*windows[depot]) if windows is not None else TimeWindow()
    jobs: list[Job] = []
    for node in range(n):
        if node == depot:
            continue
        stop = Stop(
            location=locations[node],
            service_duration=int(service[node]),
            time_windows=(TimeWindow(*windows[node]),) if windows is not None else (),
        )
        jobs.append(Job(id=str(len(jobs) + 1), stop=stop, demand=(round(float(demand[node])),)))

    if "vehicles" in data:
        num_vehicles = _as_int(data["vehicles"], f"{source}: VEHICLES")
    else:
        num_vehicles = min(len(jobs), routes_bound((j.demand[0] for j in jobs), capacity))
    vehicles = tuple(
        Vehicle(id=f"v{k + 1}", capacity=(capacity,), cost_per_km=1.0) for k in range(num_vehicles)
    )
    return Problem(
        depots=(Depot(id="depot", location=locations[depot], time_window=depot_window),),
        vehicles=vehicles,
        jobs=tuple(jobs),
        travel=travel,
    )


def _header(text: str) -> dict[str, str]:
    """The ``KEY : VALUE`` specifications before the first data section (keys lower case)."""
    specs: dict[str, str] = {}
    for line in text.splitlines():
        if "_SECTION" in line or line.strip() == "EOF":
            break
        key, sep, value = line.partition(":")
        if sep:
            specs[key.strip().lower()] = value.strip()
    return specs


def _check_header(specs: dict[str, Any], source: str) -> tuple[str, str]:
    """Reject unsupported TYPE / EDGE_WEIGHT_TYPE early; return both, upper case."""
    kind = str(specs.get("type", "CVRP")).strip().upper()
    if kind not in SUPPORTED_TYPES:
        raise ValueError(f"{source}: TYPE {kind!r} is not supported (expected one of {SUPPORTED_TYPES})")
    ewt = str(specs.get("edge_weight_type", "")).strip().upper()
    if ewt not in SUPPORTED_EDGE_WEIGHT_TYPES:
        raise ValueError(
            f"{source}: EDGE_WEIGHT_TYPE {ewt or '(missing)'!r} is not supported "
            f"(expected one of {SUPPORTED_EDGE_WEIGHT_TYPES})"
        )
    return kind, ewt


def _num_nodes(data: dict[str, Any], ewt: str, source: str) -> int:
    if ewt == "EUC_2D":
        coords = data.get("node_coord")
        if coords is None:
            raise ValueError(f"{source}: NODE_COORD_SECTION is missing")
        n = len(coords)
    else:
        if "edge_weight" not in data:
            raise ValueError(f"{source}: EDGE_WEIGHT_SECTION is missing")
        n = int(np.asarray(data["edge_weight"]).shape[0])
    dim = data.get("dimension")
    if dim is not None and int(dim) != n:
        raise ValueError(f"{source}: DIMENSION is {dim} but the file describes {n} nodes")
    if n < 2:
        raise ValueError(f"{source}: needs a depot and at least one customer")
    return n


def _travel(data: dict[str, Any], ewt: str, n: int, source: str) -> tuple[Travel, list[Location]]:
    if ewt == "EUC_2D":
        coords = np.asarray(data["node_coord"], dtype=np.float64)
        if coords.ndim != 2 or coords.shape[1] != 2:
            raise ValueError(f"{source}: NODE_COORD_SECTION must have two coordinates per node")
        travel = Travel(mode=TravelMode.EUCLIDEAN, scale=1.0, rounding=Rounding.ROUND, speed=1.0)
        return travel, [Location(x=float(x), y=float(y)) for x, y in coords]
    matrix = np.asarray(data["edge_weight"], dtype=np.float64)
    if matrix.shape != (n, n):
        raise ValueError(f"{source}: EDGE_WEIGHT_SECTION must be a {n}x{n} matrix, got {matrix.shape}")
    weights = np.floor(matrix + 0.5).astype(np.int64)
    travel = Travel(mode=TravelMode.EXPLICIT, durations=weights, distances=weights.copy())
    return travel, [Location(matrix_index=i) for i in range(n)]


def _windows(data: dict[str, Any], n: int, source: str) -> list[tuple[int, int]] | None:
    if "time_window" not in data:
        return None
    tw = np.asarray(data["time_window"], dtype=np.float64)
    if tw.shape != (n, 2):
        raise ValueError(f"{source}: TIME_WINDOW_SECTION must have 2 values for each of {n} nodes")
    tw = np.clip(np.rint(tw), 0, MAX_TIME).astype(np.int64)
    return [(int(a), int(b)) for a, b in tw]


def _service_times(data: dict[str, Any], n: int, depot: int, source: str) -> np.ndarray:
    raw = data.get("service_time", 0)
    if isinstance(raw, Number):
        out = np.full(n, round(float(raw)), dtype=np.int64)  # type: ignore[arg-type]
        out[depot] = 0
        return out
    arr = np.asarray(raw, dtype=np.float64).reshape(-1)
    if arr.size != n:
        raise ValueError(f"{source}: SERVICE_TIME_SECTION has {arr.size} rows, expected {n}")
    return np.rint(arr).astype(np.int64)


def _as_int(value: Any, what: str) -> int:
    try:
        f = float(value)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{what} must be a number, got {value!r}") from err
    if not f.is_integer():
        raise ValueError(f"{what} must be an integer, got {value!r}")
    return int(f)
