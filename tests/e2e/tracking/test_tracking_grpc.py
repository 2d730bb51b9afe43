"""TrackingService over a real socket: positions acknowledged after they are stored, re-sends stored
once, bad positions rejected in the acknowledgement, oversized batches refused, devices managed with
the standard methods, and nothing of another organization reachable."""

from __future__ import annotations

import datetime
import uuid

import grpc
import psycopg
import pytest
from google.rpc import error_details_pb2
from google.type import latlng_pb2
from grpc_status import rpc_status

from hakobu.tracking.v1 import tracking_pb2 as pb
from server.adapters.postgres.seed import ORG_ID
from tests.credentials import Role
from tests.e2e.tracking.conftest import Tracking, metadata
from tests.integration.db.conftest import new_org

ORG = f"organizations/{ORG_ID}"
NOW = datetime.datetime.now(datetime.UTC).replace(microsecond=0)


def position(device: str, seconds: int, lat: float = 35.735, lon: float = 139.652,
             **kw: object) -> pb.Position:
    p = pb.Position(device_id=device, location=latlng_pb2.LatLng(latitude=lat, longitude=lon), **kw)
    p.time.FromDatetime(NOW - datetime.timedelta(seconds=seconds))
    return p


def report(t: Tracking, *batches: list[pb.Position], org: str = ORG_ID) -> list[pb.ReportPositionsResponse]:
    requests = (pb.ReportPositionsRequest(batch_id=f"b{i}", positions=b) for i, b in enumerate(batches))
    return list(t.stub.ReportPositions(requests, metadata=metadata(org)))


def new_device(t: Tracking, vehicle: str = "V-101") -> str:
    created = t.stub.CreateDevice(pb.CreateDeviceRequest(
        parent=ORG, device=pb.Device(vehicle=f"{ORG}/vehicles/{vehicle}", display_name="テスト端末"),
    ), metadata=metadata())
    return created.name.rsplit("/", 1)[-1]


def test_batches_are_acknowledged_and_a_resend_after_a_lost_ack_stores_nothing_twice(tracking) -> None:
    device = new_device(tracking)
    batch = [position(device, 600 - i, speed_kmh=20.0) for i in range(100)]
    first = report(tracking, batch, batch[:50])
    assert [(a.batch_id, a.accepted, a.duplicates) for a in first] == [("b0", 100, 0), ("b1", 0, 50)]
    again = report(tracking, batch)  # the client lost the acknowledgement and sends it again
    assert (again[0].accepted, again[0].duplicates) == (0, 100)
    assert tracking.rows(device) == 100


def test_bad_positions_are_rejected_one_by_one_in_the_ack(tracking) -> None:
    device = new_device(tracking)
    batch = [
        position(device, 10),
        position(device, 9, lat=95.0),
        position(device, 8, lat=0.0, lon=0.0),
        position("no-such-device", 7),
        position(device, 6, speed_kmh=-5.0),
        position(device, -3 * 86400),  # three days in the future
        pb.Position(device_id=device, location=latlng_pb2.LatLng(latitude=35.7, longitude=139.6)),  # no time
        position(device, 5),
    ]
    (ack,) = report(tracking, batch)
    assert ack.accepted == 2
    assert [(r.index, r.field) for r in ack.rejected] == [
        (1, "location.latitude"), (2, "location"), (3, "device_id"), (4, "speed_kmh"), (5, "time"),
        (6, "time"),
    ]
    assert all(" / " in r.reason for r in ack.rejected)


def test_a_batch_over_1000_positions_ends_the_stream_invalid_argument(tracking) -> None:
    device = new_device(tracking)
    with pytest.raises(grpc.RpcError) as err:
        report(tracking, [position(device, i) for i in range(1001)])
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    status = rpc_status.from_call(err.value)
    assert status is not None
    bad = error_details_pb2.BadRequest()
    assert any(d.Unpack(bad) for d in status.details)
    assert bad.field_violations[0].field == "positions"
    assert tracking.rows(device) == 0


