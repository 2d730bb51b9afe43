import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.longrunning import operations_pb2 as _operations_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.type import latlng_pb2 as _latlng_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Engine(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ENGINE_UNSPECIFIED: _ClassVar[Engine]
    ENGINE_AUTO: _ClassVar[Engine]
    ENGINE_PYVRP: _ClassVar[Engine]
    ENGINE_ORTOOLS: _ClassVar[Engine]
    ENGINE_HGS: _ClassVar[Engine]

class Rounding(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROUNDING_UNSPECIFIED: _ClassVar[Rounding]
    ROUNDING_ROUND: _ClassVar[Rounding]
    ROUNDING_TRUNCATE: _ClassVar[Rounding]
    ROUNDING_CEIL: _ClassVar[Rounding]
ENGINE_UNSPECIFIED: Engine
ENGINE_AUTO: Engine
ENGINE_PYVRP: Engine
ENGINE_ORTOOLS: Engine
ENGINE_HGS: Engine
ROUNDING_UNSPECIFIED: Rounding
ROUNDING_ROUND: Rounding
ROUNDING_TRUNCATE: Rounding
ROUNDING_CEIL: Rounding

class OptimizeRequest(_message.Message):
    __slots__ = ("problem", "parameters", "validate_only", "request_id")
    PROBLEM_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    problem: Problem
    parameters: SolveParameters
    validate_only: bool
    request_id: str
    def __init__(self, problem: _Optional[_Union[Problem, _Mapping]] = ..., parameters: _Optional[_Union[SolveParameters, _Mapping]] = ..., validate_only: _Optional[bool] = ..., request_id: _Optional[str] = ...) -> None: ...

class SolveParameters(_message.Message):
    __slots__ = ("time_limit", "engine", "seed", "max_iterations", "parallelism")
    TIME_LIMIT_FIELD_NUMBER: _ClassVar[int]
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    MAX_ITERATIONS_FIELD_NUMBER: _ClassVar[int]
    PARALLELISM_FIELD_NUMBER: _ClassVar[int]
    time_limit: _duration_pb2.Duration
    engine: Engine
    seed: int
    max_iterations: int
    parallelism: int
    def __init__(self, time_limit: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., engine: _Optional[_Union[Engine, str]] = ..., seed: _Optional[int] = ..., max_iterations: _Optional[int] = ..., parallelism: _Optional[int] = ...) -> None: ...

class Problem(_message.Message):
    __slots__ = ("time_origin", "capacity_dimensions", "depots", "vehicles", "jobs", "shipments", "travel", "drivers")
    TIME_ORIGIN_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_DIMENSIONS_FIELD_NUMBER: _ClassVar[int]
    DEPOTS_FIELD_NUMBER: _ClassVar[int]
    VEHICLES_FIELD_NUMBER: _ClassVar[int]
    JOBS_FIELD_NUMBER: _ClassVar[int]
    SHIPMENTS_FIELD_NUMBER: _ClassVar[int]
    TRAVEL_FIELD_NUMBER: _ClassVar[int]
    DRIVERS_FIELD_NUMBER: _ClassVar[int]
    time_origin: _timestamp_pb2.Timestamp
    capacity_dimensions: _containers.RepeatedScalarFieldContainer[str]
    depots: _containers.RepeatedCompositeFieldContainer[Depot]
    vehicles: _containers.RepeatedCompositeFieldContainer[Vehicle]
    jobs: _containers.RepeatedCompositeFieldContainer[Job]
    shipments: _containers.RepeatedCompositeFieldContainer[Shipment]
    travel: Travel
    drivers: _containers.RepeatedCompositeFieldContainer[Driver]
    def __init__(self, time_origin: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., capacity_dimensions: _Optional[_Iterable[str]] = ..., depots: _Optional[_Iterable[_Union[Depot, _Mapping]]] = ..., vehicles: _Optional[_Iterable[_Union[Vehicle, _Mapping]]] = ..., jobs: _Optional[_Iterable[_Union[Job, _Mapping]]] = ..., shipments: _Optional[_Iterable[_Union[Shipment, _Mapping]]] = ..., travel: _Optional[_Union[Travel, _Mapping]] = ..., drivers: _Optional[_Iterable[_Union[Driver, _Mapping]]] = ...) -> None: ...

class Point(_message.Message):
    __slots__ = ("x", "y")
    X_FIELD_NUMBER: _ClassVar[int]
    Y_FIELD_NUMBER: _ClassVar[int]
    x: float
    y: float
    def __init__(self, x: _Optional[float] = ..., y: _Optional[float] = ...) -> None: ...

class Location(_message.Message):
    __slots__ = ("lat_lng", "point", "matrix_index")
    LAT_LNG_FIELD_NUMBER: _ClassVar[int]
    POINT_FIELD_NUMBER: _ClassVar[int]
    MATRIX_INDEX_FIELD_NUMBER: _ClassVar[int]
    lat_lng: _latlng_pb2.LatLng
    point: Point
    matrix_index: int
    def __init__(self, lat_lng: _Optional[_Union[_latlng_pb2.LatLng, _Mapping]] = ..., point: _Optional[_Union[Point, _Mapping]] = ..., matrix_index: _Optional[int] = ...) -> None: ...

class TimeWindow(_message.Message):
    __slots__ = ("start_offset", "end_offset")
    START_OFFSET_FIELD_NUMBER: _ClassVar[int]
    END_OFFSET_FIELD_NUMBER: _ClassVar[int]
    start_offset: _duration_pb2.Duration
    end_offset: _duration_pb2.Duration
    def __init__(self, start_offset: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., end_offset: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class Depot(_message.Message):
    __slots__ = ("id", "display_name", "location", "time_window", "reload_duration")
    ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    TIME_WINDOW_FIELD_NUMBER: _ClassVar[int]
    RELOAD_DURATION_FIELD_NUMBER: _ClassVar[int]
    id: str
    display_name: str
    location: Location
    time_window: TimeWindow
    reload_duration: _duration_pb2.Duration
    def __init__(self, id: _Optional[str] = ..., display_name: _Optional[str] = ..., location: _Optional[_Union[Location, _Mapping]] = ..., time_window: _Optional[_Union[TimeWindow, _Mapping]] = ..., reload_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class Vehicle(_message.Message):
    __slots__ = ("id", "display_name", "capacity", "start_depot_id", "end_depot_id", "shift", "fixed_cost", "cost_per_km", "cost_per_hour", "max_duration", "max_distance_meters", "vehicle_class", "skills", "max_trips", "driving_rules", "gross_weight_kg", "payload_kg")
    ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    START_DEPOT_ID_FIELD_NUMBER: _ClassVar[int]
    END_DEPOT_ID_FIELD_NUMBER: _ClassVar[int]
    SHIFT_FIELD_NUMBER: _ClassVar[int]
    FIXED_COST_FIELD_NUMBER: _ClassVar[int]
    COST_PER_KM_FIELD_NUMBER: _ClassVar[int]
    COST_PER_HOUR_FIELD_NUMBER: _ClassVar[int]
    MAX_DURATION_FIELD_NUMBER: _ClassVar[int]
    MAX_DISTANCE_METERS_FIELD_NUMBER: _ClassVar[int]
    VEHICLE_CLASS_FIELD_NUMBER: _ClassVar[int]
    SKILLS_FIELD_NUMBER: _ClassVar[int]
    MAX_TRIPS_FIELD_NUMBER: _ClassVar[int]
    DRIVING_RULES_FIELD_NUMBER: _ClassVar[int]
    GROSS_WEIGHT_KG_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_KG_FIELD_NUMBER: _ClassVar[int]
    id: str
    display_name: str
    capacity: _containers.RepeatedScalarFieldContainer[int]
    start_depot_id: str
    end_depot_id: str
    shift: TimeWindow
    fixed_cost: float
    cost_per_km: float
    cost_per_hour: float
    max_duration: _duration_pb2.Duration
    max_distance_meters: int
    vehicle_class: str
    skills: _containers.RepeatedScalarFieldContainer[str]
    max_trips: int
    driving_rules: DrivingRules
    gross_weight_kg: int
    payload_kg: int
    def __init__(self, id: _Optional[str] = ..., display_name: _Optional[str] = ..., capacity: _Optional[_Iterable[int]] = ..., start_depot_id: _Optional[str] = ..., end_depot_id: _Optional[str] = ..., shift: _Optional[_Union[TimeWindow, _Mapping]] = ..., fixed_cost: _Optional[float] = ..., cost_per_km: _Optional[float] = ..., cost_per_hour: _Optional[float] = ..., max_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., max_distance_meters: _Optional[int] = ..., vehicle_class: _Optional[str] = ..., skills: _Optional[_Iterable[str]] = ..., max_trips: _Optional[int] = ..., driving_rules: _Optional[_Union[DrivingRules, _Mapping]] = ..., gross_weight_kg: _Optional[int] = ..., payload_kg: _Optional[int] = ...) -> None: ...

class Driver(_message.Message):
    __slots__ = ("id", "display_name", "licence", "driving_rules")
    ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    LICENCE_FIELD_NUMBER: _ClassVar[int]
    DRIVING_RULES_FIELD_NUMBER: _ClassVar[int]
    id: str
    display_name: str
    licence: str
    driving_rules: DrivingRules
    def __init__(self, id: _Optional[str] = ..., display_name: _Optional[str] = ..., licence: _Optional[str] = ..., driving_rules: _Optional[_Union[DrivingRules, _Mapping]] = ...) -> None: ...

class DrivingRules(_message.Message):
    __slots__ = ("off", "max_continuous_driving", "break_total", "break_min_part", "max_restraint", "hard_max_restraint", "max_daily_driving", "wait_counts_as_break")
    OFF_FIELD_NUMBER: _ClassVar[int]
    MAX_CONTINUOUS_DRIVING_FIELD_NUMBER: _ClassVar[int]
    BREAK_TOTAL_FIELD_NUMBER: _ClassVar[int]
    BREAK_MIN_PART_FIELD_NUMBER: _ClassVar[int]
    MAX_RESTRAINT_FIELD_NUMBER: _ClassVar[int]
    HARD_MAX_RESTRAINT_FIELD_NUMBER: _ClassVar[int]
    MAX_DAILY_DRIVING_FIELD_NUMBER: _ClassVar[int]
    WAIT_COUNTS_AS_BREAK_FIELD_NUMBER: _ClassVar[int]
    off: bool
    max_continuous_driving: _duration_pb2.Duration
    break_total: _duration_pb2.Duration
    break_min_part: _duration_pb2.Duration
    max_restraint: _duration_pb2.Duration
    hard_max_restraint: _duration_pb2.Duration
    max_daily_driving: _duration_pb2.Duration
    wait_counts_as_break: bool
    def __init__(self, off: _Optional[bool] = ..., max_continuous_driving: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., break_total: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., break_min_part: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., max_restraint: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., hard_max_restraint: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., max_daily_driving: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., wait_counts_as_break: _Optional[bool] = ...) -> None: ...

class Job(_message.Message):
    __slots__ = ("id", "display_name", "type", "location", "service_duration", "time_windows", "demand", "allowed_vehicle_classes", "required_skills", "penalty")
    class Type(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        TYPE_UNSPECIFIED: _ClassVar[Job.Type]
        DELIVERY: _ClassVar[Job.Type]
        PICKUP: _ClassVar[Job.Type]
    TYPE_UNSPECIFIED: Job.Type
    DELIVERY: Job.Type
    PICKUP: Job.Type
    ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    SERVICE_DURATION_FIELD_NUMBER: _ClassVar[int]
    TIME_WINDOWS_FIELD_NUMBER: _ClassVar[int]
    DEMAND_FIELD_NUMBER: _ClassVar[int]
    ALLOWED_VEHICLE_CLASSES_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_SKILLS_FIELD_NUMBER: _ClassVar[int]
    PENALTY_FIELD_NUMBER: _ClassVar[int]
    id: str
    display_name: str
    type: Job.Type
    location: Location
    service_duration: _duration_pb2.Duration
    time_windows: _containers.RepeatedCompositeFieldContainer[TimeWindow]
    demand: _containers.RepeatedScalarFieldContainer[int]
    allowed_vehicle_classes: _containers.RepeatedScalarFieldContainer[str]
    required_skills: _containers.RepeatedScalarFieldContainer[str]
    penalty: float
    def __init__(self, id: _Optional[str] = ..., display_name: _Optional[str] = ..., type: _Optional[_Union[Job.Type, str]] = ..., location: _Optional[_Union[Location, _Mapping]] = ..., service_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., time_windows: _Optional[_Iterable[_Union[TimeWindow, _Mapping]]] = ..., demand: _Optional[_Iterable[int]] = ..., allowed_vehicle_classes: _Optional[_Iterable[str]] = ..., required_skills: _Optional[_Iterable[str]] = ..., penalty: _Optional[float] = ...) -> None: ...

class ShipmentStop(_message.Message):
    __slots__ = ("location", "service_duration", "time_windows")
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    SERVICE_DURATION_FIELD_NUMBER: _ClassVar[int]
    TIME_WINDOWS_FIELD_NUMBER: _ClassVar[int]
    location: Location
    service_duration: _duration_pb2.Duration
    time_windows: _containers.RepeatedCompositeFieldContainer[TimeWindow]
    def __init__(self, location: _Optional[_Union[Location, _Mapping]] = ..., service_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., time_windows: _Optional[_Iterable[_Union[TimeWindow, _Mapping]]] = ...) -> None: ...

class Shipment(_message.Message):
    __slots__ = ("id", "display_name", "pickup", "delivery", "demand", "allowed_vehicle_classes", "required_skills", "penalty")
    ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    PICKUP_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_FIELD_NUMBER: _ClassVar[int]
    DEMAND_FIELD_NUMBER: _ClassVar[int]
    ALLOWED_VEHICLE_CLASSES_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_SKILLS_FIELD_NUMBER: _ClassVar[int]
    PENALTY_FIELD_NUMBER: _ClassVar[int]
    id: str
    display_name: str
    pickup: ShipmentStop
    delivery: ShipmentStop
    demand: _containers.RepeatedScalarFieldContainer[int]
    allowed_vehicle_classes: _containers.RepeatedScalarFieldContainer[str]
    required_skills: _containers.RepeatedScalarFieldContainer[str]
    penalty: float
    def __init__(self, id: _Optional[str] = ..., display_name: _Optional[str] = ..., pickup: _Optional[_Union[ShipmentStop, _Mapping]] = ..., delivery: _Optional[_Union[ShipmentStop, _Mapping]] = ..., demand: _Optional[_Iterable[int]] = ..., allowed_vehicle_classes: _Optional[_Iterable[str]] = ..., required_skills: _Optional[_Iterable[str]] = ..., penalty: _Optional[float] = ...) -> None: ...

class Travel(_message.Message):
    __slots__ = ("matrices", "euclidean", "haversine", "road")
    MATRICES_FIELD_NUMBER: _ClassVar[int]
    EUCLIDEAN_FIELD_NUMBER: _ClassVar[int]
    HAVERSINE_FIELD_NUMBER: _ClassVar[int]
    ROAD_FIELD_NUMBER: _ClassVar[int]
    matrices: ExplicitMatrices
    euclidean: EuclideanTravel
    haversine: HaversineTravel
    road: RoadTravel
    def __init__(self, matrices: _Optional[_Union[ExplicitMatrices, _Mapping]] = ..., euclidean: _Optional[_Union[EuclideanTravel, _Mapping]] = ..., haversine: _Optional[_Union[HaversineTravel, _Mapping]] = ..., road: _Optional[_Union[RoadTravel, _Mapping]] = ...) -> None: ...

class RoadTravel(_message.Message):
    __slots__ = ("graph", "max_snap_meters")
    GRAPH_FIELD_NUMBER: _ClassVar[int]
    MAX_SNAP_METERS_FIELD_NUMBER: _ClassVar[int]
    graph: str
    max_snap_meters: float
    def __init__(self, graph: _Optional[str] = ..., max_snap_meters: _Optional[float] = ...) -> None: ...

class ExplicitMatrices(_message.Message):
    __slots__ = ("size", "durations_seconds", "distances_meters")
    SIZE_FIELD_NUMBER: _ClassVar[int]
    DURATIONS_SECONDS_FIELD_NUMBER: _ClassVar[int]
    DISTANCES_METERS_FIELD_NUMBER: _ClassVar[int]
    size: int
    durations_seconds: _containers.RepeatedScalarFieldContainer[int]
    distances_meters: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, size: _Optional[int] = ..., durations_seconds: _Optional[_Iterable[int]] = ..., distances_meters: _Optional[_Iterable[int]] = ...) -> None: ...

class EuclideanTravel(_message.Message):
    __slots__ = ("scale", "rounding", "speed_meters_per_second")
    SCALE_FIELD_NUMBER: _ClassVar[int]
    ROUNDING_FIELD_NUMBER: _ClassVar[int]
    SPEED_METERS_PER_SECOND_FIELD_NUMBER: _ClassVar[int]
    scale: float
    rounding: Rounding
    speed_meters_per_second: float
    def __init__(self, scale: _Optional[float] = ..., rounding: _Optional[_Union[Rounding, str]] = ..., speed_meters_per_second: _Optional[float] = ...) -> None: ...

class HaversineTravel(_message.Message):
    __slots__ = ("speed_kilometers_per_hour", "detour_factor")
    SPEED_KILOMETERS_PER_HOUR_FIELD_NUMBER: _ClassVar[int]
    DETOUR_FACTOR_FIELD_NUMBER: _ClassVar[int]
    speed_kilometers_per_hour: float
    detour_factor: float
    def __init__(self, speed_kilometers_per_hour: _Optional[float] = ..., detour_factor: _Optional[float] = ...) -> None: ...

class OptimizeResponse(_message.Message):
    __slots__ = ("solution", "stats")
    SOLUTION_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    solution: Solution
    stats: SolverStats
    def __init__(self, solution: _Optional[_Union[Solution, _Mapping]] = ..., stats: _Optional[_Union[SolverStats, _Mapping]] = ...) -> None: ...

class OptimizeProgress(_message.Message):
    __slots__ = ("solution", "stats", "final")
    SOLUTION_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    FINAL_FIELD_NUMBER: _ClassVar[int]
    solution: Solution
    stats: SolverStats
    final: bool
    def __init__(self, solution: _Optional[_Union[Solution, _Mapping]] = ..., stats: _Optional[_Union[SolverStats, _Mapping]] = ..., final: _Optional[bool] = ...) -> None: ...

class OptimizeMetadata(_message.Message):
    __slots__ = ("state", "create_time", "update_time", "best_cost", "improvements", "jobs", "vehicles")
    class State(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATE_UNSPECIFIED: _ClassVar[OptimizeMetadata.State]
        QUEUED: _ClassVar[OptimizeMetadata.State]
        RUNNING: _ClassVar[OptimizeMetadata.State]
        SUCCEEDED: _ClassVar[OptimizeMetadata.State]
        FAILED: _ClassVar[OptimizeMetadata.State]
        CANCELLED: _ClassVar[OptimizeMetadata.State]
    STATE_UNSPECIFIED: OptimizeMetadata.State
    QUEUED: OptimizeMetadata.State
    RUNNING: OptimizeMetadata.State
    SUCCEEDED: OptimizeMetadata.State
    FAILED: OptimizeMetadata.State
    CANCELLED: OptimizeMetadata.State
    STATE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    BEST_COST_FIELD_NUMBER: _ClassVar[int]
    IMPROVEMENTS_FIELD_NUMBER: _ClassVar[int]
    JOBS_FIELD_NUMBER: _ClassVar[int]
    VEHICLES_FIELD_NUMBER: _ClassVar[int]
    state: OptimizeMetadata.State
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    best_cost: float
    improvements: int
    jobs: int
    vehicles: int
    def __init__(self, state: _Optional[_Union[OptimizeMetadata.State, str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., best_cost: _Optional[float] = ..., improvements: _Optional[int] = ..., jobs: _Optional[int] = ..., vehicles: _Optional[int] = ...) -> None: ...

class Solution(_message.Message):
    __slots__ = ("routes", "unassigned_jobs", "cost", "totals")
    ROUTES_FIELD_NUMBER: _ClassVar[int]
    UNASSIGNED_JOBS_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    TOTALS_FIELD_NUMBER: _ClassVar[int]
    routes: _containers.RepeatedCompositeFieldContainer[Route]
    unassigned_jobs: _containers.RepeatedCompositeFieldContainer[UnassignedJob]
    cost: CostBreakdown
    totals: Totals
    def __init__(self, routes: _Optional[_Iterable[_Union[Route, _Mapping]]] = ..., unassigned_jobs: _Optional[_Iterable[_Union[UnassignedJob, _Mapping]]] = ..., cost: _Optional[_Union[CostBreakdown, _Mapping]] = ..., totals: _Optional[_Union[Totals, _Mapping]] = ...) -> None: ...

class Step(_message.Message):
    __slots__ = ("type", "id", "arrival_offset", "start_offset", "departure_offset", "arrival_time", "start_time", "departure_time", "waiting", "load_after", "distance_from_previous_meters", "travel_from_previous", "trip")
    class Type(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        TYPE_UNSPECIFIED: _ClassVar[Step.Type]
        START: _ClassVar[Step.Type]
        DELIVERY: _ClassVar[Step.Type]
        PICKUP: _ClassVar[Step.Type]
        SHIPMENT_PICKUP: _ClassVar[Step.Type]
        SHIPMENT_DELIVERY: _ClassVar[Step.Type]
        RELOAD: _ClassVar[Step.Type]
        END: _ClassVar[Step.Type]
        BREAK: _ClassVar[Step.Type]
    TYPE_UNSPECIFIED: Step.Type
    START: Step.Type
    DELIVERY: Step.Type
    PICKUP: Step.Type
    SHIPMENT_PICKUP: Step.Type
    SHIPMENT_DELIVERY: Step.Type
    RELOAD: Step.Type
    END: Step.Type
    BREAK: Step.Type
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    ARRIVAL_OFFSET_FIELD_NUMBER: _ClassVar[int]
    START_OFFSET_FIELD_NUMBER: _ClassVar[int]
    DEPARTURE_OFFSET_FIELD_NUMBER: _ClassVar[int]
    ARRIVAL_TIME_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    DEPARTURE_TIME_FIELD_NUMBER: _ClassVar[int]
    WAITING_FIELD_NUMBER: _ClassVar[int]
    LOAD_AFTER_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_FROM_PREVIOUS_METERS_FIELD_NUMBER: _ClassVar[int]
    TRAVEL_FROM_PREVIOUS_FIELD_NUMBER: _ClassVar[int]
    TRIP_FIELD_NUMBER: _ClassVar[int]
    type: Step.Type
    id: str
    arrival_offset: _duration_pb2.Duration
    start_offset: _duration_pb2.Duration
    departure_offset: _duration_pb2.Duration
    arrival_time: _timestamp_pb2.Timestamp
    start_time: _timestamp_pb2.Timestamp
    departure_time: _timestamp_pb2.Timestamp
    waiting: _duration_pb2.Duration
    load_after: _containers.RepeatedScalarFieldContainer[int]
    distance_from_previous_meters: int
    travel_from_previous: _duration_pb2.Duration
    trip: int
    def __init__(self, type: _Optional[_Union[Step.Type, str]] = ..., id: _Optional[str] = ..., arrival_offset: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., start_offset: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., departure_offset: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., arrival_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., departure_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., waiting: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., load_after: _Optional[_Iterable[int]] = ..., distance_from_previous_meters: _Optional[int] = ..., travel_from_previous: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., trip: _Optional[int] = ...) -> None: ...

class Route(_message.Message):
    __slots__ = ("vehicle_id", "steps", "distance_meters", "duration", "travel_duration", "service_duration", "waiting_duration", "trips", "cost", "driver_id")
    VEHICLE_ID_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_METERS_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    TRAVEL_DURATION_FIELD_NUMBER: _ClassVar[int]
    SERVICE_DURATION_FIELD_NUMBER: _ClassVar[int]
    WAITING_DURATION_FIELD_NUMBER: _ClassVar[int]
    TRIPS_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    DRIVER_ID_FIELD_NUMBER: _ClassVar[int]
    vehicle_id: str
    steps: _containers.RepeatedCompositeFieldContainer[Step]
    distance_meters: int
    duration: _duration_pb2.Duration
    travel_duration: _duration_pb2.Duration
    service_duration: _duration_pb2.Duration
    waiting_duration: _duration_pb2.Duration
    trips: int
    cost: float
    driver_id: str
    def __init__(self, vehicle_id: _Optional[str] = ..., steps: _Optional[_Iterable[_Union[Step, _Mapping]]] = ..., distance_meters: _Optional[int] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., travel_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., service_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., waiting_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., trips: _Optional[int] = ..., cost: _Optional[float] = ..., driver_id: _Optional[str] = ...) -> None: ...

class UnassignedJob(_message.Message):
    __slots__ = ("id", "is_shipment", "reason", "message", "message_ja")
    class Reason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        REASON_UNSPECIFIED: _ClassVar[UnassignedJob.Reason]
        NO_COMPATIBLE_VEHICLE: _ClassVar[UnassignedJob.Reason]
        CAPACITY: _ClassVar[UnassignedJob.Reason]
        TIME_WINDOW: _ClassVar[UnassignedJob.Reason]
        SHIFT: _ClassVar[UnassignedJob.Reason]
        MAX_DURATION: _ClassVar[UnassignedJob.Reason]
        MAX_DISTANCE: _ClassVar[UnassignedJob.Reason]
        NOT_WORTH_ITS_PENALTY: _ClassVar[UnassignedJob.Reason]
        FLEET_FULL: _ClassVar[UnassignedJob.Reason]
        DRIVING_TIME_RULES: _ClassVar[UnassignedJob.Reason]
    REASON_UNSPECIFIED: UnassignedJob.Reason
    NO_COMPATIBLE_VEHICLE: UnassignedJob.Reason
    CAPACITY: UnassignedJob.Reason
    TIME_WINDOW: UnassignedJob.Reason
    SHIFT: UnassignedJob.Reason
    MAX_DURATION: UnassignedJob.Reason
    MAX_DISTANCE: UnassignedJob.Reason
    NOT_WORTH_ITS_PENALTY: UnassignedJob.Reason
    FLEET_FULL: UnassignedJob.Reason
    DRIVING_TIME_RULES: UnassignedJob.Reason
    ID_FIELD_NUMBER: _ClassVar[int]
    IS_SHIPMENT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_JA_FIELD_NUMBER: _ClassVar[int]
    id: str
    is_shipment: bool
    reason: UnassignedJob.Reason
    message: str
    message_ja: str
    def __init__(self, id: _Optional[str] = ..., is_shipment: _Optional[bool] = ..., reason: _Optional[_Union[UnassignedJob.Reason, str]] = ..., message: _Optional[str] = ..., message_ja: _Optional[str] = ...) -> None: ...

class CostBreakdown(_message.Message):
    __slots__ = ("fixed", "distance", "duration", "penalty", "total")
    FIXED_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    PENALTY_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    fixed: float
    distance: float
    duration: float
    penalty: float
    total: float
    def __init__(self, fixed: _Optional[float] = ..., distance: _Optional[float] = ..., duration: _Optional[float] = ..., penalty: _Optional[float] = ..., total: _Optional[float] = ...) -> None: ...

class Totals(_message.Message):
    __slots__ = ("distance_meters", "duration", "vehicles_used", "jobs_served", "jobs_unassigned")
    DISTANCE_METERS_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    VEHICLES_USED_FIELD_NUMBER: _ClassVar[int]
    JOBS_SERVED_FIELD_NUMBER: _ClassVar[int]
    JOBS_UNASSIGNED_FIELD_NUMBER: _ClassVar[int]
    distance_meters: int
    duration: _duration_pb2.Duration
    vehicles_used: int
    jobs_served: int
    jobs_unassigned: int
    def __init__(self, distance_meters: _Optional[int] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., vehicles_used: _Optional[int] = ..., jobs_served: _Optional[int] = ..., jobs_unassigned: _Optional[int] = ...) -> None: ...

class SolverStats(_message.Message):
    __slots__ = ("engine", "engine_reason", "wall_time", "time_to_first_feasible", "iterations", "runs", "improvements")
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    ENGINE_REASON_FIELD_NUMBER: _ClassVar[int]
    WALL_TIME_FIELD_NUMBER: _ClassVar[int]
    TIME_TO_FIRST_FEASIBLE_FIELD_NUMBER: _ClassVar[int]
    ITERATIONS_FIELD_NUMBER: _ClassVar[int]
    RUNS_FIELD_NUMBER: _ClassVar[int]
    IMPROVEMENTS_FIELD_NUMBER: _ClassVar[int]
    engine: str
    engine_reason: str
    wall_time: _duration_pb2.Duration
    time_to_first_feasible: _duration_pb2.Duration
    iterations: int
    runs: int
    improvements: int
    def __init__(self, engine: _Optional[str] = ..., engine_reason: _Optional[str] = ..., wall_time: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., time_to_first_feasible: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., iterations: _Optional[int] = ..., runs: _Optional[int] = ..., improvements: _Optional[int] = ...) -> None: ...

class ValidatePlanRequest(_message.Message):
    __slots__ = ("problem", "routes", "require_all_jobs")
    PROBLEM_FIELD_NUMBER: _ClassVar[int]
    ROUTES_FIELD_NUMBER: _ClassVar[int]
    REQUIRE_ALL_JOBS_FIELD_NUMBER: _ClassVar[int]
    problem: Problem
    routes: _containers.RepeatedCompositeFieldContainer[PlannedRoute]
    require_all_jobs: bool
    def __init__(self, problem: _Optional[_Union[Problem, _Mapping]] = ..., routes: _Optional[_Iterable[_Union[PlannedRoute, _Mapping]]] = ..., require_all_jobs: _Optional[bool] = ...) -> None: ...

class PlannedRoute(_message.Message):
    __slots__ = ("vehicle_id", "visits", "driver_id")
    VEHICLE_ID_FIELD_NUMBER: _ClassVar[int]
    VISITS_FIELD_NUMBER: _ClassVar[int]
    DRIVER_ID_FIELD_NUMBER: _ClassVar[int]
    vehicle_id: str
    visits: _containers.RepeatedCompositeFieldContainer[PlannedVisit]
    driver_id: str
    def __init__(self, vehicle_id: _Optional[str] = ..., visits: _Optional[_Iterable[_Union[PlannedVisit, _Mapping]]] = ..., driver_id: _Optional[str] = ...) -> None: ...

class PlannedVisit(_message.Message):
    __slots__ = ("type", "id")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    type: Step.Type
    id: str
    def __init__(self, type: _Optional[_Union[Step.Type, str]] = ..., id: _Optional[str] = ...) -> None: ...

class PlanViolation(_message.Message):
    __slots__ = ("code", "message", "message_ja", "route_index", "step_index", "job_id", "vehicle_id", "dimension", "amount", "limit")
    class Code(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        CODE_UNSPECIFIED: _ClassVar[PlanViolation.Code]
        CAPACITY: _ClassVar[PlanViolation.Code]
        TIME_WINDOW: _ClassVar[PlanViolation.Code]
        SHIFT: _ClassVar[PlanViolation.Code]
        MAX_DURATION: _ClassVar[PlanViolation.Code]
        MAX_DISTANCE: _ClassVar[PlanViolation.Code]
        VEHICLE_CLASS: _ClassVar[PlanViolation.Code]
        SKILL: _ClassVar[PlanViolation.Code]
        DUPLICATE_VISIT: _ClassVar[PlanViolation.Code]
        PICKUP_DELIVERY: _ClassVar[PlanViolation.Code]
        UNKNOWN_VISIT: _ClassVar[PlanViolation.Code]
        UNKNOWN_VEHICLE: _ClassVar[PlanViolation.Code]
        VEHICLE_REUSED: _ClassVar[PlanViolation.Code]
        RELOAD_NOT_ALLOWED: _ClassVar[PlanViolation.Code]
        REQUIRED_JOB_MISSING: _ClassVar[PlanViolation.Code]
        CONTINUOUS_DRIVING: _ClassVar[PlanViolation.Code]
        RESTRAINT: _ClassVar[PlanViolation.Code]
        DAILY_DRIVING: _ClassVar[PlanViolation.Code]
        LICENCE: _ClassVar[PlanViolation.Code]
        DRIVER_REUSED: _ClassVar[PlanViolation.Code]
        UNKNOWN_DRIVER: _ClassVar[PlanViolation.Code]
        DRIVER_MISSING: _ClassVar[PlanViolation.Code]
    CODE_UNSPECIFIED: PlanViolation.Code
    CAPACITY: PlanViolation.Code
    TIME_WINDOW: PlanViolation.Code
    SHIFT: PlanViolation.Code
    MAX_DURATION: PlanViolation.Code
    MAX_DISTANCE: PlanViolation.Code
    VEHICLE_CLASS: PlanViolation.Code
    SKILL: PlanViolation.Code
    DUPLICATE_VISIT: PlanViolation.Code
    PICKUP_DELIVERY: PlanViolation.Code
    UNKNOWN_VISIT: PlanViolation.Code
    UNKNOWN_VEHICLE: PlanViolation.Code
    VEHICLE_REUSED: PlanViolation.Code
    RELOAD_NOT_ALLOWED: PlanViolation.Code
    REQUIRED_JOB_MISSING: PlanViolation.Code
    CONTINUOUS_DRIVING: PlanViolation.Code
    RESTRAINT: PlanViolation.Code
    DAILY_DRIVING: PlanViolation.Code
    LICENCE: PlanViolation.Code
    DRIVER_REUSED: PlanViolation.Code
    UNKNOWN_DRIVER: PlanViolation.Code
    DRIVER_MISSING: PlanViolation.Code
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_JA_FIELD_NUMBER: _ClassVar[int]
    ROUTE_INDEX_FIELD_NUMBER: _ClassVar[int]
    STEP_INDEX_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    VEHICLE_ID_FIELD_NUMBER: _ClassVar[int]
    DIMENSION_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    code: PlanViolation.Code
    message: str
    message_ja: str
    route_index: int
    step_index: int
    job_id: str
    vehicle_id: str
    dimension: str
    amount: int
    limit: int
    def __init__(self, code: _Optional[_Union[PlanViolation.Code, str]] = ..., message: _Optional[str] = ..., message_ja: _Optional[str] = ..., route_index: _Optional[int] = ..., step_index: _Optional[int] = ..., job_id: _Optional[str] = ..., vehicle_id: _Optional[str] = ..., dimension: _Optional[str] = ..., amount: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class ValidatePlanResponse(_message.Message):
    __slots__ = ("feasible", "violations", "solution")
    FEASIBLE_FIELD_NUMBER: _ClassVar[int]
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    SOLUTION_FIELD_NUMBER: _ClassVar[int]
    feasible: bool
    violations: _containers.RepeatedCompositeFieldContainer[PlanViolation]
    solution: Solution
    def __init__(self, feasible: _Optional[bool] = ..., violations: _Optional[_Iterable[_Union[PlanViolation, _Mapping]]] = ..., solution: _Optional[_Union[Solution, _Mapping]] = ...) -> None: ...
