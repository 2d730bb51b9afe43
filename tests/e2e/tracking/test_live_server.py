"""The live half on the real tracking server (PostgreSQL, the OsmAnd endpoint, tokens): a phone's
positions at a stop become a GEOFENCE arrival that moves today's plan, a StreamFleet subscriber sees the
position and the event, and a consignee's link shows the truck arriving."""

from __future__ import annotations

import datetime
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import grpc
import pytest

from hakobu.tracking.v1 import tracking_pb2 as pb
from hakobu.tracking.v1 import tracking_pb2_grpc
from optimizer.solve import SolveOptions
from server.adapters.postgres.migrate import migrate
from server.adapters.postgres.seed import NERIMA_BRANCH_ID, ORG_ID, seed
from server.bootstrap import RunningTracking, create_tracking_server, open_batch
from server.jst import today_jst
from server.plans.optimize import optimize_day
from server.plans.queries import publish_plan
from server.plans.records import PlanRecord
from tests.credentials import metadata_for, settings
from tests.integration.db.conftest import create_database, drop_database

ORG = f"organizations/{ORG_ID}"


@dataclass
class Live:
    url: str
    running: RunningTracking
    stub: tracking_pb2_grpc.TrackingServiceStub
    plan: PlanRecord
    where: dict[str, tuple[float, float]]

    def phone(self, vehicle: str, at: datetime.datetime, lat: float, lon: float,
              speed_knots: float = 0) -> int:
        q = urlencode({"id": vehicle, "lat": lat, "lon": lon, "timestamp": int(at.timestamp()),
                       "speed": speed_knots})
        with urllib.request.urlopen(f"http://127.0.0.1:{self.running.osmand_port}/?{q}", timeout=10) as r:
            return int(r.status)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    name, url = create_database()
    running = None
    try:
        migrate(url)
        seed(url, today_jst())
        s = settings(data_dir=Path(tmp_path_factory.mktemp("live")), arrival_dwell=60.0)
        with open_batch(s, url) as batch:
            plan, _ = optimize_day(batch.stores, ORG_ID, NERIMA_BRANCH_ID, today_jst(),
                                   SolveOptions(time_limit=2, seed=1), "U-002")
            plan = publish_plan(batch.stores, ORG_ID, plan.id, plan.etag, "U-002")
            where = {o.id: (o.latitude, o.longitude)
                     for o in batch.stores.master.day_orders(ORG_ID, NERIMA_BRANCH_ID, today_jst())}
        running = create_tracking_server("127.0.0.1:0", url, osmand_address="127.0.0.1:0", settings=s)
        channel = grpc.insecure_channel(f"127.0.0.1:{running.port}")
        yield Live(url, running, tracking_pb2_grpc.TrackingServiceStub(channel), plan, where)
        channel.close()
    finally:
        if running is not None:
            running.stop(1)
        drop_database(name)


def test_positions_at_a_stop_arrive_stream_and_show_on_the_consignee_link(live: Live) -> None:
    md = metadata_for(ORG_ID, user="U-002")
    route = live.plan.routes[0]
    order = next(s.order_id for s in route.stops if s.order_id)
    assert order is not None
    lat, lon = live.where[order]
    link = live.stub.CreateTrackingLink(pb.CreateTrackingLinkRequest(order=f"{ORG}/orders/{order}"),
                                        metadata=md)
    call = live.stub.StreamFleet(pb.StreamFleetRequest(branch=f"{ORG}/branches/{NERIMA_BRANCH_ID}"),
                                 metadata=md)
    first = next(call)
    assert first.HasField("vehicle_state")
    seen: list[pb.FleetUpdate] = []
    got_event = threading.Event()

    def read() -> None:
        try:
            for u in call:
                seen.append(u)
                if u.HasField("stop_event"):
                    got_event.set()
        except grpc.RpcError as exc:  # cancelled below
            assert exc.code() == grpc.StatusCode.CANCELLED

    threading.Thread(target=read, daemon=True).start()
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    for i in range(4):  # three minutes at the stop
        assert live.phone(route.vehicle_id, now + datetime.timedelta(minutes=i - 4), lat, lon) == 200
    assert got_event.wait(20), "no GEOFENCE event reached the stream"
    call.cancel()
    events = live.stub.ListStopEvents(pb.ListStopEventsRequest(parent=f"{ORG}/plans/{live.plan.id}"),
                                      metadata=md).stop_events
    arrived = [e for e in events if e.type == pb.StopEvent.ARRIVED]
    assert len(arrived) == 1 and arrived[0].source == pb.StopEvent.GEOFENCE
    assert arrived[0].order == f"{ORG}/orders/{order}" and arrived[0].location_source == pb.StopEvent.DEVICE
    moved = [u.vehicle_state for u in seen if u.HasField("vehicle_state")
             and u.vehicle_state.vehicle.endswith("/" + route.vehicle_id)]
    assert any(abs(s.last_position.location.latitude - lat) < 1e-6 for s in moved)
    state = live.stub.GetVehicleState(
        pb.GetVehicleStateRequest(name=f"{ORG}/vehicles/{route.vehicle_id}/state"), metadata=md)
    assert state.plan == f"{ORG}/plans/{live.plan.id}" and state.last_position.location.longitude == lon
    shown = live.stub.GetShipmentTracking(pb.GetShipmentTrackingRequest(name=link.name))
    assert shown.status == pb.ShipmentTracking.ARRIVING and shown.vehicle_location.latitude == lat
