"""Read Solomon (1987) VRPTW text files into a Problem.

Convention (the "DIMACS" one used by CVRPLIB's best-known solutions): distances
and travel times are the Euclidean distance truncated to one decimal, so the
model works in tenths — ``Travel(EUCLIDEAN, scale=10, rounding=TRUNCATE)`` —
and every time value and service duration in the file is multiplied by 10.
Service must start within ``[ready, due]``; the depot's window bounds when
routes leave and return. The fleet is ``VEHICLE NUMBER`` vehicles of the given
``CAPACITY`` (ids ``"v1", ...``); job ids are the customer numbers of the file.
"""

from __future__ import annotations

import os
from pathlib import Path

from optimizer.model import (
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

#: Model units per unit of the file (distances and times are kept in tenths).
SOLOMON_SCALE = 10


def read_solomon(path: str | os.PathLike[str]) -> Problem:
    """Read a Solomon-format VRPTW instance.

    Raises ``FileNotFoundError`` for a missing file and ``ValueError`` (naming
    the file and line) for a file that is not in the Solomon format.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"Solomon instance not found: {p}")
    try:
        text = p.read_text()
    except UnicodeDecodeError as err:
        raise ValueError(f"{p}: not a Solomon instance (not a text file)") from err
    return parse_solomon(text, source=str(p))


def parse_solomon(text: str, source: str = "<solomon>") -> Problem:
    """Parse the text of a Solomon instance (see :func:`read_solomon`)."""
    lines = [(i + 1, line.split()) for i, line in enumerate(text.splitlines())]
    lines = [(no, fields) for no, fields in lines if fields]
    fleet_at = _find_header(lines, ("NUMBER", "CAPACITY"), source)
    rows_at = _find_header(lines, ("CUST", "XCOORD."), source)
    if not fleet_at < rows_at:
        raise ValueError(f"{source}: the VEHICLE section must come before the CUSTOMER section")
    no, fleet = lines[fleet_at + 1]
    if len(fleet) != 2:
        raise ValueError(f"{source}:{no}: expected 'vehicle number, capacity', got {' '.join(fleet)!r}")
    num_vehicles = _int(fleet[0], source, no)
    capacity = _int(fleet[1], source, no)
    if num_vehicles < 1:
        raise ValueError(f"{source}:{no}: the vehicle number must be at least 1")

    nodes = [_node(fields, source, no) for no, fields in lines[rows_at + 1 :]]
    if len(nodes) < 2:
        raise ValueError(f"{source}: needs the depot row and at least one customer row")
    depot_row = nodes[0]
    depot = Depot(
        id=str(depot_row.id),
        location=Location(x=depot_row.x, y=depot_row.y),
        time_window=TimeWindow(depot_row.ready, depot_row.due),
    )
    jobs = tuple(
        Job(
            id=str(r.id),
            stop=Stop(
                location=Location(x=r.x, y=r.y),
                service_duration=r.service,
                time_windows=(TimeWindow(r.ready, r.due),),
            ),
            demand=(r.demand,),
        )
        for r in nodes[1:]
    )
    vehicles = tuple(
        Vehicle(id=f"v{k + 1}", capacity=(capacity,), cost_per_km=1.0) for k in range(num_vehicles)
    )
    travel = Travel(
        mode=TravelMode.EUCLIDEAN, scale=float(SOLOMON_SCALE), rounding=Rounding.TRUNCATE, speed=1.0
    )
    return Problem(depots=(depot,), vehicles=vehicles, jobs=jobs, travel=travel)


class _Row:
    __slots__ = ("demand", "due", "id", "ready", "service", "x", "y")

    def __init__(self, id: int, x: float, y: float, demand: int, ready: int, due: int, service: int):
        self.id, self.x, self.y, self.demand = id, x, y, demand
        self.ready, self.due, self.service = ready, due, service


def _node(fields: list[str], source: str, no: int) -> _Row:
    if len(fields) != 7:
        raise ValueError(
            f"{source}:{no}: expected 7 values (id, x, y, demand, ready, due, service), got {len(fields)}"
        )
    return _Row(
        id=_int(fields[0], source, no),
        x=_float(fields[1], source, no),
        y=_float(fields[2], source, no),
        demand=_int(fields[3], source, no),
        ready=_time(fields[4], source, no),
        due=_time(fields[5], source, no),
        service=_time(fields[6], source, no),
    )


def _find_header(lines: list[tuple[int, list[str]]], words: tuple[str, ...], source: str) -> int:
    for k, (_, fields) in enumerate(lines):
        upper = [f.upper() for f in fields]
        if all(w in upper for w in words):
            return k
    raise ValueError(f"{source}: not a Solomon instance (no header line with {' and '.join(words)})")


def _float(text: str, source: str, no: int) -> float:
    try:
        return float(text)
    except ValueError as err:
        raise ValueError(f"{source}:{no}: {text!r} is not a number") from err


def _int(text: str, source: str, no: int) -> int:
    value = _float(text, source, no)
    if not value.is_integer():
        raise ValueError(f"{source}:{no}: {text!r} is not an integer")
    return int(value)


def _time(text: str, source: str, no: int) -> int:
    """A time value of the file in model units (tenths)."""
    return round(_float(text, source, no) * SOLOMON_SCALE)
