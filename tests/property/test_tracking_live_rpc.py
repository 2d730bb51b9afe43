"""The live half of TrackingService under random requests (a servicer of ``LiveMethods`` over the in-memory
ports on port 0, a published day): no server fault, BadRequest paths that resolve in the request, and a
refused event changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from google.protobuf import duration_pb2, timestamp_pb2
from google.type import latlng_pb2
from hypothesis import given
from hypothesis import strategies as st

from hakobu.tracking.v1 import tracking_pb2 as pb
from hakobu.tracking.v1 import tracking_pb2_grpc
from server.entrypoints.grpc.tracking_live import LiveMethods, LiveServices
from server.jst import today_jst
from server.platform.grpc import Service, build_server
from tests.credentials import authenticate, metadata_for
from tests.property.conftest import SERVER_FAULTS, check_error
from tests.unit.plans.builders import BRANCH, ORG, USER
from tests.unit.tracking.live_fakes import fleet_deps, published_day

MD = metadata_for(ORG, user=USER)


class _Servicer(LiveMethods, tracking_pb2_grpc.TrackingServiceServicer):
    pass


@dataclass(repr=False)
class Env:
    stub: tracking_pb2_grpc.TrackingServiceStub
    live: LiveServices
    plan_name: str
    vehicles: list[str]
    orders: list[str]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    deps, plan = published_day(Path(tmp_path_factory.mktemp("live")), orders=6, date=today_jst())
    live = LiveServices(events=deps, fleet=fleet_deps(deps), bus=deps.bus, link_secret=b"k" * 32)
    built = build_server("127.0.0.1:0", [Service("hakobu.tracking.v1.TrackingService",
                                                 tracking_pb2_grpc.add_TrackingServiceServicer_to_server,
                                                 _Servicer(live))], authenticate=authenticate())
    with grpc.insecure_channel(f"127.0.0.1:{built.port}") as channel:
        yield Env(tracking_pb2_grpc.TrackingServiceStub(channel), live,
                  f"organizations/{ORG}/plans/{plan.id}", [r.vehicle_id for r in plan.routes],
                  [s.order_id for r in plan.routes for s in r.stops if s.order_id])
    built.server.stop(0)


_text = st.text(max_size=40)
_num = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-1000, 1000).map(float))


def _ref(collection: str, known: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(_text, st.sampled_from(known).map(lambda i: f"organizations/{ORG}/{collection}/{i}"),
                     st.just(f"organizations/ORG-OTHER/{collection}/X"), st.just(""))


@st.composite
def _events(draw: st.DrawFn, env: Env) -> pb.RecordStopEventRequest:
    ev = pb.StopEvent(
        type=draw(st.integers(-2, 15)), vehicle=draw(_ref("vehicles", env.vehicles)),
        order=draw(_ref("orders", env.orders)), failure_reason=draw(st.integers(-1, 7)),
        failure_note=draw(_text), source=draw(st.integers(-1, 5)), requested_by=draw(_text),
    )
    if draw(st.booleans()):
        ev.location.CopyFrom(latlng_pb2.LatLng(latitude=draw(_num), longitude=draw(_num)))
    if draw(st.booleans()):
        ev.event_time.CopyFrom(timestamp_pb2.Timestamp(seconds=draw(st.integers(0, 4_000_000_000))))
    if draw(st.booleans()):
        ev.proof.CopyFrom(pb.ProofOfDelivery(
            receiver_name=draw(_text), photo=draw(st.binary(max_size=64)),
            photo_content_type=draw(st.sampled_from(["image/jpeg", "image/png", "image/gif", "", "x/y"])),
            signature=draw(st.binary(max_size=64)),
            signature_content_type=draw(st.sampled_from(["image/png", "image/svg+xml", "text/plain"]))))
    parent = draw(st.one_of(st.just(env.plan_name), _text, st.just("organizations/ORG-OTHER/plans/P")))
    return pb.RecordStopEventRequest(parent=parent, stop_event=ev, request_id=draw(st.text(max_size=140)))


@given(data=st.data())
def test_random_stop_events_never_fault_and_refusals_store_nothing(env: Env, data: st.DataObject) -> None:
    req = data.draw(_events(env))
    before = len(env.live.events.events.for_plan(ORG, env.plan_name.rsplit("/", 1)[1]))
    try:
        env.stub.RecordStopEvent(req, metadata=MD, timeout=30)
    except grpc.RpcError as err:
        check_error(err, pb.RecordStopEventRequest.DESCRIPTOR)
        after = len(env.live.events.events.for_plan(ORG, env.plan_name.rsplit("/", 1)[1]))
        assert after == before


@given(parent=_text, filter=_text, size=st.integers(-5, 2000), token=_text)
def test_random_lists_and_states_never_fault(env: Env, parent: str, filter: str, size: int,
                                             token: str) -> None:
    calls = [
        (lambda: env.stub.ListStopEvents(pb.ListStopEventsRequest(
            parent=env.plan_name if len(parent) % 2 else parent, filter=filter, page_size=size,
            page_token=token), metadata=MD, timeout=30), pb.ListStopEventsRequest.DESCRIPTOR),
        (lambda: env.stub.GetVehicleState(pb.GetVehicleStateRequest(name=parent), metadata=MD, timeout=30),
         pb.GetVehicleStateRequest.DESCRIPTOR),
        (lambda: env.stub.ListVehicleStates(pb.ListVehicleStatesRequest(
            parent=f"organizations/{ORG}/branches/{BRANCH}" if len(parent) % 2 else parent, page_size=size,
            page_token=token), metadata=MD, timeout=30), pb.ListVehicleStatesRequest.DESCRIPTOR),
        (lambda: env.stub.GetShipmentTracking(pb.GetShipmentTrackingRequest(name="trackingLinks/" + parent),
                                              timeout=30), pb.GetShipmentTrackingRequest.DESCRIPTOR),
        (lambda: env.stub.CreateTrackingLink(pb.CreateTrackingLinkRequest(
            order=parent, ttl=duration_pb2.Duration(seconds=size * 1000)), metadata=MD, timeout=30),
         pb.CreateTrackingLinkRequest.DESCRIPTOR),
    ]
    for call, descriptor in calls:
        try:
            call()
        except grpc.RpcError as err:
            check_error(err, descriptor)


def test_a_stream_for_a_bad_branch_is_refused_not_faulted(env: Env) -> None:
    for branch in ("", "organizations/x", f"organizations/{ORG}/branches/NOPE",
                   "organizations/ORG-OTHER/branches/B"):
        with pytest.raises(grpc.RpcError) as err:
            next(iter(env.stub.StreamFleet(pb.StreamFleetRequest(branch=branch), metadata=MD, timeout=10)))
        assert err.value.code() not in SERVER_FAULTS, err.value.details()