def test_batches_before_a_refused_one_are_acknowledged_and_kept(tracking) -> None:
    """Batches are read ahead of their acknowledgements: the ones before an oversized batch are still
    answered, in order, and stored, before the stream ends INVALID_ARGUMENT."""
    device = new_device(tracking)
    good = [[position(device, 5000 - 10 * b - i) for i in range(10)] for b in range(40)]
    requests = [pb.ReportPositionsRequest(batch_id=f"b{i}", positions=b) for i, b in enumerate(good)]
    big = [position(device, i) for i in range(1001)]
    requests.append(pb.ReportPositionsRequest(batch_id="big", positions=big))
    acks: list[pb.ReportPositionsResponse] = []
    with pytest.raises(grpc.RpcError) as err:
        for ack in tracking.stub.ReportPositions(iter(requests), metadata=metadata()):
            acks.append(ack)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [(a.batch_id, a.accepted) for a in acks] == [(f"b{i}", 10) for i in range(40)]
    assert tracking.rows(device) == 400


def test_devices_have_the_standard_methods(tracking) -> None:
    device = new_device(tracking)
    assert len(device) == 32
    named = tracking.stub.CreateDevice(pb.CreateDeviceRequest(
        parent=ORG, device_id=f"phone-{uuid.uuid4().hex[:8]}",
        device=pb.Device(vehicle=f"{ORG}/vehicles/V-102"),
    ), metadata=metadata())
    got = tracking.stub.GetDevice(pb.GetDeviceRequest(name=named.name), metadata=metadata())
    assert got.vehicle == f"{ORG}/vehicles/V-102" and got.HasField("create_time")
    names, token = [], ""
    while True:
        page = tracking.stub.ListDevices(pb.ListDevicesRequest(parent=ORG, page_size=3, page_token=token),
                                         metadata=metadata())
        names += [d.name for d in page.devices]
        token = page.next_page_token
        if not token:
            break
    assert {f"{ORG}/devices/V-001", named.name, f"{ORG}/devices/{device}"} <= set(names)
    with pytest.raises(grpc.RpcError) as err:
        tracking.stub.CreateDevice(pb.CreateDeviceRequest(
            parent=ORG, device_id=named.name.rsplit("/", 1)[-1],
            device=pb.Device(vehicle=f"{ORG}/vehicles/V-102"),
        ), metadata=metadata())
    assert err.value.code() == grpc.StatusCode.ALREADY_EXISTS
    for bad in (pb.Device(vehicle=f"{ORG}/vehicles/V-404"), pb.Device()):
        with pytest.raises(grpc.RpcError) as err:
            tracking.stub.CreateDevice(pb.CreateDeviceRequest(parent=ORG, device=bad), metadata=metadata())
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    tracking.stub.DeleteDevice(pb.DeleteDeviceRequest(name=named.name), metadata=metadata())
    with pytest.raises(grpc.RpcError) as err:
        tracking.stub.GetDevice(pb.GetDeviceRequest(name=named.name), metadata=metadata())
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    (ack,) = report(tracking, [position(named.name.rsplit("/", 1)[-1], 1)])
    assert ack.accepted == 0 and ack.rejected[0].field == "device_id"


def test_the_demo_devices_are_the_vehicle_ids_and_get_track_returns_their_positions(tracking) -> None:
    batch = [position("V-103", 300 - 10 * i, lat=35.735 + i * 0.001) for i in range(10)]
    (ack,) = report(tracking, batch)
    assert ack.accepted + ack.duplicates == 10
    request = pb.GetTrackRequest(vehicle=f"{ORG}/vehicles/V-103", geojson=True)
    request.start_time.FromDatetime(NOW - datetime.timedelta(hours=1))
    request.end_time.FromDatetime(NOW + datetime.timedelta(minutes=1))
    track = tracking.stub.GetTrack(request, metadata=metadata())
    assert len(track.positions) == 10
    latitudes = [p.location.latitude for p in track.positions]
    assert latitudes == sorted(latitudes)
    assert 900 < track.distance_meters < 1100
    assert [g.kind for g in track.segments] == [pb.TrackSegment.DRIVING]
    assert track.driving_duration.seconds == 90 and track.stopped_duration.seconds == 0
    assert '"LineString"' in track.geojson
    request.simplify_meters = 5  # a straight line: its two ends are enough
    simplified = tracking.stub.GetTrack(request, metadata=metadata())
    assert len(simplified.positions) == 2 and simplified.distance_meters == track.distance_meters


def test_a_track_with_a_stop_has_driving_and_stopped_segments(tracking) -> None:
    device = new_device(tracking, "V-102")
    moving = [position(device, 900 - 10 * i, lat=35.70 + i * 0.001) for i in range(6)]
    parked = [position(device, 840 - 30 * i, lat=35.705) for i in range(1, 11)]  # 5 minutes in one place
    (ack,) = report(tracking, moving + parked)
    assert ack.accepted == 16
    request = pb.GetTrackRequest(vehicle=f"{ORG}/vehicles/V-102")
    request.start_time.FromDatetime(NOW - datetime.timedelta(hours=1))
    request.end_time.FromDatetime(NOW)
    track = tracking.stub.GetTrack(request, metadata=metadata())
    assert [g.kind for g in track.segments] == [pb.TrackSegment.DRIVING, pb.TrackSegment.STOPPED]
    assert track.stopped_duration.seconds >= 240


