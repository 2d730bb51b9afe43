"""The live half of tracking ↔ protobuf: stop events, vehicle states, alerts, shipment tracking."""

from __future__ import annotations

import datetime
from typing import Any

from google.type import latlng_pb2

from hakobu.tracking.v1 import tracking_pb2 as pb
from server.entrypoints.grpc.context import resource_name
from server.entrypoints.grpc.errors import FieldError
from server.entrypoints.grpc.wellknown import ts
from server.tracking.events import NewEvent
from server.tracking.fleet import VehicleView
from server.tracking.links import Shipment
from server.tracking.model import EventSource, EventType, FailureReason, LiveVehicle, StopEvent
from server.tracking.updates import Alert


def _latlng(lat: float | None, lon: float | None) -> latlng_pb2.LatLng | None:
    return None if lat is None or lon is None else latlng_pb2.LatLng(latitude=lat, longitude=lon)


def stop_event_to_proto(e: StopEvent) -> pb.StopEvent:
    org = e.organization
    return pb.StopEvent(
        name=f"organizations/{org}/plans/{e.plan_id}/stopEvents/{e.event_id}",
        type=pb.StopEvent.Type.Value(e.type.value),
        vehicle=resource_name(org, "vehicles", e.vehicle_id),
        order=resource_name(org, "orders", e.order_id) if e.order_id else "",
        failure_reason=pb.StopEvent.FailureReason.Value(e.failure_reason.value) if e.failure_reason else 0,
        failure_note=e.failure_note,
        event_time=ts(e.time),
        location=_latlng(e.latitude, e.longitude),
        location_source=pb.StopEvent.LocationSource.Value(e.location_source.value),
        source=pb.StopEvent.Source.Value(e.source.value),
        proof=pb.ProofOfDelivery(receiver_name=e.receiver_name, photo_uri=e.photo_uri,
                                 signature_uri=e.signature_uri),
        driver=resource_name(org, "drivers", e.driver_id) if e.driver_id else "",
        requested_by=e.requested_by,
        create_time=ts(e.created_at),
    )


def new_event_from_proto(req: pb.RecordStopEventRequest, resolve: Any) -> NewEvent:
    """The event asked for; ``resolve(name, collection, field)`` → id (checks the organization)."""
    e = req.stop_event
    bad: list[tuple[str, str]] = []
    if e.type == pb.StopEvent.TYPE_UNSPECIFIED or e.type not in pb.StopEvent.Type.values():
        names = ", ".join(n for n in pb.StopEvent.Type.keys() if n != "TYPE_UNSPECIFIED")
        bad.append(("stop_event.type", f"種類を指定してください / type is required: one of {names}"))
    if e.failure_reason not in pb.StopEvent.FailureReason.values():
        bad.append(("stop_event.failure_reason",
                    f"不明な理由です / unknown failure_reason {e.failure_reason}"))
    if e.source not in pb.StopEvent.Source.values():
        bad.append(("stop_event.source", f"不明な記録元です / unknown source {e.source}"))
    if not e.vehicle:
        bad.append(("stop_event.vehicle", "車両を指定してください / vehicle is required"))
    if e.source == pb.StopEvent.GEOFENCE:
        bad.append(("stop_event.source", "GEOFENCE はサーバーが記録します / GEOFENCE events are recorded by "
                                         "the server itself"))
    if bad:
        raise FieldError(bad)
    vehicle = resolve(e.vehicle, "vehicles", "stop_event.vehicle")
    order = resolve(e.order, "orders", "stop_event.order") if e.order else None
    has_loc = e.HasField("location")
    return NewEvent(
        request_id=req.request_id,
        type=EventType(pb.StopEvent.Type.Name(e.type)),
        vehicle_id=vehicle,
        order_id=order,
        time=e.event_time.ToDatetime(datetime.UTC) if e.HasField("event_time") else None,
        failure_reason=(FailureReason(pb.StopEvent.FailureReason.Name(e.failure_reason))
                        if e.failure_reason else None),
        failure_note=e.failure_note,
        latitude=e.location.latitude if has_loc else None,
        longitude=e.location.longitude if has_loc else None,
        source=EventSource(pb.StopEvent.Source.Name(e.source)) if e.source else EventSource.DRIVER,
        receiver_name=e.proof.receiver_name,
        photo=e.proof.photo,
        photo_content_type=e.proof.photo_content_type,
        signature=e.proof.signature,
        signature_content_type=e.proof.signature_content_type,
        requested_by=e.requested_by,
    )


def alert_to_proto(a: Alert) -> pb.Alert:
    org = a.organization
    return pb.Alert(
        kind=pb.Alert.Kind.Value(a.kind), vehicle=resource_name(org, "vehicles", a.vehicle_id),
        order=resource_name(org, "orders", a.order_id) if a.order_id else "", message=a.message,
        create_time=ts(a.time), amount=a.amount,
    )


def position_to_proto(v: LiveVehicle) -> pb.Position:
    out = pb.Position(device_id=v.device_id, time=ts(v.time),
                      location=latlng_pb2.LatLng(latitude=v.latitude, longitude=v.longitude),
                      vehicle=resource_name(v.organization, "vehicles", v.vehicle_id))
    if v.speed_kmh is not None:
        out.speed_kmh = v.speed_kmh
    if v.heading is not None:
        out.heading_degrees = v.heading
    return out


def vehicle_state_to_proto(v: VehicleView) -> pb.VehicleState:
    org = v.organization
    nxt = v.next
    out = pb.VehicleState(
        name=f"organizations/{org}/vehicles/{v.vehicle_id}/state",
        vehicle=resource_name(org, "vehicles", v.vehicle_id),
        branch=resource_name(org, "branches", v.branch_id),
        driver=resource_name(org, "drivers", v.driver_id) if v.driver_id else "",
        device=resource_name(org, "devices", v.last.device_id) if v.last else "",
        plan=resource_name(org, "plans", v.plan_id) if v.plan_id else "",
        motion=pb.VehicleState.Motion.Value(v.motion),
        next_order=resource_name(org, "orders", nxt.stop.order_id) if nxt and nxt.stop.order_id else "",
        next_stop_sequence=nxt.stop.sequence if nxt else 0,
        minutes_late=v.minutes_late,
        alerts=[alert_to_proto(a) for a in v.alerts],
        stops_done=v.stops_done, stops_failed=v.stops_failed, stops_remaining=len(v.etas),
        update_time=ts(v.updated),
    )
    if v.last is not None:
        out.last_position.CopyFrom(position_to_proto(v.last))
    for e in v.etas:
        out.etas.append(pb.StopEta(
            sequence=e.stop.sequence,
            order=resource_name(org, "orders", e.stop.order_id) if e.stop.order_id else "",
            planned_arrival_time=ts(e.stop.arrival), estimated_arrival_time=ts(e.eta),
            window_start_time=ts(e.stop.window_start), window_end_time=ts(e.stop.window_end),
            minutes_late=e.minutes_late,
        ))
    return out


def shipment_to_proto(name: str, s: Shipment) -> pb.ShipmentTracking:
    out = pb.ShipmentTracking(
        name=name, status=pb.ShipmentTracking.Status.Value(s.status),
        window_start_time=ts(s.window_start), window_end_time=ts(s.window_end),
        eta_start_time=ts(s.eta_start), eta_end_time=ts(s.eta_end), stops_before=s.stops_before,
        update_time=ts(s.updated),
    )
    if s.vehicle is not None:
        out.vehicle_location.CopyFrom(latlng_pb2.LatLng(latitude=s.vehicle.latitude,
                                                        longitude=s.vehicle.longitude))
    return out
