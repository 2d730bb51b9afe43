"""A DRIVER reaches only his own vehicle and his own published plans of today through the tracking
service (``DRIVER_OWN`` in server/identity/policy.py); staff reach every one."""

from __future__ import annotations

import grpc
import pytest

from hakobu.tracking.v1 import tracking_pb2 as pb
from tests.credentials import Role, metadata_for
from tests.e2e.tracking.test_live_grpc import Env, env  # noqa: F401  (env is a fixture)
from tests.unit.plans.builders import ORG, USER


def _code(fn, *args, **kw) -> grpc.StatusCode:  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.RpcError) as info:
        fn(*args, **kw)
    return info.value.code()  # type: ignore[no-any-return]


def test_a_driver_reaches_his_vehicle_and_plan_only(env: Env) -> None:  # noqa: F811
    driven = [r for r in env.plan.routes if r.driver_id]
    assert driven, "the published day has drivers on its routes"
    mine = driven[0]
    others = {r.vehicle_id for r in env.plan.routes} - {mine.vehicle_id}
    driver = metadata_for(ORG, Role.DRIVER, USER, driver=mine.driver_id)
    state = pb.GetVehicleStateRequest(name=f"organizations/{ORG}/vehicles/{mine.vehicle_id}/state")
    env.stub.GetVehicleState(state, metadata=driver)
    for other in others:
        request = pb.GetVehicleStateRequest(name=f"organizations/{ORG}/vehicles/{other}/state")
        assert _code(env.stub.GetVehicleState, request, metadata=driver) == grpc.StatusCode.PERMISSION_DENIED
        env.stub.GetVehicleState(request, metadata=metadata_for(ORG, Role.DISPATCHER, USER))
    events = pb.ListStopEventsRequest(parent=f"organizations/{ORG}/plans/{env.plan.id}")
    env.stub.ListStopEvents(events, metadata=driver)
    stranger = metadata_for(ORG, Role.DRIVER, USER, driver="D-NOBODY")
    assert _code(env.stub.ListStopEvents, events, metadata=stranger) == grpc.StatusCode.NOT_FOUND
    assert _code(env.stub.GetVehicleState, state, metadata=stranger) == grpc.StatusCode.PERMISSION_DENIED
    branch = pb.ListVehicleStatesRequest(parent=f"organizations/{ORG}/branches/x")
    assert _code(env.stub.ListVehicleStates, branch, metadata=driver) == grpc.StatusCode.PERMISSION_DENIED


def test_a_driver_reports_positions_only_from_his_trackers(tracking) -> None:  # type: ignore[no-untyped-def]
    from tests.e2e.tracking.conftest import metadata
    from tests.e2e.tracking.test_tracking_grpc import ORG as PARENT
    from tests.e2e.tracking.test_tracking_grpc import position

    org = PARENT.rsplit("/", 1)[1]
    created = tracking.stub.CreateDevice(pb.CreateDeviceRequest(parent=PARENT, device=pb.Device(
        vehicle=f"{PARENT}/vehicles/V-101", driver=f"{PARENT}/drivers/D-001", display_name="ドライバー端末",
    )), metadata=metadata())
    device = created.name.rsplit("/", 1)[-1]

    def report(md: tuple[tuple[str, str], ...]) -> list[pb.ReportPositionsResponse]:
        batch = pb.ReportPositionsRequest(batch_id="b", positions=[position(device, 30)])
        return list(tracking.stub.ReportPositions(iter([batch]), metadata=md))

    assert report(metadata_for(org, Role.DRIVER, "U-003", driver="D-001"))[0].accepted == 1
    for other in ("D-002", None):
        md = metadata_for(org, Role.DRIVER, "U-003", driver=other)
        assert _code(report, md) == grpc.StatusCode.PERMISSION_DENIED
    assert report(metadata_for(org, Role.DISPATCHER))[0].duplicates == 1  # staff report for any tracker