def test_nothing_of_another_organization_is_reachable(tracking) -> None:
    other = new_org(tracking.url)
    with psycopg.connect(tracking.url) as conn:
        conn.execute("INSERT INTO branches (organization_id, id, code, name, latitude, longitude) "
                     "VALUES (%s, 'B', 'B', '他社', 35.0, 139.0)", (other,))
        conn.execute("INSERT INTO vehicles (organization_id, id, branch_id, registration_number, "
                     "vehicle_class, payload_kg) VALUES (%s, 'V-001', 'B', 'x', '2t', 1000)", (other,))
    theirs = tracking.stub.CreateDevice(pb.CreateDeviceRequest(
        parent=f"organizations/{other}", device=pb.Device(vehicle=f"organizations/{other}/vehicles/V-001"),
    ), metadata=metadata(other))
    their_id = theirs.name.rsplit("/", 1)[-1]
    # Reporting with another organization's device: rejected as unknown.
    (ack,) = report(tracking, [position(their_id, 1)])
    assert ack.accepted == 0 and ack.rejected[0].field == "device_id"
    assert tracking.rows(their_id) == 0
    # Their own report works, and their track is theirs.
    (ack,) = report(tracking, [position(their_id, 1)], org=other)
    assert ack.accepted == 1
    calls = [
        lambda: tracking.stub.GetDevice(pb.GetDeviceRequest(name=theirs.name), metadata=metadata()),
        lambda: tracking.stub.DeleteDevice(pb.DeleteDeviceRequest(name=theirs.name), metadata=metadata()),
        lambda: tracking.stub.ListDevices(pb.ListDevicesRequest(parent=f"organizations/{other}"),
                                          metadata=metadata()),
        lambda: tracking.stub.CreateDevice(pb.CreateDeviceRequest(
            parent=ORG, device=pb.Device(vehicle=f"organizations/{other}/vehicles/V-001")),
            metadata=metadata()),
    ]
    for call in calls:
        with pytest.raises(grpc.RpcError) as err:
            call()
        assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    request = pb.GetTrackRequest(vehicle=f"organizations/{other}/vehicles/V-001")
    request.start_time.FromDatetime(NOW - datetime.timedelta(hours=1))
    request.end_time.FromDatetime(NOW)
    with pytest.raises(grpc.RpcError) as err:
        tracking.stub.GetTrack(request, metadata=metadata())
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    request.vehicle = f"{ORG}/vehicles/V-001"
    mine = tracking.stub.GetTrack(request, metadata=metadata())
    assert their_id not in {p.device_id for p in mine.positions}


def test_a_driver_reports_only_for_his_own_device(tracking) -> None:
    mine = tracking.stub.CreateDevice(pb.CreateDeviceRequest(
        parent=ORG, device=pb.Device(vehicle=f"{ORG}/vehicles/V-001", driver=f"{ORG}/drivers/D-001"),
    ), metadata=metadata()).name.rsplit("/", 1)[-1]
    driver = metadata(role=Role.DRIVER, driver="D-001")
    requests = [pb.ReportPositionsRequest(batch_id="d", positions=[position(mine, 3)])]
    (ack,) = tracking.stub.ReportPositions(iter(requests), metadata=driver)
    assert ack.accepted == 1 and not ack.rejected
    requests = [pb.ReportPositionsRequest(batch_id="e", positions=[position(mine, 4), position("V-002", 3)])]
    with pytest.raises(grpc.RpcError) as err:
        list(tracking.stub.ReportPositions(iter(requests), metadata=driver))
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert tracking.rows("V-002") == 0
    with pytest.raises(grpc.RpcError) as err:
        tracking.stub.CreateDevice(pb.CreateDeviceRequest(
            parent=ORG, device=pb.Device(vehicle=f"{ORG}/vehicles/V-001")), metadata=driver)
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_calls_without_a_credential_are_refused(tracking) -> None:
    with pytest.raises(grpc.RpcError) as err:
        tracking.stub.ListDevices(pb.ListDevicesRequest(parent=ORG))
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
