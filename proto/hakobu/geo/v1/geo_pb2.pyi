from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.api import resource_pb2 as _resource_pb2
from google.type import latlng_pb2 as _latlng_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Graph(_message.Message):
    __slots__ = ("name", "graph_id", "loaded", "south_west", "north_east", "vehicle_classes")
    NAME_FIELD_NUMBER: _ClassVar[int]
    GRAPH_ID_FIELD_NUMBER: _ClassVar[int]
    LOADED_FIELD_NUMBER: _ClassVar[int]
    SOUTH_WEST_FIELD_NUMBER: _ClassVar[int]
    NORTH_EAST_FIELD_NUMBER: _ClassVar[int]
    VEHICLE_CLASSES_FIELD_NUMBER: _ClassVar[int]
    name: str
    graph_id: str
    loaded: bool
    south_west: _latlng_pb2.LatLng
    north_east: _latlng_pb2.LatLng
    vehicle_classes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., graph_id: _Optional[str] = ..., loaded: _Optional[bool] = ..., south_west: _Optional[_Union[_latlng_pb2.LatLng, _Mapping]] = ..., north_east: _Optional[_Union[_latlng_pb2.LatLng, _Mapping]] = ..., vehicle_classes: _Optional[_Iterable[str]] = ...) -> None: ...

class ListGraphsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListGraphsResponse(_message.Message):
    __slots__ = ("graphs",)
    GRAPHS_FIELD_NUMBER: _ClassVar[int]
    graphs: _containers.RepeatedCompositeFieldContainer[Graph]
    def __init__(self, graphs: _Optional[_Iterable[_Union[Graph, _Mapping]]] = ...) -> None: ...

class ComputeMatrixRequest(_message.Message):
    __slots__ = ("graph", "vehicle_class", "locations", "max_snap_meters")
    GRAPH_FIELD_NUMBER: _ClassVar[int]
    VEHICLE_CLASS_FIELD_NUMBER: _ClassVar[int]
    LOCATIONS_FIELD_NUMBER: _ClassVar[int]
    MAX_SNAP_METERS_FIELD_NUMBER: _ClassVar[int]
    graph: str
    vehicle_class: str
    locations: _containers.RepeatedCompositeFieldContainer[_latlng_pb2.LatLng]
    max_snap_meters: float
    def __init__(self, graph: _Optional[str] = ..., vehicle_class: _Optional[str] = ..., locations: _Optional[_Iterable[_Union[_latlng_pb2.LatLng, _Mapping]]] = ..., max_snap_meters: _Optional[float] = ...) -> None: ...

class ComputeMatrixResponse(_message.Message):
    __slots__ = ("size", "durations_seconds", "distances_meters", "snap_distances_meters")
    SIZE_FIELD_NUMBER: _ClassVar[int]
    DURATIONS_SECONDS_FIELD_NUMBER: _ClassVar[int]
    DISTANCES_METERS_FIELD_NUMBER: _ClassVar[int]
    SNAP_DISTANCES_METERS_FIELD_NUMBER: _ClassVar[int]
    size: int
    durations_seconds: _containers.RepeatedScalarFieldContainer[int]
    distances_meters: _containers.RepeatedScalarFieldContainer[int]
    snap_distances_meters: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, size: _Optional[int] = ..., durations_seconds: _Optional[_Iterable[int]] = ..., distances_meters: _Optional[_Iterable[int]] = ..., snap_distances_meters: _Optional[_Iterable[float]] = ...) -> None: ...

class ComputeRouteGeometryRequest(_message.Message):
    __slots__ = ("graph", "vehicle_class", "locations", "max_snap_meters")
    GRAPH_FIELD_NUMBER: _ClassVar[int]
    VEHICLE_CLASS_FIELD_NUMBER: _ClassVar[int]
    LOCATIONS_FIELD_NUMBER: _ClassVar[int]
    MAX_SNAP_METERS_FIELD_NUMBER: _ClassVar[int]
    graph: str
    vehicle_class: str
    locations: _containers.RepeatedCompositeFieldContainer[_latlng_pb2.LatLng]
    max_snap_meters: float
    def __init__(self, graph: _Optional[str] = ..., vehicle_class: _Optional[str] = ..., locations: _Optional[_Iterable[_Union[_latlng_pb2.LatLng, _Mapping]]] = ..., max_snap_meters: _Optional[float] = ...) -> None: ...

class Leg(_message.Message):
    __slots__ = ("geojson", "distance_meters", "duration_seconds")
    GEOJSON_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_METERS_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    geojson: str
    distance_meters: int
    duration_seconds: int
    def __init__(self, geojson: _Optional[str] = ..., distance_meters: _Optional[int] = ..., duration_seconds: _Optional[int] = ...) -> None: ...

class ComputeRouteGeometryResponse(_message.Message):
    __slots__ = ("legs",)
    LEGS_FIELD_NUMBER: _ClassVar[int]
    legs: _containers.RepeatedCompositeFieldContainer[Leg]
    def __init__(self, legs: _Optional[_Iterable[_Union[Leg, _Mapping]]] = ...) -> None: ...
