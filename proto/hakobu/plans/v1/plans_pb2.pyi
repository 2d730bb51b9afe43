import datetime

from google.api import annotations_pb2 as _annotations_pb2
from hakobu.fleet.v1 import fleet_pb2 as _fleet_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.api import resource_pb2 as _resource_pb2
from google.longrunning import operations_pb2 as _operations_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import empty_pb2 as _empty_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.type import date_pb2 as _date_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TravelMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRAVEL_MODE_UNSPECIFIED: _ClassVar[TravelMode]
    TRAVEL_MODE_HAVERSINE: _ClassVar[TravelMode]
    TRAVEL_MODE_ROAD: _ClassVar[TravelMode]
TRAVEL_MODE_UNSPECIFIED: TravelMode
TRAVEL_MODE_HAVERSINE: TravelMode
TRAVEL_MODE_ROAD: TravelMode

class DeliveryPlan(_message.Message):
    __slots__ = ("name", "branch", "plan_date", "status", "revision", "etag", "routes", "unassigned", "issues", "distance_meters", "duration", "cost", "travel", "created_by", "create_time", "update_time", "publish_time", "published_by")
    class Status(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATUS_UNSPECIFIED: _ClassVar[DeliveryPlan.Status]
        DRAFT: _ClassVar[DeliveryPlan.Status]
        PUBLISHED: _ClassVar[DeliveryPlan.Status]
        IN_PROGRESS: _ClassVar[DeliveryPlan.Status]
        DONE: _ClassVar[DeliveryPlan.Status]
    STATUS_UNSPECIFIED: DeliveryPlan.Status
    DRAFT: DeliveryPlan.Status
    PUBLISHED: DeliveryPlan.Status
    IN_PROGRESS: DeliveryPlan.Status
    DONE: DeliveryPlan.Status
    NAME_FIELD_NUMBER: _ClassVar[int]
    BRANCH_FIELD_NUMBER: _ClassVar[int]
    PLAN_DATE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    ROUTES_FIELD_NUMBER: _ClassVar[int]
    UNASSIGNED_FIELD_NUMBER: _ClassVar[int]
    ISSUES_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_METERS_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    TRAVEL_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    PUBLISH_TIME_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_BY_FIELD_NUMBER: _ClassVar[int]
    name: str
    branch: str
    plan_date: _date_pb2.Date
    status: DeliveryPlan.Status
    revision: int
    etag: str
    routes: _containers.RepeatedCompositeFieldContainer[PlanRoute]
    unassigned: _containers.RepeatedCompositeFieldContainer[UnassignedOrder]
    issues: _containers.RepeatedCompositeFieldContainer[PlanIssue]
    distance_meters: int
    duration: _duration_pb2.Duration
    cost: float
    travel: TravelMode
    created_by: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    publish_time: _timestamp_pb2.Timestamp
    published_by: str
    def __init__(self, name: _Optional[str] = ..., branch: _Optional[str] = ..., plan_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., status: _Optional[_Union[DeliveryPlan.Status, str]] = ..., revision: _Optional[int] = ..., etag: _Optional[str] = ..., routes: _Optional[_Iterable[_Union[PlanRoute, _Mapping]]] = ..., unassigned: _Optional[_Iterable[_Union[UnassignedOrder, _Mapping]]] = ..., issues: _Optional[_Iterable[_Union[PlanIssue, _Mapping]]] = ..., distance_meters: _Optional[int] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., cost: _Optional[float] = ..., travel: _Optional[_Union[TravelMode, str]] = ..., created_by: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., publish_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., published_by: _Optional[str] = ...) -> None: ...

class PlanRoute(_message.Message):
    __slots__ = ("vehicle", "driver", "start_time", "end_time", "distance_meters", "cost", "stops")
    VEHICLE_FIELD_NUMBER: _ClassVar[int]
    DRIVER_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_METERS_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    STOPS_FIELD_NUMBER: _ClassVar[int]
    vehicle: str
    driver: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    distance_meters: int
    cost: float
    stops: _containers.RepeatedCompositeFieldContainer[PlanStop]
    def __init__(self, vehicle: _Optional[str] = ..., driver: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., distance_meters: _Optional[int] = ..., cost: _Optional[float] = ..., stops: _Optional[_Iterable[_Union[PlanStop, _Mapping]]] = ...) -> None: ...

class PlanStop(_message.Message):
    __slots__ = ("sequence", "kind", "order", "arrival_time", "service_start_time", "departure_time", "load_kg", "load_litres", "status", "locked")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[PlanStop.Kind]
        DEPOT: _ClassVar[PlanStop.Kind]
        DELIVERY: _ClassVar[PlanStop.Kind]
        PICKUP: _ClassVar[PlanStop.Kind]
        RELOAD: _ClassVar[PlanStop.Kind]
        BREAK: _ClassVar[PlanStop.Kind]
    KIND_UNSPECIFIED: PlanStop.Kind
    DEPOT: PlanStop.Kind
    DELIVERY: PlanStop.Kind
    PICKUP: PlanStop.Kind
    RELOAD: PlanStop.Kind
    BREAK: PlanStop.Kind
    class Status(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATUS_UNSPECIFIED: _ClassVar[PlanStop.Status]
        PLANNED: _ClassVar[PlanStop.Status]
        ARRIVED: _ClassVar[PlanStop.Status]
        DONE: _ClassVar[PlanStop.Status]
        FAILED: _ClassVar[PlanStop.Status]
        SKIPPED: _ClassVar[PlanStop.Status]
    STATUS_UNSPECIFIED: PlanStop.Status
    PLANNED: PlanStop.Status
    ARRIVED: PlanStop.Status
    DONE: PlanStop.Status
    FAILED: PlanStop.Status
    SKIPPED: PlanStop.Status
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ORDER_FIELD_NUMBER: _ClassVar[int]
    ARRIVAL_TIME_FIELD_NUMBER: _ClassVar[int]
    SERVICE_START_TIME_FIELD_NUMBER: _ClassVar[int]
    DEPARTURE_TIME_FIELD_NUMBER: _ClassVar[int]
    LOAD_KG_FIELD_NUMBER: _ClassVar[int]
    LOAD_LITRES_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LOCKED_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    kind: PlanStop.Kind
    order: str
    arrival_time: _timestamp_pb2.Timestamp
    service_start_time: _timestamp_pb2.Timestamp
    departure_time: _timestamp_pb2.Timestamp
    load_kg: int
    load_litres: int
    status: PlanStop.Status
    locked: bool
    def __init__(self, sequence: _Optional[int] = ..., kind: _Optional[_Union[PlanStop.Kind, str]] = ..., order: _Optional[str] = ..., arrival_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., service_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., departure_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., load_kg: _Optional[int] = ..., load_litres: _Optional[int] = ..., status: _Optional[_Union[PlanStop.Status, str]] = ..., locked: _Optional[bool] = ...) -> None: ...

class UnassignedOrder(_message.Message):
    __slots__ = ("order", "reason", "message", "message_ja")
    class Reason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        REASON_UNSPECIFIED: _ClassVar[UnassignedOrder.Reason]
        NO_COMPATIBLE_VEHICLE: _ClassVar[UnassignedOrder.Reason]
        CAPACITY: _ClassVar[UnassignedOrder.Reason]
        TIME_WINDOW: _ClassVar[UnassignedOrder.Reason]
        SHIFT: _ClassVar[UnassignedOrder.Reason]
        MAX_DURATION: _ClassVar[UnassignedOrder.Reason]
        MAX_DISTANCE: _ClassVar[UnassignedOrder.Reason]
        NOT_WORTH_ITS_PENALTY: _ClassVar[UnassignedOrder.Reason]
        FLEET_FULL: _ClassVar[UnassignedOrder.Reason]
        DRIVING_TIME_RULES: _ClassVar[UnassignedOrder.Reason]
    REASON_UNSPECIFIED: UnassignedOrder.Reason
    NO_COMPATIBLE_VEHICLE: UnassignedOrder.Reason
    CAPACITY: UnassignedOrder.Reason
    TIME_WINDOW: UnassignedOrder.Reason
    SHIFT: UnassignedOrder.Reason
    MAX_DURATION: UnassignedOrder.Reason
    MAX_DISTANCE: UnassignedOrder.Reason
    NOT_WORTH_ITS_PENALTY: UnassignedOrder.Reason
    FLEET_FULL: UnassignedOrder.Reason
    DRIVING_TIME_RULES: UnassignedOrder.Reason
    ORDER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_JA_FIELD_NUMBER: _ClassVar[int]
    order: str
    reason: UnassignedOrder.Reason
    message: str
    message_ja: str
    def __init__(self, order: _Optional[str] = ..., reason: _Optional[_Union[UnassignedOrder.Reason, str]] = ..., message: _Optional[str] = ..., message_ja: _Optional[str] = ...) -> None: ...

class PlanIssue(_message.Message):
    __slots__ = ("code", "message", "message_ja", "vehicle", "order", "amount", "limit")
    class Code(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        CODE_UNSPECIFIED: _ClassVar[PlanIssue.Code]
        CAPACITY: _ClassVar[PlanIssue.Code]
        TIME_WINDOW: _ClassVar[PlanIssue.Code]
        SHIFT: _ClassVar[PlanIssue.Code]
        MAX_DURATION: _ClassVar[PlanIssue.Code]
        MAX_DISTANCE: _ClassVar[PlanIssue.Code]
        VEHICLE_CLASS: _ClassVar[PlanIssue.Code]
        SKILL: _ClassVar[PlanIssue.Code]
        DUPLICATE_VISIT: _ClassVar[PlanIssue.Code]
        PICKUP_DELIVERY: _ClassVar[PlanIssue.Code]
        UNKNOWN_VISIT: _ClassVar[PlanIssue.Code]
        UNKNOWN_VEHICLE: _ClassVar[PlanIssue.Code]
        VEHICLE_REUSED: _ClassVar[PlanIssue.Code]
        RELOAD_NOT_ALLOWED: _ClassVar[PlanIssue.Code]
        REQUIRED_JOB_MISSING: _ClassVar[PlanIssue.Code]
        CONTINUOUS_DRIVING: _ClassVar[PlanIssue.Code]
        RESTRAINT: _ClassVar[PlanIssue.Code]
        DAILY_DRIVING: _ClassVar[PlanIssue.Code]
        LICENCE: _ClassVar[PlanIssue.Code]
        DRIVER_REUSED: _ClassVar[PlanIssue.Code]
        UNKNOWN_DRIVER: _ClassVar[PlanIssue.Code]
        DRIVER_MISSING: _ClassVar[PlanIssue.Code]
    CODE_UNSPECIFIED: PlanIssue.Code
    CAPACITY: PlanIssue.Code
    TIME_WINDOW: PlanIssue.Code
    SHIFT: PlanIssue.Code
    MAX_DURATION: PlanIssue.Code
    MAX_DISTANCE: PlanIssue.Code
    VEHICLE_CLASS: PlanIssue.Code
    SKILL: PlanIssue.Code
    DUPLICATE_VISIT: PlanIssue.Code
    PICKUP_DELIVERY: PlanIssue.Code
    UNKNOWN_VISIT: PlanIssue.Code
    UNKNOWN_VEHICLE: PlanIssue.Code
    VEHICLE_REUSED: PlanIssue.Code
    RELOAD_NOT_ALLOWED: PlanIssue.Code
    REQUIRED_JOB_MISSING: PlanIssue.Code
    CONTINUOUS_DRIVING: PlanIssue.Code
    RESTRAINT: PlanIssue.Code
    DAILY_DRIVING: PlanIssue.Code
    LICENCE: PlanIssue.Code
    DRIVER_REUSED: PlanIssue.Code
    UNKNOWN_DRIVER: PlanIssue.Code
    DRIVER_MISSING: PlanIssue.Code
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_JA_FIELD_NUMBER: _ClassVar[int]
    VEHICLE_FIELD_NUMBER: _ClassVar[int]
    ORDER_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    code: PlanIssue.Code
    message: str
    message_ja: str
    vehicle: str
    order: str
    amount: int
    limit: int
    def __init__(self, code: _Optional[_Union[PlanIssue.Code, str]] = ..., message: _Optional[str] = ..., message_ja: _Optional[str] = ..., vehicle: _Optional[str] = ..., order: _Optional[str] = ..., amount: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class GetPlanRequest(_message.Message):
    __slots__ = ("name", "revision")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    name: str
    revision: int
    def __init__(self, name: _Optional[str] = ..., revision: _Optional[int] = ...) -> None: ...

class ListPlansRequest(_message.Message):
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

class ListPlansResponse(_message.Message):
    __slots__ = ("plans", "next_page_token")
    PLANS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    plans: _containers.RepeatedCompositeFieldContainer[DeliveryPlan]
    next_page_token: str
    def __init__(self, plans: _Optional[_Iterable[_Union[DeliveryPlan, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListPlanRevisionsRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class PlanRevision(_message.Message):
    __slots__ = ("revision", "changed_by", "change", "description", "create_time")
    class Change(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        CHANGE_UNSPECIFIED: _ClassVar[PlanRevision.Change]
        CREATED: _ClassVar[PlanRevision.Change]
        REOPTIMIZED: _ClassVar[PlanRevision.Change]
        EDITED: _ClassVar[PlanRevision.Change]
        PUBLISHED: _ClassVar[PlanRevision.Change]
        REPLANNED: _ClassVar[PlanRevision.Change]
    CHANGE_UNSPECIFIED: PlanRevision.Change
    CREATED: PlanRevision.Change
    REOPTIMIZED: PlanRevision.Change
    EDITED: PlanRevision.Change
    PUBLISHED: PlanRevision.Change
    REPLANNED: PlanRevision.Change
    REVISION_FIELD_NUMBER: _ClassVar[int]
    CHANGED_BY_FIELD_NUMBER: _ClassVar[int]
    CHANGE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    revision: int
    changed_by: str
    change: PlanRevision.Change
    description: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, revision: _Optional[int] = ..., changed_by: _Optional[str] = ..., change: _Optional[_Union[PlanRevision.Change, str]] = ..., description: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListPlanRevisionsResponse(_message.Message):
    __slots__ = ("revisions",)
    REVISIONS_FIELD_NUMBER: _ClassVar[int]
    revisions: _containers.RepeatedCompositeFieldContainer[PlanRevision]
    def __init__(self, revisions: _Optional[_Iterable[_Union[PlanRevision, _Mapping]]] = ...) -> None: ...

class OptimizePlanRequest(_message.Message):
    __slots__ = ("parent", "branch", "plan_date", "time_limit", "seed", "travel", "force", "request_id", "validate_only")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    BRANCH_FIELD_NUMBER: _ClassVar[int]
    PLAN_DATE_FIELD_NUMBER: _ClassVar[int]
    TIME_LIMIT_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    TRAVEL_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    parent: str
    branch: str
    plan_date: _date_pb2.Date
    time_limit: _duration_pb2.Duration
    seed: int
    travel: TravelMode
    force: bool
    request_id: str
    validate_only: bool
    def __init__(self, parent: _Optional[str] = ..., branch: _Optional[str] = ..., plan_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., time_limit: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., seed: _Optional[int] = ..., travel: _Optional[_Union[TravelMode, str]] = ..., force: _Optional[bool] = ..., request_id: _Optional[str] = ..., validate_only: _Optional[bool] = ...) -> None: ...

class OptimizePlanMetadata(_message.Message):
    __slots__ = ("state", "create_time", "update_time", "branch", "plan_date", "plan", "orders", "vehicles", "best_cost", "improvements", "served")
    class State(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATE_UNSPECIFIED: _ClassVar[OptimizePlanMetadata.State]
        QUEUED: _ClassVar[OptimizePlanMetadata.State]
        RUNNING: _ClassVar[OptimizePlanMetadata.State]
        SUCCEEDED: _ClassVar[OptimizePlanMetadata.State]
        FAILED: _ClassVar[OptimizePlanMetadata.State]
        CANCELLED: _ClassVar[OptimizePlanMetadata.State]
    STATE_UNSPECIFIED: OptimizePlanMetadata.State
    QUEUED: OptimizePlanMetadata.State
    RUNNING: OptimizePlanMetadata.State
    SUCCEEDED: OptimizePlanMetadata.State
    FAILED: OptimizePlanMetadata.State
    CANCELLED: OptimizePlanMetadata.State
    STATE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    BRANCH_FIELD_NUMBER: _ClassVar[int]
    PLAN_DATE_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    VEHICLES_FIELD_NUMBER: _ClassVar[int]
    BEST_COST_FIELD_NUMBER: _ClassVar[int]
    IMPROVEMENTS_FIELD_NUMBER: _ClassVar[int]
    SERVED_FIELD_NUMBER: _ClassVar[int]
    state: OptimizePlanMetadata.State
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    branch: str
    plan_date: _date_pb2.Date
    plan: str
    orders: int
    vehicles: int
    best_cost: float
    improvements: int
    served: int
    def __init__(self, state: _Optional[_Union[OptimizePlanMetadata.State, str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., branch: _Optional[str] = ..., plan_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., plan: _Optional[str] = ..., orders: _Optional[int] = ..., vehicles: _Optional[int] = ..., best_cost: _Optional[float] = ..., improvements: _Optional[int] = ..., served: _Optional[int] = ...) -> None: ...

class PlanEdit(_message.Message):
    __slots__ = ("move_order", "unassign_order", "set_driver", "lock_order", "set_stop_status")
    class MoveOrder(_message.Message):
        __slots__ = ("order", "vehicle", "position")
        ORDER_FIELD_NUMBER: _ClassVar[int]
        VEHICLE_FIELD_NUMBER: _ClassVar[int]
        POSITION_FIELD_NUMBER: _ClassVar[int]
        order: str
        vehicle: str
        position: int
        def __init__(self, order: _Optional[str] = ..., vehicle: _Optional[str] = ..., position: _Optional[int] = ...) -> None: ...
    class UnassignOrder(_message.Message):
        __slots__ = ("order",)
        ORDER_FIELD_NUMBER: _ClassVar[int]
        order: str
        def __init__(self, order: _Optional[str] = ...) -> None: ...
    class SetDriver(_message.Message):
        __slots__ = ("vehicle", "driver")
        VEHICLE_FIELD_NUMBER: _ClassVar[int]
        DRIVER_FIELD_NUMBER: _ClassVar[int]
        vehicle: str
        driver: str
        def __init__(self, vehicle: _Optional[str] = ..., driver: _Optional[str] = ...) -> None: ...
    class LockOrder(_message.Message):
        __slots__ = ("order", "locked")
        ORDER_FIELD_NUMBER: _ClassVar[int]
        LOCKED_FIELD_NUMBER: _ClassVar[int]
        order: str
        locked: bool
        def __init__(self, order: _Optional[str] = ..., locked: _Optional[bool] = ...) -> None: ...
    class SetStopStatus(_message.Message):
        __slots__ = ("order", "status")
        ORDER_FIELD_NUMBER: _ClassVar[int]
        STATUS_FIELD_NUMBER: _ClassVar[int]
        order: str
        status: PlanStop.Status
        def __init__(self, order: _Optional[str] = ..., status: _Optional[_Union[PlanStop.Status, str]] = ...) -> None: ...
    MOVE_ORDER_FIELD_NUMBER: _ClassVar[int]
    UNASSIGN_ORDER_FIELD_NUMBER: _ClassVar[int]
    SET_DRIVER_FIELD_NUMBER: _ClassVar[int]
    LOCK_ORDER_FIELD_NUMBER: _ClassVar[int]
    SET_STOP_STATUS_FIELD_NUMBER: _ClassVar[int]
    move_order: PlanEdit.MoveOrder
    unassign_order: PlanEdit.UnassignOrder
    set_driver: PlanEdit.SetDriver
    lock_order: PlanEdit.LockOrder
    set_stop_status: PlanEdit.SetStopStatus
    def __init__(self, move_order: _Optional[_Union[PlanEdit.MoveOrder, _Mapping]] = ..., unassign_order: _Optional[_Union[PlanEdit.UnassignOrder, _Mapping]] = ..., set_driver: _Optional[_Union[PlanEdit.SetDriver, _Mapping]] = ..., lock_order: _Optional[_Union[PlanEdit.LockOrder, _Mapping]] = ..., set_stop_status: _Optional[_Union[PlanEdit.SetStopStatus, _Mapping]] = ...) -> None: ...

class EditPlanRequest(_message.Message):
    __slots__ = ("name", "etag", "edits", "accept_violations", "validate_only")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    EDITS_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    edits: _containers.RepeatedCompositeFieldContainer[PlanEdit]
    accept_violations: bool
    validate_only: bool
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ..., edits: _Optional[_Iterable[_Union[PlanEdit, _Mapping]]] = ..., accept_violations: _Optional[bool] = ..., validate_only: _Optional[bool] = ...) -> None: ...

class EditPlanResponse(_message.Message):
    __slots__ = ("plan", "violations", "saved", "changes")
    PLAN_FIELD_NUMBER: _ClassVar[int]
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    SAVED_FIELD_NUMBER: _ClassVar[int]
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    plan: DeliveryPlan
    violations: _containers.RepeatedCompositeFieldContainer[PlanIssue]
    saved: bool
    changes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, plan: _Optional[_Union[DeliveryPlan, _Mapping]] = ..., violations: _Optional[_Iterable[_Union[PlanIssue, _Mapping]]] = ..., saved: _Optional[bool] = ..., changes: _Optional[_Iterable[str]] = ...) -> None: ...

class PublishPlanRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class DeletePlanRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class ReplanPlanRequest(_message.Message):
    __slots__ = ("name", "etag", "time_limit", "seed", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    TIME_LIMIT_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    time_limit: _duration_pb2.Duration
    seed: int
    request_id: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ..., time_limit: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., seed: _Optional[int] = ..., request_id: _Optional[str] = ...) -> None: ...

class ReplanPlanResponse(_message.Message):
    __slots__ = ("plan", "added_orders", "removed_orders", "kept_on_road", "kept_locked")
    PLAN_FIELD_NUMBER: _ClassVar[int]
    ADDED_ORDERS_FIELD_NUMBER: _ClassVar[int]
    REMOVED_ORDERS_FIELD_NUMBER: _ClassVar[int]
    KEPT_ON_ROAD_FIELD_NUMBER: _ClassVar[int]
    KEPT_LOCKED_FIELD_NUMBER: _ClassVar[int]
    plan: DeliveryPlan
    added_orders: _containers.RepeatedScalarFieldContainer[str]
    removed_orders: _containers.RepeatedScalarFieldContainer[str]
    kept_on_road: int
    kept_locked: int
    def __init__(self, plan: _Optional[_Union[DeliveryPlan, _Mapping]] = ..., added_orders: _Optional[_Iterable[str]] = ..., removed_orders: _Optional[_Iterable[str]] = ..., kept_on_road: _Optional[int] = ..., kept_locked: _Optional[int] = ...) -> None: ...

class ComparePlansRequest(_message.Message):
    __slots__ = ("a", "a_revision", "b", "b_revision")
    A_FIELD_NUMBER: _ClassVar[int]
    A_REVISION_FIELD_NUMBER: _ClassVar[int]
    B_FIELD_NUMBER: _ClassVar[int]
    B_REVISION_FIELD_NUMBER: _ClassVar[int]
    a: str
    a_revision: int
    b: str
    b_revision: int
    def __init__(self, a: _Optional[str] = ..., a_revision: _Optional[int] = ..., b: _Optional[str] = ..., b_revision: _Optional[int] = ...) -> None: ...

class PlanTotals(_message.Message):
    __slots__ = ("distance_meters", "duration", "vehicles_used", "stops", "late_stops", "unassigned", "cost")
    DISTANCE_METERS_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    VEHICLES_USED_FIELD_NUMBER: _ClassVar[int]
    STOPS_FIELD_NUMBER: _ClassVar[int]
    LATE_STOPS_FIELD_NUMBER: _ClassVar[int]
    UNASSIGNED_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    distance_meters: int
    duration: _duration_pb2.Duration
    vehicles_used: int
    stops: int
    late_stops: int
    unassigned: int
    cost: float
    def __init__(self, distance_meters: _Optional[int] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., vehicles_used: _Optional[int] = ..., stops: _Optional[int] = ..., late_stops: _Optional[int] = ..., unassigned: _Optional[int] = ..., cost: _Optional[float] = ...) -> None: ...

class RouteDiff(_message.Message):
    __slots__ = ("vehicle", "driver_before", "driver_after", "added_orders", "removed_orders", "resequenced", "distance_before_meters", "distance_after_meters")
    VEHICLE_FIELD_NUMBER: _ClassVar[int]
    DRIVER_BEFORE_FIELD_NUMBER: _ClassVar[int]
    DRIVER_AFTER_FIELD_NUMBER: _ClassVar[int]
    ADDED_ORDERS_FIELD_NUMBER: _ClassVar[int]
    REMOVED_ORDERS_FIELD_NUMBER: _ClassVar[int]
    RESEQUENCED_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_BEFORE_METERS_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_AFTER_METERS_FIELD_NUMBER: _ClassVar[int]
    vehicle: str
    driver_before: str
    driver_after: str
    added_orders: _containers.RepeatedScalarFieldContainer[str]
    removed_orders: _containers.RepeatedScalarFieldContainer[str]
    resequenced: bool
    distance_before_meters: int
    distance_after_meters: int
    def __init__(self, vehicle: _Optional[str] = ..., driver_before: _Optional[str] = ..., driver_after: _Optional[str] = ..., added_orders: _Optional[_Iterable[str]] = ..., removed_orders: _Optional[_Iterable[str]] = ..., resequenced: _Optional[bool] = ..., distance_before_meters: _Optional[int] = ..., distance_after_meters: _Optional[int] = ...) -> None: ...

class ComparePlansResponse(_message.Message):
    __slots__ = ("a", "b", "changed_routes", "newly_unassigned", "newly_assigned")
    A_FIELD_NUMBER: _ClassVar[int]
    B_FIELD_NUMBER: _ClassVar[int]
    CHANGED_ROUTES_FIELD_NUMBER: _ClassVar[int]
    NEWLY_UNASSIGNED_FIELD_NUMBER: _ClassVar[int]
    NEWLY_ASSIGNED_FIELD_NUMBER: _ClassVar[int]
    a: PlanTotals
    b: PlanTotals
    changed_routes: _containers.RepeatedCompositeFieldContainer[RouteDiff]
    newly_unassigned: _containers.RepeatedScalarFieldContainer[str]
    newly_assigned: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, a: _Optional[_Union[PlanTotals, _Mapping]] = ..., b: _Optional[_Union[PlanTotals, _Mapping]] = ..., changed_routes: _Optional[_Iterable[_Union[RouteDiff, _Mapping]]] = ..., newly_unassigned: _Optional[_Iterable[str]] = ..., newly_assigned: _Optional[_Iterable[str]] = ...) -> None: ...

class GetDriverDayRequest(_message.Message):
    __slots__ = ("driver", "date")
    DRIVER_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    driver: str
    date: _date_pb2.Date
    def __init__(self, driver: _Optional[str] = ..., date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ...) -> None: ...

class DriverDay(_message.Message):
    __slots__ = ("plan", "plan_date", "route", "orders")
    PLAN_FIELD_NUMBER: _ClassVar[int]
    PLAN_DATE_FIELD_NUMBER: _ClassVar[int]
    ROUTE_FIELD_NUMBER: _ClassVar[int]
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    plan: str
    plan_date: _date_pb2.Date
    route: PlanRoute
    orders: _containers.RepeatedCompositeFieldContainer[_fleet_pb2.Order]
    def __init__(self, plan: _Optional[str] = ..., plan_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., route: _Optional[_Union[PlanRoute, _Mapping]] = ..., orders: _Optional[_Iterable[_Union[_fleet_pb2.Order, _Mapping]]] = ...) -> None: ...
