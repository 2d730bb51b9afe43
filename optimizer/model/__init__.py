"""The routing problem and its plan, as plain validated data.

Units everywhere in this package: time in integer seconds measured from the
problem's time origin, distance in integer metres, money in the caller's
currency (floats). Benchmark readers map their own conventions onto these
units (see ``optimizer.io``). Nothing here knows about gRPC, SQL or HTTP.

The package: ``parts`` (depots, vehicles, jobs, travel…, the size limits and
:class:`ModelError`), ``problem`` (:class:`Problem`, which validates itself when
built), ``plan`` (nodes, visits and routes).
"""

from optimizer.model.parts import (
    MAX_DEPOTS,
    MAX_DIMENSIONS,
    MAX_JOBS,
    MAX_TIME,
    MAX_VEHICLES,
    Depot,
    Driver,
    Job,
    JobKind,
    Location,
    ModelError,
    Rounding,
    Shipment,
    Stop,
    TimeWindow,
    Travel,
    TravelMode,
    UnknownResourceError,
    Vehicle,
)
from optimizer.model.plan import Node, NodeKind, Plan, RoutePlan, Visit
from optimizer.model.problem import Problem, validate

__all__ = [
    "MAX_DEPOTS",
    "MAX_DIMENSIONS",
    "MAX_JOBS",
    "MAX_TIME",
    "MAX_VEHICLES",
    "Depot",
    "Driver",
    "Job",
    "JobKind",
    "Location",
    "ModelError",
    "Node",
    "NodeKind",
    "Plan",
    "Problem",
    "Rounding",
    "RoutePlan",
    "Shipment",
    "Stop",
    "TimeWindow",
    "Travel",
    "TravelMode",
    "UnknownResourceError",
    "Vehicle",
    "Visit",
    "validate",
]
