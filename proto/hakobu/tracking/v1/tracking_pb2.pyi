import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.api import resource_pb2 as _resource_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import empty_pb2 as _empty_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.type import latlng_pb2 as _latlng_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Device(_message.Message):
    __slots__ = ("name", "vehicle", "driver", "display_name", "create_time", "last_seen_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VEHICLE_FIELD_NUMBER: _ClassVar[int]
    DRIVER_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_SEEN_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    vehicle: str
    driver: str
    display_name: str
    create_time: _timestamp_pb2.Timestamp
    last_seen_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., vehicle: _Optional[str] = ..., driver: _Optional[str] = ..., display_name: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_seen_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateDeviceRequest(_message.Message):
    __slots__ = ("parent", "device", "device_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    device: Device
    device_id: str
    def __init__(self, parent: _Optional[str] = ..., device: _Optional[_Union[Device, _Mapping]] = ..., device_id: _Optional[str] = ...) -> None: ...

class GetDeviceRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class ListDevicesRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListDevicesResponse(_message.Message):
    __slots__ = ("devices", "next_page_token")
    DEVICES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    devices: _containers.RepeatedCompositeFieldContainer[Device]
    next_page_token: str
    def __init__(self, devices: _Optional[_Iterable[_Union[Device, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DeleteDeviceRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class Position(_message.Message):
    __slots__ = ("device_id", "time", "location", "speed_kmh", "heading_degrees", "altitude_meters", "accuracy_meters", "battery_percent", "attributes", "vehicle")
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    SPEED_KMH_FIELD_NUMBER: _ClassVar[int]
    HEADING_DEGREES_FIELD_NUMBER: _ClassVar[int]
    ALTITUDE_METERS_FIELD_NUMBER: _ClassVar[int]
    ACCURACY_METERS_FIELD_NUMBER: _ClassVar[int]
    BATTERY_PERCENT_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    VEHICLE_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    time: _timestamp_pb2.Timestamp
    location: _latlng_pb2.LatLng
    speed_kmh: float
    heading_degrees: float
    altitude_meters: float
    accuracy_meters: float
    battery_percent: float
    attributes: _containers.ScalarMap[str, str]
    vehicle: str
    def __init__(self, device_id: _Optional[str] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., location: _Optional[_Union[_latlng_pb2.LatLng, _Mapping]] = ..., speed_kmh: _Optional[float] = ..., heading_degrees: _Optional[float] = ..., altitude_meters: _Optional[float] = ..., accuracy_meters: _Optional[float] = ..., battery_percent: _Optional[float] = ..., attributes: _Optional[_Mapping[str, str]] = ..., vehicle: _Optional[str] = ...) -> None: ...

class ReportPositionsRequest(_message.Message):
    __slots__ = ("batch_id", "positions")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    POSITIONS_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    positions: _containers.RepeatedCompositeFieldContainer[Position]
    def __init__(self, batch_id: _Optional[str] = ..., positions: _Optional[_Iterable[_Union[Position, _Mapping]]] = ...) -> None: ...

class ReportPositionsResponse(_message.Message):
    __slots__ = ("batch_id", "accepted", "duplicates", "rejected")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    DUPLICATES_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    accepted: int
    duplicates: int
    rejected: _containers.RepeatedCompositeFieldContainer[RejectedPosition]
    def __init__(self, batch_id: _Optional[str] = ..., accepted: _Optional[int] = ..., duplicates: _Optional[int] = ..., rejected: _Optional[_Iterable[_Union[RejectedPosition, _Mapping]]] = ...) -> None: ...

class RejectedPosition(_message.Message):
    __slots__ = ("index", "field", "reason")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    index: int
    field: str
    reason: str
    def __init__(self, index: _Optional[int] = ..., field: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class StopEvent(_message.Message):
    __slots__ = ("name", "type", "vehicle", "order", "failure_reason", "failure_note", "event_time", "location", "location_source", "source", "proof", "driver", "requested_by", "create_time")
    class Type(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        TYPE_UNSPECIFIED: _ClassVar[StopEvent.Type]
        ARRIVED: _ClassVar[StopEvent.Type]
        DEPARTED: _ClassVar[StopEvent.Type]
        DELIVERED: _ClassVar[StopEvent.Type]
        FAILED: _ClassVar[StopEvent.Type]
        LOADING_STARTED: _ClassVar[StopEvent.Type]
        LOADING_ENDED: _ClassVar[StopEvent.Type]
        UNLOADING_STARTED: _ClassVar[StopEvent.Type]
        UNLOADING_ENDED: _ClassVar[StopEvent.Type]
        WAITING_STARTED: _ClassVar[StopEvent.Type]
        WAITING_ENDED: _ClassVar[StopEvent.Type]
        BREAK_STARTED: _ClassVar[StopEvent.Type]
        BREAK_ENDED: _ClassVar[StopEvent.Type]
    TYPE_UNSPECIFIED: StopEvent.Type
    ARRIVED: StopEvent.Type
    DEPARTED: StopEvent.Type
    DELIVERED: StopEvent.Type
    FAILED: StopEvent.Type
    LOADING_STARTED: StopEvent.Type
    LOADING_ENDED: StopEvent.Type
    UNLOADING_STARTED: StopEvent.Type
    UNLOADING_ENDED: StopEvent.Type
    WAITING_STARTED: StopEvent.Type
    WAITING_ENDED: StopEvent.Type
    BREAK_STARTED: StopEvent.Type
    BREAK_ENDED: StopEvent.Type
    class FailureReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        FAILURE_REASON_UNSPECIFIED: _ClassVar[StopEvent.FailureReason]
        NOT_HOME: _ClassVar[StopEvent.FailureReason]
        REFUSED: _ClassVar[StopEvent.FailureReason]
        ADDRESS_UNKNOWN: _ClassVar[StopEvent.FailureReason]
        DAMAGED: _ClassVar[StopEvent.FailureReason]
        OTHER: _ClassVar[StopEvent.FailureReason]
    FAILURE_REASON_UNSPECIFIED: StopEvent.FailureReason
    NOT_HOME: StopEvent.FailureReason
    REFUSED: StopEvent.FailureReason
    ADDRESS_UNKNOWN: StopEvent.FailureReason
    DAMAGED: StopEvent.FailureReason
    OTHER: StopEvent.FailureReason
    class LocationSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        LOCATION_SOURCE_UNSPECIFIED: _ClassVar[StopEvent.LocationSource]
        DEVICE: _ClassVar[StopEvent.LocationSource]
        LAST_VEHICLE_POSITION: _ClassVar[StopEvent.LocationSource]
        NONE: _ClassVar[StopEvent.LocationSource]
    LOCATION_SOURCE_UNSPECIFIED: StopEvent.LocationSource
    DEVICE: StopEvent.LocationSource
    LAST_VEHICLE_POSITION: StopEvent.LocationSource
    NONE: StopEvent.LocationSource
    class Source(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        SOURCE_UNSPECIFIED: _ClassVar[StopEvent.Source]
        DRIVER: _ClassVar[StopEvent.Source]
        GEOFENCE: _ClassVar[StopEvent.Source]
        DISPATCHER: _ClassVar[StopEvent.Source]
    SOURCE_UNSPECIFIED: StopEvent.Source
    DRIVER: StopEvent.Source
    GEOFENCE: StopEvent.Source
    DISPATCHER: StopEvent.Source
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    VEHICLE_FIELD_NUMBER: _ClassVar[int]
    ORDER_FIELD_NUMBER: _ClassVar[int]
    FAILURE_REASON_FIELD_NUMBER: _ClassVar[int]
    FAILURE_NOTE_FIELD_NUMBER: _ClassVar[int]
    EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    LOCATION_SOURCE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    PROOF_FIELD_NUMBER: _ClassVar[int]
    DRIVER_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    type: StopEvent.Type
    vehicle: str
    order: str
    failure_reason: StopEvent.FailureReason
    failure_note: str
    event_time: _timestamp_pb2.Timestamp
    location: _latlng_pb2.LatLng
    location_source: StopEvent.LocationSource
    source: StopEvent.Source
    proof: ProofOfDelivery
    driver: str
    requested_by: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., type: _Optional[_Union[StopEvent.Type, str]] = ..., vehicle: _Optional[str] = ..., order: _Optional[str] = ..., failure_reason: _Optional[_Union[StopEvent.FailureReason, str]] = ..., failure_note: _Optional[str] = ..., event_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., location: _Optional[_Union[_latlng_pb2.LatLng, _Mapping]] = ..., location_source: _Optional[_Union[StopEvent.LocationSource, str]] = ..., source: _Optional[_Union[StopEvent.Source, str]] = ..., proof: _Optional[_Union[ProofOfDelivery, _Mapping]] = ..., driver: _Optional[str] = ..., requested_by: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ProofOfDelivery(_message.Message):
    __slots__ = ("receiver_name", "photo", "photo_content_type", "signature", "signature_content_type", "photo_uri", "signature_uri")
    RECEIVER_NAME_FIELD_NUMBER: _ClassVar[int]
    PHOTO_FIELD_NUMBER: _ClassVar[int]
    PHOTO_CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    PHOTO_URI_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_URI_FIELD_NUMBER: _ClassVar[int]
    receiver_name: str
    photo: bytes
    photo_content_type: str
    signature: bytes
    signature_content_type: str
    photo_uri: str
    signature_uri: str
    def __init__(self, receiver_name: _Optional[str] = ..., photo: _Optional[bytes] = ..., photo_content_type: _Optional[str] = ..., signature: _Optional[bytes] = ..., signature_content_type: _Optional[str] = ..., photo_uri: _Optional[str] = ..., signature_uri: _Optional[str] = ...) -> None: ...

class RecordStopEventRequest(_message.Message):
    __slots__ = ("parent", "stop_event", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    STOP_EVENT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    stop_event: StopEvent
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., stop_event: _Optional[_Union[StopEvent, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class ListStopEventsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "filter")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    filter: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., filter: _Optional[str] = ...) -> None: ...

class ListStopEventsResponse(_message.Message):
    __slots__ = ("stop_events", "next_page_token")
    STOP_EVENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    stop_events: _containers.RepeatedCompositeFieldContainer[StopEvent]
    next_page_token: str
    def __init__(self, stop_events: _Optional[_Iterable[_Union[StopEvent, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class StopEta(_message.Message):
    __slots__ = ("sequence", "order", "planned_arrival_time", "estimated_arrival_time", "window_start_time", "window_end_time", "minutes_late")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    ORDER_FIELD_NUMBER: _ClassVar[int]
    PLANNED_ARRIVAL_TIME_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_ARRIVAL_TIME_FIELD_NUMBER: _ClassVar[int]
    WINDOW_START_TIME_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_TIME_FIELD_NUMBER: _ClassVar[int]
    MINUTES_LATE_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    order: str
    planned_arrival_time: _timestamp_pb2.Timestamp
    estimated_arrival_time: _timestamp_pb2.Timestamp
    window_start_time: _timestamp_pb2.Timestamp
    window_end_time: _timestamp_pb2.Timestamp
    minutes_late: int
    def __init__(self, sequence: _Optional[int] = ..., order: _Optional[str] = ..., planned_arrival_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., estimated_arrival_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., minutes_late: _Optional[int] = ...) -> None: ...

class Alert(_message.Message):
    __slots__ = ("kind", "vehicle", "order", "message", "create_time", "amount")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[Alert.Kind]
        LATE: _ClassVar[Alert.Kind]
        OFF_ROUTE: _ClassVar[Alert.Kind]
        SILENT: _ClassVar[Alert.Kind]
        DRIVING_RULES: _ClassVar[Alert.Kind]
        LONG_WAIT: _ClassVar[Alert.Kind]
    KIND_UNSPECIFIED: Alert.Kind
    LATE: Alert.Kind
    OFF_ROUTE: Alert.Kind
    SILENT: Alert.Kind
    DRIVING_RULES: Alert.Kind
    LONG_WAIT: Alert.Kind
    KIND_FIELD_NUMBER: _ClassVar[int]
    VEHICLE_FIELD_NUMBER: _ClassVar[int]
    ORDER_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    kind: Alert.Kind
    vehicle: str
    order: str
    message: str
    create_time: _timestamp_pb2.Timestamp
    amount: int
    def __init__(self, kind: _Optional[_Union[Alert.Kind, str]] = ..., vehicle: _Optional[str] = ..., order: _Optional[str] = ..., message: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., amount: _Optional[int] = ...) -> None: ...

class VehicleState(_message.Message):
    __slots__ = ("name", "vehicle", "branch", "driver", "device", "plan", "last_position", "motion", "next_order", "next_stop_sequence", "etas", "minutes_late", "alerts", "stops_done", "stops_failed", "stops_remaining", "update_time")
    class Motion(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        MOTION_UNSPECIFIED: _ClassVar[VehicleState.Motion]
        DRIVING: _ClassVar[VehicleState.Motion]
        STOPPED: _ClassVar[VehicleState.Motion]
        SILENT: _ClassVar[VehicleState.Motion]
    MOTION_UNSPECIFIED: VehicleState.Motion
    DRIVING: VehicleState.Motion
    STOPPED: VehicleState.Motion
    SILENT: VehicleState.Motion
    NAME_FIELD_NUMBER: _ClassVar[int]
    VEHICLE_FIELD_NUMBER: _ClassVar[int]
    BRANCH_FIELD_NUMBER: _ClassVar[int]
    DRIVER_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    LAST_POSITION_FIELD_NUMBER: _ClassVar[int]
    MOTION_FIELD_NUMBER: _ClassVar[int]
    NEXT_ORDER_FIELD_NUMBER: _ClassVar[int]
    NEXT_STOP_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    ETAS_FIELD_NUMBER: _ClassVar[int]
    MINUTES_LATE_FIELD_NUMBER: _ClassVar[int]
    ALERTS_FIELD_NUMBER: _ClassVar[int]
    STOPS_DONE_FIELD_NUMBER: _ClassVar[int]
    STOPS_FAILED_FIELD_NUMBER: _ClassVar[int]
    STOPS_REMAINING_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    vehicle: str
    branch: str
    driver: str
    device: str
    plan: str
    last_position: Position
    motion: VehicleState.Motion
    next_order: str
    next_stop_sequence: int
    etas: _containers.RepeatedCompositeFieldContainer[StopEta]
    minutes_late: int
    alerts: _containers.RepeatedCompositeFieldContainer[Alert]
    stops_done: int
    stops_failed: int
    stops_remaining: int
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., vehicle: _Optional[str] = ..., branch: _Optional[str] = ..., driver: _Optional[str] = ..., device: _Optional[str] = ..., plan: _Optional[str] = ..., last_position: _Optional[_Union[Position, _Mapping]] = ..., motion: _Optional[_Union[VehicleState.Motion, str]] = ..., next_order: _Optional[str] = ..., next_stop_sequence: _Optional[int] = ..., etas: _Optional[_Iterable[_Union[StopEta, _Mapping]]] = ..., minutes_late: _Optional[int] = ..., alerts: _Optional[_Iterable[_Union[Alert, _Mapping]]] = ..., stops_done: _Optional[int] = ..., stops_failed: _Optional[int] = ..., stops_remaining: _Optional[int] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetVehicleStateRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class ListVehicleStatesRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListVehicleStatesResponse(_message.Message):
    __slots__ = ("vehicle_states", "next_page_token")
    VEHICLE_STATES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    vehicle_states: _containers.RepeatedCompositeFieldContainer[VehicleState]
    next_page_token: str
    def __init__(self, vehicle_states: _Optional[_Iterable[_Union[VehicleState, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class StreamFleetRequest(_message.Message):
    __slots__ = ("branch",)
    BRANCH_FIELD_NUMBER: _ClassVar[int]
    branch: str
    def __init__(self, branch: _Optional[str] = ...) -> None: ...

class FleetUpdate(_message.Message):
    __slots__ = ("time", "vehicle_state", "stop_event", "alert")
    TIME_FIELD_NUMBER: _ClassVar[int]
    VEHICLE_STATE_FIELD_NUMBER: _ClassVar[int]
    STOP_EVENT_FIELD_NUMBER: _ClassVar[int]
    ALERT_FIELD_NUMBER: _ClassVar[int]
    time: _timestamp_pb2.Timestamp
    vehicle_state: VehicleState
    stop_event: StopEvent
    alert: Alert
    def __init__(self, time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., vehicle_state: _Optional[_Union[VehicleState, _Mapping]] = ..., stop_event: _Optional[_Union[StopEvent, _Mapping]] = ..., alert: _Optional[_Union[Alert, _Mapping]] = ...) -> None: ...

class GetTrackRequest(_message.Message):
    __slots__ = ("vehicle", "start_time", "end_time", "simplify_meters", "geojson")
    VEHICLE_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    SIMPLIFY_METERS_FIELD_NUMBER: _ClassVar[int]
    GEOJSON_FIELD_NUMBER: _ClassVar[int]
    vehicle: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    simplify_meters: float
    geojson: bool
    def __init__(self, vehicle: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., simplify_meters: _Optional[float] = ..., geojson: _Optional[bool] = ...) -> None: ...

class TrackSegment(_message.Message):
    __slots__ = ("kind", "start_time", "end_time", "distance_meters", "start_location", "end_location")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[TrackSegment.Kind]
        DRIVING: _ClassVar[TrackSegment.Kind]
        STOPPED: _ClassVar[TrackSegment.Kind]
    KIND_UNSPECIFIED: TrackSegment.Kind
    DRIVING: TrackSegment.Kind
    STOPPED: TrackSegment.Kind
    KIND_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_METERS_FIELD_NUMBER: _ClassVar[int]
    START_LOCATION_FIELD_NUMBER: _ClassVar[int]
    END_LOCATION_FIELD_NUMBER: _ClassVar[int]
    kind: TrackSegment.Kind
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    distance_meters: int
    start_location: _latlng_pb2.LatLng
    end_location: _latlng_pb2.LatLng
    def __init__(self, kind: _Optional[_Union[TrackSegment.Kind, str]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., distance_meters: _Optional[int] = ..., start_location: _Optional[_Union[_latlng_pb2.LatLng, _Mapping]] = ..., end_location: _Optional[_Union[_latlng_pb2.LatLng, _Mapping]] = ...) -> None: ...

class Track(_message.Message):
    __slots__ = ("vehicle", "positions", "segments", "distance_meters", "driving_duration", "stopped_duration", "geojson")
    VEHICLE_FIELD_NUMBER: _ClassVar[int]
    POSITIONS_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_METERS_FIELD_NUMBER: _ClassVar[int]
    DRIVING_DURATION_FIELD_NUMBER: _ClassVar[int]
    STOPPED_DURATION_FIELD_NUMBER: _ClassVar[int]
    GEOJSON_FIELD_NUMBER: _ClassVar[int]
    vehicle: str
    positions: _containers.RepeatedCompositeFieldContainer[Position]
    segments: _containers.RepeatedCompositeFieldContainer[TrackSegment]
    distance_meters: int
    driving_duration: _duration_pb2.Duration
    stopped_duration: _duration_pb2.Duration
    geojson: str
    def __init__(self, vehicle: _Optional[str] = ..., positions: _Optional[_Iterable[_Union[Position, _Mapping]]] = ..., segments: _Optional[_Iterable[_Union[TrackSegment, _Mapping]]] = ..., distance_meters: _Optional[int] = ..., driving_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., stopped_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., geojson: _Optional[str] = ...) -> None: ...

class TrackingLink(_message.Message):
    __slots__ = ("name", "order", "expire_time", "url_path")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ORDER_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    URL_PATH_FIELD_NUMBER: _ClassVar[int]
    name: str
    order: str
    expire_time: _timestamp_pb2.Timestamp
    url_path: str
    def __init__(self, name: _Optional[str] = ..., order: _Optional[str] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., url_path: _Optional[str] = ...) -> None: ...

class CreateTrackingLinkRequest(_message.Message):
    __slots__ = ("order", "ttl")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    TTL_FIELD_NUMBER: _ClassVar[int]
    order: str
    ttl: _duration_pb2.Duration
    def __init__(self, order: _Optional[str] = ..., ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class GetShipmentTrackingRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class ShipmentTracking(_message.Message):
    __slots__ = ("name", "status", "window_start_time", "window_end_time", "eta_start_time", "eta_end_time", "stops_before", "vehicle_location", "update_time")
    class Status(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATUS_UNSPECIFIED: _ClassVar[ShipmentTracking.Status]
        SCHEDULED: _ClassVar[ShipmentTracking.Status]
        OUT_FOR_DELIVERY: _ClassVar[ShipmentTracking.Status]
        ARRIVING: _ClassVar[ShipmentTracking.Status]
        DELIVERED: _ClassVar[ShipmentTracking.Status]
        FAILED: _ClassVar[ShipmentTracking.Status]
    STATUS_UNSPECIFIED: ShipmentTracking.Status
    SCHEDULED: ShipmentTracking.Status
    OUT_FOR_DELIVERY: ShipmentTracking.Status
    ARRIVING: ShipmentTracking.Status
    DELIVERED: ShipmentTracking.Status
    FAILED: ShipmentTracking.Status
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    WINDOW_START_TIME_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_TIME_FIELD_NUMBER: _ClassVar[int]
    ETA_START_TIME_FIELD_NUMBER: _ClassVar[int]
    ETA_END_TIME_FIELD_NUMBER: _ClassVar[int]
    STOPS_BEFORE_FIELD_NUMBER: _ClassVar[int]
    VEHICLE_LOCATION_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    status: ShipmentTracking.Status
    window_start_time: _timestamp_pb2.Timestamp
    window_end_time: _timestamp_pb2.Timestamp
    eta_start_time: _timestamp_pb2.Timestamp
    eta_end_time: _timestamp_pb2.Timestamp
    stops_before: int
    vehicle_location: _latlng_pb2.LatLng
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., status: _Optional[_Union[ShipmentTracking.Status, str]] = ..., window_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., eta_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., eta_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., stops_before: _Optional[int] = ..., vehicle_location: _Optional[_Union[_latlng_pb2.LatLng, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
