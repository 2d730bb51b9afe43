import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReportFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REPORT_FORMAT_UNSPECIFIED: _ClassVar[ReportFormat]
    CSV: _ClassVar[ReportFormat]
    PDF: _ClassVar[ReportFormat]

class CsvEncoding(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CSV_ENCODING_UNSPECIFIED: _ClassVar[CsvEncoding]
    UTF_8: _ClassVar[CsvEncoding]
    SHIFT_JIS: _ClassVar[CsvEncoding]
REPORT_FORMAT_UNSPECIFIED: ReportFormat
CSV: ReportFormat
PDF: ReportFormat
CSV_ENCODING_UNSPECIFIED: CsvEncoding
UTF_8: CsvEncoding
SHIFT_JIS: CsvEncoding

class GetDailyReportRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class ListDrivingDiariesRequest(_message.Message):
    __slots__ = ("parent",)
    PARENT_FIELD_NUMBER: _ClassVar[int]
    parent: str
    def __init__(self, parent: _Optional[str] = ...) -> None: ...

class ListDrivingDiariesResponse(_message.Message):
    __slots__ = ("driving_diaries",)
    DRIVING_DIARIES_FIELD_NUMBER: _ClassVar[int]
    driving_diaries: _containers.RepeatedCompositeFieldContainer[DrivingDiary]
    def __init__(self, driving_diaries: _Optional[_Iterable[_Union[DrivingDiary, _Mapping]]] = ...) -> None: ...

class GetDrivingDiaryRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class CheckRulesRequest(_message.Message):
    __slots__ = ("branch", "start_date", "end_date")
    BRANCH_FIELD_NUMBER: _ClassVar[int]
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    branch: str
    start_date: str
    end_date: str
    def __init__(self, branch: _Optional[str] = ..., start_date: _Optional[str] = ..., end_date: _Optional[str] = ...) -> None: ...

class CheckRulesResponse(_message.Message):
    __slots__ = ("days_reported", "violations")
    DAYS_REPORTED_FIELD_NUMBER: _ClassVar[int]
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    days_reported: int
    violations: _containers.RepeatedCompositeFieldContainer[RuleViolation]
    def __init__(self, days_reported: _Optional[int] = ..., violations: _Optional[_Iterable[_Union[RuleViolation, _Mapping]]] = ...) -> None: ...

class GetMonthlySummaryRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class ExportReportRequest(_message.Message):
    __slots__ = ("name", "format", "encoding")
    NAME_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    ENCODING_FIELD_NUMBER: _ClassVar[int]
    name: str
    format: ReportFormat
    encoding: CsvEncoding
    def __init__(self, name: _Optional[str] = ..., format: _Optional[_Union[ReportFormat, str]] = ..., encoding: _Optional[_Union[CsvEncoding, str]] = ...) -> None: ...

class ReportFile(_message.Message):
    __slots__ = ("filename", "content_type", "data", "provisional")
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    PROVISIONAL_FIELD_NUMBER: _ClassVar[int]
    filename: str
    content_type: str
    data: bytes
    provisional: bool
    def __init__(self, filename: _Optional[str] = ..., content_type: _Optional[str] = ..., data: _Optional[bytes] = ..., provisional: _Optional[bool] = ...) -> None: ...

class DailyReport(_message.Message):
    __slots__ = ("name", "branch_name", "plan", "generate_time", "provisional", "running_vehicles", "vehicles", "utilisation", "duty_violations")
    NAME_FIELD_NUMBER: _ClassVar[int]
    BRANCH_NAME_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    GENERATE_TIME_FIELD_NUMBER: _ClassVar[int]
    PROVISIONAL_FIELD_NUMBER: _ClassVar[int]
    RUNNING_VEHICLES_FIELD_NUMBER: _ClassVar[int]
    VEHICLES_FIELD_NUMBER: _ClassVar[int]
    UTILISATION_FIELD_NUMBER: _ClassVar[int]
    DUTY_VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    name: str
    branch_name: str
    plan: str
    generate_time: _timestamp_pb2.Timestamp
    provisional: bool
    running_vehicles: _containers.RepeatedScalarFieldContainer[str]
    vehicles: _containers.RepeatedCompositeFieldContainer[VehicleReport]
    utilisation: float
    duty_violations: _containers.RepeatedCompositeFieldContainer[RuleViolation]
    def __init__(self, name: _Optional[str] = ..., branch_name: _Optional[str] = ..., plan: _Optional[str] = ..., generate_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., provisional: _Optional[bool] = ..., running_vehicles: _Optional[_Iterable[str]] = ..., vehicles: _Optional[_Iterable[_Union[VehicleReport, _Mapping]]] = ..., utilisation: _Optional[float] = ..., duty_violations: _Optional[_Iterable[_Union[RuleViolation, _Mapping]]] = ...) -> None: ...

class VehicleReport(_message.Message):
    __slots__ = ("vehicle_id", "registration_number", "driver_id", "driver_name", "has_actuals", "running", "planned_distance_meters", "actual_distance_meters", "planned_duration", "duty_start_time", "duty_end_time", "restraint", "driving", "first_departure_time", "last_return_time", "stops", "breaks", "waits", "handling", "load_factor", "planned_load_factor", "loaded_ratio", "on_time", "late", "failed", "pending", "added_orders", "skipped_orders", "extra_distance_meters", "detour", "violations")
    VEHICLE_ID_FIELD_NUMBER: _ClassVar[int]
    REGISTRATION_NUMBER_FIELD_NUMBER: _ClassVar[int]
    DRIVER_ID_FIELD_NUMBER: _ClassVar[int]
    DRIVER_NAME_FIELD_NUMBER: _ClassVar[int]
    HAS_ACTUALS_FIELD_NUMBER: _ClassVar[int]
    RUNNING_FIELD_NUMBER: _ClassVar[int]
    PLANNED_DISTANCE_METERS_FIELD_NUMBER: _ClassVar[int]
    ACTUAL_DISTANCE_METERS_FIELD_NUMBER: _ClassVar[int]
    PLANNED_DURATION_FIELD_NUMBER: _ClassVar[int]
    DUTY_START_TIME_FIELD_NUMBER: _ClassVar[int]
    DUTY_END_TIME_FIELD_NUMBER: _ClassVar[int]
    RESTRAINT_FIELD_NUMBER: _ClassVar[int]
    DRIVING_FIELD_NUMBER: _ClassVar[int]
    FIRST_DEPARTURE_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_RETURN_TIME_FIELD_NUMBER: _ClassVar[int]
    STOPS_FIELD_NUMBER: _ClassVar[int]
    BREAKS_FIELD_NUMBER: _ClassVar[int]
    WAITS_FIELD_NUMBER: _ClassVar[int]
    HANDLING_FIELD_NUMBER: _ClassVar[int]
    LOAD_FACTOR_FIELD_NUMBER: _ClassVar[int]
    PLANNED_LOAD_FACTOR_FIELD_NUMBER: _ClassVar[int]
    LOADED_RATIO_FIELD_NUMBER: _ClassVar[int]
    ON_TIME_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    PENDING_FIELD_NUMBER: _ClassVar[int]
    ADDED_ORDERS_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_ORDERS_FIELD_NUMBER: _ClassVar[int]
    EXTRA_DISTANCE_METERS_FIELD_NUMBER: _ClassVar[int]
    DETOUR_FIELD_NUMBER: _ClassVar[int]
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    vehicle_id: str
    registration_number: str
    driver_id: str
    driver_name: str
    has_actuals: bool
    running: bool
    planned_distance_meters: int
    actual_distance_meters: int
    planned_duration: _duration_pb2.Duration
    duty_start_time: _timestamp_pb2.Timestamp
    duty_end_time: _timestamp_pb2.Timestamp
    restraint: _duration_pb2.Duration
    driving: _duration_pb2.Duration
    first_departure_time: _timestamp_pb2.Timestamp
    last_return_time: _timestamp_pb2.Timestamp
    stops: _containers.RepeatedCompositeFieldContainer[StopReport]
    breaks: _containers.RepeatedCompositeFieldContainer[Interval]
    waits: _containers.RepeatedCompositeFieldContainer[Interval]
    handling: _containers.RepeatedCompositeFieldContainer[Interval]
    load_factor: float
    planned_load_factor: float
    loaded_ratio: float
    on_time: int
    late: int
    failed: int
    pending: int
    added_orders: _containers.RepeatedScalarFieldContainer[str]
    skipped_orders: _containers.RepeatedScalarFieldContainer[str]
    extra_distance_meters: int
    detour: bool
    violations: _containers.RepeatedCompositeFieldContainer[RuleViolation]
    def __init__(self, vehicle_id: _Optional[str] = ..., registration_number: _Optional[str] = ..., driver_id: _Optional[str] = ..., driver_name: _Optional[str] = ..., has_actuals: _Optional[bool] = ..., running: _Optional[bool] = ..., planned_distance_meters: _Optional[int] = ..., actual_distance_meters: _Optional[int] = ..., planned_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., duty_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., duty_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., restraint: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., driving: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., first_departure_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_return_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., stops: _Optional[_Iterable[_Union[StopReport, _Mapping]]] = ..., breaks: _Optional[_Iterable[_Union[Interval, _Mapping]]] = ..., waits: _Optional[_Iterable[_Union[Interval, _Mapping]]] = ..., handling: _Optional[_Iterable[_Union[Interval, _Mapping]]] = ..., load_factor: _Optional[float] = ..., planned_load_factor: _Optional[float] = ..., loaded_ratio: _Optional[float] = ..., on_time: _Optional[int] = ..., late: _Optional[int] = ..., failed: _Optional[int] = ..., pending: _Optional[int] = ..., added_orders: _Optional[_Iterable[str]] = ..., skipped_orders: _Optional[_Iterable[str]] = ..., extra_distance_meters: _Optional[int] = ..., detour: _Optional[bool] = ..., violations: _Optional[_Iterable[_Union[RuleViolation, _Mapping]]] = ...) -> None: ...

class StopReport(_message.Message):
    __slots__ = ("order_id", "place", "sequence", "planned_arrival_time", "window_start_time", "window_end_time", "arrival_time", "departure_time", "outcome", "failure_reason", "failure_note", "waiting", "handling", "late", "stop_over_30_minutes", "wait_over_30_minutes", "over_2_hours", "requested_by")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PLACE_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    PLANNED_ARRIVAL_TIME_FIELD_NUMBER: _ClassVar[int]
    WINDOW_START_TIME_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_TIME_FIELD_NUMBER: _ClassVar[int]
    ARRIVAL_TIME_FIELD_NUMBER: _ClassVar[int]
    DEPARTURE_TIME_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    FAILURE_REASON_FIELD_NUMBER: _ClassVar[int]
    FAILURE_NOTE_FIELD_NUMBER: _ClassVar[int]
    WAITING_FIELD_NUMBER: _ClassVar[int]
    HANDLING_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    STOP_OVER_30_MINUTES_FIELD_NUMBER: _ClassVar[int]
    WAIT_OVER_30_MINUTES_FIELD_NUMBER: _ClassVar[int]
    OVER_2_HOURS_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    place: str
    sequence: int
    planned_arrival_time: _timestamp_pb2.Timestamp
    window_start_time: _timestamp_pb2.Timestamp
    window_end_time: _timestamp_pb2.Timestamp
    arrival_time: _timestamp_pb2.Timestamp
    departure_time: _timestamp_pb2.Timestamp
    outcome: str
    failure_reason: str
    failure_note: str
    waiting: _duration_pb2.Duration
    handling: _duration_pb2.Duration
    late: bool
    stop_over_30_minutes: bool
    wait_over_30_minutes: bool
    over_2_hours: bool
    requested_by: str
    def __init__(self, order_id: _Optional[str] = ..., place: _Optional[str] = ..., sequence: _Optional[int] = ..., planned_arrival_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., arrival_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., departure_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., outcome: _Optional[str] = ..., failure_reason: _Optional[str] = ..., failure_note: _Optional[str] = ..., waiting: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., handling: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., late: _Optional[bool] = ..., stop_over_30_minutes: _Optional[bool] = ..., wait_over_30_minutes: _Optional[bool] = ..., over_2_hours: _Optional[bool] = ..., requested_by: _Optional[str] = ...) -> None: ...

class Interval(_message.Message):
    __slots__ = ("kind", "start_time", "end_time", "place", "order_id", "requested_by", "open", "from_track")
    KIND_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    PLACE_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    OPEN_FIELD_NUMBER: _ClassVar[int]
    FROM_TRACK_FIELD_NUMBER: _ClassVar[int]
    kind: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    place: str
    order_id: str
    requested_by: str
    open: bool
    from_track: bool
    def __init__(self, kind: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., place: _Optional[str] = ..., order_id: _Optional[str] = ..., requested_by: _Optional[str] = ..., open: _Optional[bool] = ..., from_track: _Optional[bool] = ...) -> None: ...

class RuleViolation(_message.Message):
    __slots__ = ("code", "severity", "driver_id", "vehicle_id", "date", "amount_seconds", "limit_seconds", "message", "message_ja")
    CODE_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    DRIVER_ID_FIELD_NUMBER: _ClassVar[int]
    VEHICLE_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_JA_FIELD_NUMBER: _ClassVar[int]
    code: str
    severity: str
    driver_id: str
    vehicle_id: str
    date: str
    amount_seconds: int
    limit_seconds: int
    message: str
    message_ja: str
    def __init__(self, code: _Optional[str] = ..., severity: _Optional[str] = ..., driver_id: _Optional[str] = ..., vehicle_id: _Optional[str] = ..., date: _Optional[str] = ..., amount_seconds: _Optional[int] = ..., limit_seconds: _Optional[int] = ..., message: _Optional[str] = ..., message_ja: _Optional[str] = ...) -> None: ...

class DrivingDiary(_message.Message):
    __slots__ = ("name", "date", "branch_name", "driver_id", "driver_name", "vehicle_id", "registration_number", "start_time", "start_place", "end_time", "end_place", "distance_meters", "waypoints", "breaks", "waits", "handling", "incidents", "provisional", "notes")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    BRANCH_NAME_FIELD_NUMBER: _ClassVar[int]
    DRIVER_ID_FIELD_NUMBER: _ClassVar[int]
    DRIVER_NAME_FIELD_NUMBER: _ClassVar[int]
    VEHICLE_ID_FIELD_NUMBER: _ClassVar[int]
    REGISTRATION_NUMBER_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    START_PLACE_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    END_PLACE_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_METERS_FIELD_NUMBER: _ClassVar[int]
    WAYPOINTS_FIELD_NUMBER: _ClassVar[int]
    BREAKS_FIELD_NUMBER: _ClassVar[int]
    WAITS_FIELD_NUMBER: _ClassVar[int]
    HANDLING_FIELD_NUMBER: _ClassVar[int]
    INCIDENTS_FIELD_NUMBER: _ClassVar[int]
    PROVISIONAL_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    name: str
    date: str
    branch_name: str
    driver_id: str
    driver_name: str
    vehicle_id: str
    registration_number: str
    start_time: _timestamp_pb2.Timestamp
    start_place: str
    end_time: _timestamp_pb2.Timestamp
    end_place: str
    distance_meters: int
    waypoints: _containers.RepeatedScalarFieldContainer[str]
    breaks: _containers.RepeatedCompositeFieldContainer[Interval]
    waits: _containers.RepeatedCompositeFieldContainer[DiaryWait]
    handling: _containers.RepeatedCompositeFieldContainer[Interval]
    incidents: _containers.RepeatedScalarFieldContainer[str]
    provisional: bool
    notes: str
    def __init__(self, name: _Optional[str] = ..., date: _Optional[str] = ..., branch_name: _Optional[str] = ..., driver_id: _Optional[str] = ..., driver_name: _Optional[str] = ..., vehicle_id: _Optional[str] = ..., registration_number: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., start_place: _Optional[str] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_place: _Optional[str] = ..., distance_meters: _Optional[int] = ..., waypoints: _Optional[_Iterable[str]] = ..., breaks: _Optional[_Iterable[_Union[Interval, _Mapping]]] = ..., waits: _Optional[_Iterable[_Union[DiaryWait, _Mapping]]] = ..., handling: _Optional[_Iterable[_Union[Interval, _Mapping]]] = ..., incidents: _Optional[_Iterable[str]] = ..., provisional: _Optional[bool] = ..., notes: _Optional[str] = ...) -> None: ...

class DiaryWait(_message.Message):
    __slots__ = ("place", "order_id", "set_time", "arrival_time", "wait_start_time", "wait_end_time", "handling_start_time", "handling_end_time", "departure_time")
    PLACE_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    SET_TIME_FIELD_NUMBER: _ClassVar[int]
    ARRIVAL_TIME_FIELD_NUMBER: _ClassVar[int]
    WAIT_START_TIME_FIELD_NUMBER: _ClassVar[int]
    WAIT_END_TIME_FIELD_NUMBER: _ClassVar[int]
    HANDLING_START_TIME_FIELD_NUMBER: _ClassVar[int]
    HANDLING_END_TIME_FIELD_NUMBER: _ClassVar[int]
    DEPARTURE_TIME_FIELD_NUMBER: _ClassVar[int]
    place: str
    order_id: str
    set_time: _timestamp_pb2.Timestamp
    arrival_time: _timestamp_pb2.Timestamp
    wait_start_time: _timestamp_pb2.Timestamp
    wait_end_time: _timestamp_pb2.Timestamp
    handling_start_time: _timestamp_pb2.Timestamp
    handling_end_time: _timestamp_pb2.Timestamp
    departure_time: _timestamp_pb2.Timestamp
    def __init__(self, place: _Optional[str] = ..., order_id: _Optional[str] = ..., set_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., arrival_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., wait_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., wait_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., handling_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., handling_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., departure_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class MonthlySummary(_message.Message):
    __slots__ = ("name", "branch_name", "days_reported", "drivers", "total", "violations")
    NAME_FIELD_NUMBER: _ClassVar[int]
    BRANCH_NAME_FIELD_NUMBER: _ClassVar[int]
    DAYS_REPORTED_FIELD_NUMBER: _ClassVar[int]
    DRIVERS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    name: str
    branch_name: str
    days_reported: int
    drivers: _containers.RepeatedCompositeFieldContainer[DriverMonth]
    total: DriverMonth
    violations: _containers.RepeatedCompositeFieldContainer[RuleViolation]
    def __init__(self, name: _Optional[str] = ..., branch_name: _Optional[str] = ..., days_reported: _Optional[int] = ..., drivers: _Optional[_Iterable[_Union[DriverMonth, _Mapping]]] = ..., total: _Optional[_Union[DriverMonth, _Mapping]] = ..., violations: _Optional[_Iterable[_Union[RuleViolation, _Mapping]]] = ...) -> None: ...

class DriverMonth(_message.Message):
    __slots__ = ("driver_id", "driver_name", "days", "restraint", "driving", "distance_meters", "delivered", "late", "failed", "waiting", "handling", "violations")
    DRIVER_ID_FIELD_NUMBER: _ClassVar[int]
    DRIVER_NAME_FIELD_NUMBER: _ClassVar[int]
    DAYS_FIELD_NUMBER: _ClassVar[int]
    RESTRAINT_FIELD_NUMBER: _ClassVar[int]
    DRIVING_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_METERS_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    WAITING_FIELD_NUMBER: _ClassVar[int]
    HANDLING_FIELD_NUMBER: _ClassVar[int]
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    driver_id: str
    driver_name: str
    days: int
    restraint: _duration_pb2.Duration
    driving: _duration_pb2.Duration
    distance_meters: int
    delivered: int
    late: int
    failed: int
    waiting: _duration_pb2.Duration
    handling: _duration_pb2.Duration
    violations: int
    def __init__(self, driver_id: _Optional[str] = ..., driver_name: _Optional[str] = ..., days: _Optional[int] = ..., restraint: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., driving: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., distance_meters: _Optional[int] = ..., delivered: _Optional[int] = ..., late: _Optional[int] = ..., failed: _Optional[int] = ..., waiting: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., handling: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., violations: _Optional[int] = ...) -> None: ...
