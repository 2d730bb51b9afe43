"""The live half of TrackingService: stop events, vehicle states, the fleet stream, tracking links.

``LiveMethods`` is a mixin: the servicer (``server.entrypoints.grpc.tracking``) combines it with the
ingest half and the generated base, and sets ``self.live`` to a :class:`LiveServices`.
"""

from __future__ import annotations

import datetime
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import grpc

from hakobu.tracking.v1 import tracking_pb2 as pb
from server.entrypoints.grpc import aip
from server.entrypoints.grpc.context import Caller, caller, parse_name, shown
from server.entrypoints.grpc.driver_view import check_own_plan
from server.entrypoints.grpc.errors import FieldError, abort_bad_request, abort_for
from server.entrypoints.grpc.tracking_live_convert import (
    alert_to_proto,
    new_event_from_proto,
    shipment_to_proto,
    stop_event_to_proto,
    vehicle_state_to_proto,
)
from server.entrypoints.grpc.wellknown import ts
from server.identity.principal import Principal, Role
from server.plans.errors import RepositoryError
from server.platform.observability import DELIVERIES
from server.tracking import updates
from server.tracking.events import EventDeps, EventError, list_events, record_event
from server.tracking.fleet import FleetDeps, VehicleView, branch_views, get_view, vehicle_view
from server.tracking.links import create_link, shipment
from server.tracking.model import EventType, LiveVehicle
from server.tracking.ports import FleetBus

log = logging.getLogger("hakobu.tracking.live")

#: StreamFleet re-reads a vehicle's plan and ETAs at most this often; positions in between only move it.
STATE_REFRESH_SECONDS = 5.0
#: How often StreamFleet checks that its client is still there.
POLL_SECONDS = 0.5
_EVENT_FILTERS: aip.FilterSpec = {
    "vehicle": ("vehicle_id", aip.filter_ref("vehicles")),
    "order": ("order_id", aip.filter_ref("orders")),
    "type": ("type", aip.filter_enum(pb.StopEvent.Type, "type")),
}


@dataclass
class LiveServices:
    """What the live methods use: stop events, the fleet's state, the bus and the tracking-link key."""

    events: EventDeps
    fleet: FleetDeps
    bus: FleetBus | None
    link_secret: bytes


