"""The live half of TrackingService over real sockets (a tiny servicer of ``LiveMethods`` on the in-memory
ports): stop events, vehicle states, StreamFleet, tracking links; organization isolation on each."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from google.protobuf import duration_pb2
from google.rpc import error_details_pb2
from google.type import latlng_pb2
from grpc_status import rpc_status

from hakobu.tracking.v1 import tracking_pb2 as pb
from hakobu.tracking.v1 import tracking_pb2_grpc
from server.entrypoints.grpc.tracking_live import LiveMethods, LiveServices
from server.jst import today_jst
from server.plans.records import PlanRecord
from server.platform.grpc import Service, build_server
from server.tracking.model import LiveVehicle
from server.tracking.updates import Alert, alert_message
from tests.credentials import Role, authenticate, metadata_for
from tests.unit.plans.builders import BRANCH, HOME, ORG, USER
from tests.unit.tracking.live_fakes import FakeBus, fleet_deps, published_day, stops

SECRET = b"0123456789abcdef-test-secret"


def md(org: str = ORG, **kw: object) -> tuple[tuple[str, str], ...]:
    """The call metadata of a dispatcher of ``org`` (a signed token; ``role=``, ``driver=`` for others)."""
    return metadata_for(org, user=USER, **kw)  # type: ignore[arg-type]


class _Servicer(LiveMethods, tracking_pb2_grpc.TrackingServiceServicer):
    def __init__(self, live: LiveServices) -> None:
        self.live = live


@dataclass
class Env:
    stub: tracking_pb2_grpc.TrackingServiceStub
    live: LiveServices
    plan: PlanRecord

    @property
    def plan_name(self) -> str:
        return f"organizations/{ORG}/plans/{self.plan.id}"


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    deps, plan = published_day(tmp_path, orders=6, date=today_jst())
    live = LiveServices(events=deps, fleet=fleet_deps(deps), bus=deps.bus, link_secret=SECRET)
    built = build_server("127.0.0.1:0", [Service("hakobu.tracking.v1.TrackingService",
                                                 tracking_pb2_grpc.add_TrackingServiceServicer_to_server,
                                                 _Servicer(live))], authenticate=authenticate())
    channel = grpc.insecure_channel(f"127.0.0.1:{built.port}")
    try:
        yield Env(tracking_pb2_grpc.TrackingServiceStub(channel), live, plan)
    finally:
        channel.close()
        built.server.stop(0)


def _fields(err: grpc.RpcError) -> set[str]:
    status = rpc_status.from_call(err)  # type: ignore[arg-type]
    assert status is not None
    out = set()
    for d in status.details:
        br = error_details_pb2.BadRequest()
        if d.Unpack(br):
            out |= {v.field for v in br.field_violations}
    return out


def _event(env: Env, request_id: str, type: int, vehicle: str, order: str | None = None,
           org: str = ORG, **kw: object) -> pb.StopEvent:
    ev = pb.StopEvent(type=type, vehicle=f"organizations/{ORG}/vehicles/{vehicle}",  # type: ignore[arg-type]
                      order=f"organizations/{ORG}/orders/{order}" if order else "", **kw)
    return env.stub.RecordStopEvent(pb.RecordStopEventRequest(parent=env.plan_name, stop_event=ev,
                                                              request_id=request_id), metadata=md(org))


def test_record_and_list_stop_events(env: Env) -> None:
    v, o = stops(env.plan)[0]
    proof = pb.ProofOfDelivery(receiver_name="佐藤", photo=b"\xff\xd8", photo_content_type="image/jpeg")
    got = _event(env, "r1", pb.StopEvent.DELIVERED, v, o,
                 location=latlng_pb2.LatLng(latitude=35.7, longitude=139.6), proof=proof)
    assert got.name.startswith(env.plan_name + "/stopEvents/") and got.location_source == pb.StopEvent.DEVICE
    assert got.proof.photo_uri.startswith("file://") and not got.proof.photo
    assert _event(env, "r1", pb.StopEvent.DELIVERED, v, o) == got
    _event(env, "r2", pb.StopEvent.BREAK_STARTED, v)
    listed = env.stub.ListStopEvents(pb.ListStopEventsRequest(parent=env.plan_name, page_size=1),
                                     metadata=md())
    assert [e.name for e in listed.stop_events] == [got.name] and listed.next_page_token
    rest = env.stub.ListStopEvents(pb.ListStopEventsRequest(parent=env.plan_name, page_size=1,
                                                            page_token=listed.next_page_token), metadata=md())
    assert [e.type for e in rest.stop_events] == [pb.StopEvent.BREAK_STARTED] and not rest.next_page_token
    only = env.stub.ListStopEvents(pb.ListStopEventsRequest(parent=env.plan_name, filter="type = DELIVERED"),
                                   metadata=md())
    assert [e.name for e in only.stop_events] == [got.name]


def test_bad_events_are_invalid_argument_with_field_violations(env: Env) -> None:
    v, o = stops(env.plan)[0]
    with pytest.raises(grpc.RpcError) as err:
        _event(env, "b1", pb.StopEvent.FAILED, v, o, failure_reason=pb.StopEvent.OTHER)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert _fields(err.value) == {"stop_event.failure_note"}
    with pytest.raises(grpc.RpcError) as err:
        _event(env, "b2", pb.StopEvent.TYPE_UNSPECIFIED, v, o)
    assert _fields(err.value) == {"stop_event.type"}


def test_another_organization_is_refused_everywhere(env: Env) -> None:
    v, o = stops(env.plan)[0]
    calls = [
        lambda: _event(env, "x", pb.StopEvent.ARRIVED, v, o, org="ORG-OTHER"),
        lambda: env.stub.ListStopEvents(pb.ListStopEventsRequest(parent=env.plan_name),
                                        metadata=md("ORG-OTHER")),
        lambda: env.stub.GetVehicleState(pb.GetVehicleStateRequest(
            name=f"organizations/{ORG}/vehicles/{v}/state"), metadata=md("ORG-OTHER")),
        lambda: env.stub.ListVehicleStates(pb.ListVehicleStatesRequest(
            parent=f"organizations/{ORG}/branches/{BRANCH}"), metadata=md("ORG-OTHER")),
        lambda: env.stub.CreateTrackingLink(pb.CreateTrackingLinkRequest(
            order=f"organizations/{ORG}/orders/{o}"), metadata=md("ORG-OTHER")),
        lambda: next(iter(env.stub.StreamFleet(pb.StreamFleetRequest(
            branch=f"organizations/{ORG}/branches/{BRANCH}"), metadata=md("ORG-OTHER")))),
    ]
    for call in calls:
        with pytest.raises(grpc.RpcError) as err:
            call()
        assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    # Its own names for our plan's id: not found, nothing leaks.
    with pytest.raises(grpc.RpcError) as err:
        env.stub.ListStopEvents(pb.ListStopEventsRequest(parent=f"organizations/ORG-OTHER/plans/{env.plan.id}"),
                                metadata=md("ORG-OTHER"))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


def test_vehicle_states_show_position_etas_and_progress(env: Env) -> None:
    v, o = stops(env.plan)[0]
    now = datetime.datetime.now(datetime.UTC)
    env.live.fleet.live.update([LiveVehicle(ORG, v, "dev-1", now, HOME[0], HOME[1], speed_kmh=20.0)])
    _event(env, "d", pb.StopEvent.DELIVERED, v, o)
    state = env.stub.GetVehicleState(
        pb.GetVehicleStateRequest(name=f"organizations/{ORG}/vehicles/{v}/state"), metadata=md())
    assert state.motion == pb.VehicleState.DRIVING and state.last_position.location.latitude == HOME[0]
    assert state.plan == f"organizations/{ORG}/plans/{env.plan.id}" and state.stops_done == 1
    remaining = [x for x in stops(env.plan) if x[0] == v][1:]
    assert state.stops_remaining == len(remaining) == len(state.etas)
    if remaining:
        assert state.next_order == f"organizations/{ORG}/orders/{remaining[0][1]}"
        assert all(e.HasField("estimated_arrival_time") for e in state.etas)
    listed = env.stub.ListVehicleStates(pb.ListVehicleStatesRequest(
        parent=f"organizations/{ORG}/branches/{BRANCH}"), metadata=md())
    names = {s.vehicle for s in listed.vehicle_states}
    assert names == {f"organizations/{ORG}/vehicles/V-{i}" for i in (1, 2, 3)}
    silent = [s for s in listed.vehicle_states if s.vehicle != state.vehicle]
    assert all(s.motion == pb.VehicleState.SILENT for s in silent)
    with pytest.raises(grpc.RpcError) as err:
        env.stub.GetVehicleState(pb.GetVehicleStateRequest(name=f"organizations/{ORG}/vehicles/V-404/state"),
                                 metadata=md())
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


def test_stream_fleet_sends_states_then_updates_and_ends_on_cancel(env: Env) -> None:
    v, o = stops(env.plan)[0]
    call = env.stub.StreamFleet(pb.StreamFleetRequest(branch=f"organizations/{ORG}/branches/{BRANCH}"),
                                metadata=md())
    first = [next(call) for _ in range(3)]
    assert all(u.HasField("vehicle_state") for u in first)
    bus = env.live.bus
    assert isinstance(bus, FakeBus)
    now = datetime.datetime.now(datetime.UTC)
    bus.publish("ORG-OTHER", alert_message(Alert("SILENT", "ORG-OTHER", v, "他社", now), "BR-X"))
    bus.publish(ORG, alert_message(Alert("LATE", ORG, "V-OTHER-BRANCH", "他の営業所", now), "BR-X"))
    _event(env, "s1", pb.StopEvent.ARRIVED, v, o)
    got = next(call)
    assert got.HasField("stop_event") and got.stop_event.type == pb.StopEvent.ARRIVED
    assert next(call).vehicle_state.vehicle.endswith(f"/vehicles/{v}")
    bus.publish(ORG, b'{"kind":"positions","branch":null,"vehicle_id":null,"organization":"' + ORG.encode()
                + b'","body":{"positions":[{"vehicle":"' + v.encode() + b'","device":"d","time":"'
                + now.isoformat().encode() + b'","lat":35.7,"lon":139.7,"speed":30.0,"heading":90.0}]}}')
    pos = next(call)
    assert pos.vehicle_state.last_position.location.longitude == 139.7
    bus.publish(ORG, alert_message(Alert("LATE", ORG, v, "遅れ / late", now, 12, o), BRANCH))
    alert = next(call)
    assert alert.alert.kind == pb.Alert.LATE and alert.alert.amount == 12
    call.cancel()
    done = threading.Event()
    for _ in range(50):
        if not bus.subs:
            done.set()
            break
        threading.Event().wait(0.1)
    assert done.is_set(), "the stream's subscription was not closed after the client cancelled"


def test_tracking_links_show_only_the_delivery(env: Env) -> None:
    v, o = stops(env.plan)[0]
    link = env.stub.CreateTrackingLink(
        pb.CreateTrackingLinkRequest(order=f"organizations/{ORG}/orders/{o}"), metadata=md())
    assert link.url_path == "/track/" + link.name.split("/", 1)[1]
    assert ORG not in link.name and o not in link.name
    seen = env.stub.GetShipmentTracking(pb.GetShipmentTrackingRequest(name=link.name))
    assert seen.status == pb.ShipmentTracking.SCHEDULED and seen.HasField("eta_start_time")
    now = datetime.datetime.now(datetime.UTC)
    env.live.fleet.live.update([LiveVehicle(ORG, v, "dev-1", now, HOME[0], HOME[1], speed_kmh=20.0)])
    _event(env, "a", pb.StopEvent.ARRIVED, v, o)
    seen = env.stub.GetShipmentTracking(pb.GetShipmentTrackingRequest(name=link.name))
    assert seen.status == pb.ShipmentTracking.ARRIVING and seen.vehicle_location.latitude == HOME[0]
    _event(env, "d", pb.StopEvent.DELIVERED, v, o)
    seen = env.stub.GetShipmentTracking(pb.GetShipmentTrackingRequest(name=link.name))
    assert seen.status == pb.ShipmentTracking.DELIVERED and not seen.HasField("vehicle_location")
    forged = link.name[:-4] + ("AAAA" if not link.name.endswith("AAAA") else "BBBB")
    short = env.stub.CreateTrackingLink(pb.CreateTrackingLinkRequest(
        order=f"organizations/{ORG}/orders/{o}", ttl=duration_pb2.Duration(seconds=60)), metadata=md())
    assert short.expire_time.ToDatetime(datetime.UTC) <= now + datetime.timedelta(seconds=70)
    for name in (forged, "trackingLinks/" + "A" * 40):
        with pytest.raises(grpc.RpcError) as err:
            env.stub.GetShipmentTracking(pb.GetShipmentTrackingRequest(name=name))
        assert err.value.code() == grpc.StatusCode.NOT_FOUND


def test_a_driver_acts_only_for_his_own_vehicle(env: Env) -> None:
    route = env.plan.routes[0]
    v, o = next((r.vehicle_id, s.order_id) for r in env.plan.routes for s in r.stops if s.order_id)
    others = [(r.vehicle_id, s.order_id) for r in env.plan.routes for s in r.stops
              if s.order_id and r.vehicle_id != v]
    mine = md(role=Role.DRIVER, driver=route.driver_id)
    ev = pb.StopEvent(type=pb.StopEvent.ARRIVED, vehicle=f"organizations/{ORG}/vehicles/{v}",
                      order=f"organizations/{ORG}/orders/{o}")
    got = env.stub.RecordStopEvent(pb.RecordStopEventRequest(parent=env.plan_name, stop_event=ev,
                                                             request_id="drv-1"), metadata=mine)
    assert got.vehicle.endswith(v)
    state = env.stub.GetVehicleState(
        pb.GetVehicleStateRequest(name=f"organizations/{ORG}/vehicles/{v}/state"), metadata=mine)
    assert state.vehicle.endswith(v)
    if others:
        ov, oo = others[0]
        ev = pb.StopEvent(type=pb.StopEvent.ARRIVED, vehicle=f"organizations/{ORG}/vehicles/{ov}",
                          order=f"organizations/{ORG}/orders/{oo}")
        with pytest.raises(grpc.RpcError) as err:
            env.stub.RecordStopEvent(pb.RecordStopEventRequest(parent=env.plan_name, stop_event=ev,
                                                               request_id="drv-2"), metadata=mine)
        assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
        _event(env, "disp", pb.StopEvent.ARRIVED, ov, oo)
    listed = env.stub.ListStopEvents(pb.ListStopEventsRequest(parent=env.plan_name), metadata=mine)
    assert {e.vehicle for e in listed.stop_events} == {f"organizations/{ORG}/vehicles/{v}"}
    with pytest.raises(grpc.RpcError) as err:
        env.stub.ListVehicleStates(
            pb.ListVehicleStatesRequest(parent=f"organizations/{ORG}/branches/{BRANCH}"), metadata=mine)
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