def _errors(method: Callable[..., Any]) -> Callable[..., Any]:
    """Known errors become their gRPC status; an event's bad fields a BadRequest naming each field."""

    def wrapper(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
        try:
            return method(self, request, context)
        except EventError as exc:
            abort_bad_request(context, exc.violations)
        except (FieldError, RepositoryError) as exc:
            abort_for(context, exc)

    wrapper.__name__ = method.__name__
    wrapper.__doc__ = method.__doc__
    return wrapper


def _driver(who: Caller) -> Principal | None:
    """The caller's principal when it is a DRIVER (whose calls are narrowed to his own vehicle)."""
    p = who.principal
    return p if p is not None and p.role is Role.DRIVER else None


def _own(context: grpc.ServicerContext, driver: Principal, vehicle_id: str,
         route_driver: str | None) -> None:
    """A DRIVER acts only for his own vehicle (or the route he drives): PERMISSION_DENIED otherwise."""
    if vehicle_id == driver.vehicle or (driver.driver is not None and route_driver == driver.driver):
        return
    context.abort(grpc.StatusCode.PERMISSION_DENIED,
                  f"自分の車両以外は操作できません / a driver acts only for his own vehicle, "
                  f"not {vehicle_id}")


class LiveMethods:
    """Set ``live`` (the constructor, or the combined servicer does) before serving."""

    live: LiveServices

    def __init__(self, live: LiveServices | None = None) -> None:
        if live is not None:
            self.live = live

    def _resolver(self, context: grpc.ServicerContext, who: Caller) -> Callable[[str, str, str], str]:
        return lambda name, collection, field: parse_name(context, who, name, collection, field)

    # ------------------------------------------------------------ stop events

    @_errors
    def RecordStopEvent(self, request: pb.RecordStopEventRequest,
                        context: grpc.ServicerContext) -> pb.StopEvent:
        who = caller(context)
        plan_id = parse_name(context, who, request.parent, "plans", "parent")
        check_own_plan(context, self.live.events.plans, who, plan_id)  # a DRIVER: his plans only
        if not request.HasField("stop_event"):
            raise FieldError([("stop_event", "イベントを指定してください / stop_event is required")])
        new = new_event_from_proto(request, self._resolver(context, who))
        driver = _driver(who)
        if driver is not None:
            plan = self.live.events.plans.plans.get(who.organization, plan_id)
            route = next((r for r in plan.routes if r.vehicle_id == new.vehicle_id), None)
            _own(context, driver, new.vehicle_id, route.driver_id if route else None)
        event, created = record_event(self.live.events, who.organization, plan_id, new, who.user)
        if created and event.type.value in ("DELIVERED", "FAILED"):
            DELIVERIES.labels(event.type.value.lower()).inc()
        return stop_event_to_proto(event)

    @_errors
    def ListStopEvents(self, request: pb.ListStopEventsRequest,
                       context: grpc.ServicerContext) -> pb.ListStopEventsResponse:
        who = caller(context)
        plan_id = parse_name(context, who, request.parent, "plans", "parent")
        check_own_plan(context, self.live.events.plans, who, plan_id)  # a DRIVER: his plans only
        flt = aip.parse_filter(request.filter, _EVENT_FILTERS, self._resolver(context, who))
        if "type" in flt:
            flt["type"] = EventType(flt["type"])
        size = aip.page_size(request.page_size)
        start = 0
        if request.page_token:
            start = aip.decode_page_token(request.page_token, [plan_id, request.filter])
            if not isinstance(start, int) or start < 0:
                raise FieldError([("page_token", "ページトークンが使えません / bad page_token")])
        events = list_events(self.live.events, who.organization, plan_id, **flt)
        driver = _driver(who)
        if driver is not None:
            plan = self.live.events.plans.plans.get(who.organization, plan_id)
            mine = {r.vehicle_id for r in plan.routes
                    if r.driver_id is not None and r.driver_id == driver.driver}
            mine |= {driver.vehicle} if driver.vehicle else set()
            events = [e for e in events if e.vehicle_id in mine]
        page = events[start:start + size]
        token = (aip.encode_page_token(start + size, [plan_id, request.filter])
                 if start + size < len(events) else "")
        return pb.ListStopEventsResponse(stop_events=[stop_event_to_proto(e) for e in page],
                                         next_page_token=token)

    # ------------------------------------------------------------ vehicle states

    @_errors
    def GetVehicleState(self, request: pb.GetVehicleStateRequest,
                        context: grpc.ServicerContext) -> pb.VehicleState:
        who = caller(context)
        name = request.name or ""
        if not name.endswith("/state"):
            abort_bad_request(context, [("name", "must look like organizations/{organization}/vehicles/"
                                                 f"{{vehicle}}/state, got {shown(name)}")])
        vehicle = parse_name(context, who, name.removesuffix("/state"), "vehicles", "name")
        view = get_view(self.live.fleet, who.organization, vehicle)
        driver = _driver(who)
        if driver is not None:
            _own(context, driver, vehicle, view.driver_id)
        return vehicle_state_to_proto(view)

    @_errors
    def ListVehicleStates(self, request: pb.ListVehicleStatesRequest,
                          context: grpc.ServicerContext) -> pb.ListVehicleStatesResponse:
        who = caller(context)
        branch = parse_name(context, who, request.parent, "branches", "parent")
        size = aip.page_size(request.page_size)
        start = 0
        if request.page_token:
            start = aip.decode_page_token(request.page_token, [branch])
            if not isinstance(start, int) or start < 0:
                raise FieldError([("page_token", "ページトークンが使えません / bad page_token")])
        views = branch_views(self.live.fleet, who.organization, branch)
        token = aip.encode_page_token(start + size, [branch]) if start + size < len(views) else ""
        page = [vehicle_state_to_proto(v) for v in views[start:start + size]]
        return pb.ListVehicleStatesResponse(vehicle_states=page, next_page_token=token)

    # ------------------------------------------------------------ the fleet stream

    def StreamFleet(self, request: pb.StreamFleetRequest, context: grpc.ServicerContext) -> Iterator[
            pb.FleetUpdate]:
        who = caller(context)
        branch = parse_name(context, who, request.branch, "branches", "branch")
        org = who.organization
        fleet = self.live.fleet
        sub = self.live.bus.subscribe(org) if self.live.bus is not None else None
        try:
            try:
                views = branch_views(fleet, org, branch)
            except RepositoryError as exc:
                abort_for(context, exc)
            cache: dict[str, tuple[float, VehicleView]] = {}
            for v in views:
                cache[v.vehicle_id] = (time.monotonic(), v)
                yield pb.FleetUpdate(time=ts(fleet.clock()), vehicle_state=vehicle_state_to_proto(v))
            if sub is None:
                return
            while context.is_active():
                payload = sub.next(POLL_SECONDS)
                if payload is None:
                    continue
                try:
                    out = list(self._updates(org, branch, cache, payload))
                except Exception:  # one bad message never ends a dispatcher's stream
                    log.exception("a fleet message could not be read")
                    continue
                yield from out
        finally:
            if sub is not None:
                sub.close()

    def _updates(self, org: str, branch: str, cache: dict[str, tuple[float, VehicleView]],
                 payload: bytes) -> Iterator[pb.FleetUpdate]:
        """The FleetUpdates a bus message means for this branch's subscriber (nothing for other branches)."""
        msg = updates.parse(payload)
        if msg is None:
            return
        kind, now = msg["kind"], ts(self.live.fleet.clock())
        if kind == updates.EVENT and msg.get("vehicle_id") in cache:
            yield pb.FleetUpdate(time=now, stop_event=stop_event_to_proto(updates.event_from(msg["body"])))
            yield from self._state(org, msg["vehicle_id"], cache, None, refresh=True)
        elif kind == updates.ALERT and msg.get("vehicle_id") in cache:
            yield pb.FleetUpdate(time=now, alert=alert_to_proto(updates.alert_from(msg["body"])))
        elif kind == updates.STATE and msg.get("vehicle_id") in cache:
            yield from self._state(org, msg["vehicle_id"], cache, None, refresh=True)
        elif kind == "positions":
            newest: dict[str, LiveVehicle] = {}
            for row in msg.get("body", {}).get("positions", []):
                if row.get("vehicle") not in cache:
                    continue
                pos = LiveVehicle(org, row["vehicle"], row.get("device", ""),
                                  datetime.datetime.fromisoformat(row["time"]), row["lat"], row["lon"],
                                  row.get("speed"), row.get("heading"))
                if pos.vehicle_id not in newest or newest[pos.vehicle_id].time <= pos.time:
                    newest[pos.vehicle_id] = pos
            for vehicle_id, pos in newest.items():
                yield from self._state(org, vehicle_id, cache, pos, refresh=False)

    def _state(self, org: str, vehicle_id: str, cache: dict[str, tuple[float, VehicleView]],
               pos: LiveVehicle | None, refresh: bool) -> Iterator[pb.FleetUpdate]:
        fleet = self.live.fleet
        at, view = cache[vehicle_id]
        if refresh or time.monotonic() - at > STATE_REFRESH_SECONDS:
            vehicle = fleet.vehicles.get(org, vehicle_id)
            view = vehicle_view(fleet, org, vehicle)
            at = time.monotonic()
        if pos is not None and (view.last is None or view.last.time <= pos.time):
            from dataclasses import replace

            view = replace(view, last=pos, updated=pos.time)
        cache[vehicle_id] = (at, view)
        yield pb.FleetUpdate(time=ts(fleet.clock()), vehicle_state=vehicle_state_to_proto(view))

    # ------------------------------------------------------------ tracking links

    @_errors
    def CreateTrackingLink(self, request: pb.CreateTrackingLinkRequest,
                           context: grpc.ServicerContext) -> pb.TrackingLink:
        who = caller(context)
        order = parse_name(context, who, request.order, "orders", "order")
        ttl = request.ttl.ToTimedelta() if request.HasField("ttl") else None
        link = create_link(self.live.fleet, self.live.link_secret, who.organization, order, ttl)
        return pb.TrackingLink(name=f"trackingLinks/{link.token}", order=request.order,
                               expire_time=ts(link.expires), url_path=f"/track/{link.token}")

    @_errors
    def GetShipmentTracking(self, request: pb.GetShipmentTrackingRequest,
                            context: grpc.ServicerContext) -> pb.ShipmentTracking:
        # Public: no caller identity; the signed token is the only key.
        m = re.fullmatch(r"trackingLinks/([A-Za-z0-9_-]{20,400})", request.name or "")
        if m is None:
            abort_bad_request(context, [("name", f"must look like trackingLinks/{{token}}, got "
                                                 f"{shown(request.name)}")])
        return shipment_to_proto(request.name, shipment(self.live.fleet, self.live.link_secret, m.group(1)))
