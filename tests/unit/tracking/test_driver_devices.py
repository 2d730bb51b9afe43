"""Which trackers a DRIVER may report from: his vehicle's, those registered to him, and those of the
vehicle whose route he drives today (asked of the plan once a minute per vehicle)."""

from __future__ import annotations

from pathlib import Path

from server.entrypoints.grpc.tracking_ingest import own_devices
from server.identity.principal import Kind, Principal, Role
from server.jst import today_jst
from server.tracking.fleet import route_driver
from server.tracking.model import Device
from tests.unit.plans.builders import ORG
from tests.unit.tracking.live_fakes import fleet_deps, published_day


def _driver(driver: str | None, vehicle: str | None = None) -> Principal:
    return Principal(organization=ORG, subject="U-003", role=Role.DRIVER, kind=Kind.USER, driver=driver,
                     vehicle=vehicle)


def test_the_route_he_drives_today_gives_him_that_vehicles_trackers(tmp_path: Path) -> None:
    deps, plan = published_day(tmp_path, orders=6, date=today_jst())
    fleet = fleet_deps(deps)
    mine = next(r for r in plan.routes if r.driver_id)
    others = [v for (o, v) in deps.plans.master.vehicles if o == ORG and v != mine.vehicle_id]  # type: ignore[attr-defined]
    other = others[0] if others else "V-OTHER"  # another truck, with no route of his today
    assert route_driver(fleet, ORG, mine.vehicle_id, today_jst()) == mine.driver_id
    assert route_driver(fleet, ORG, "NO-SUCH-VEHICLE", today_jst()) is None
    asked: list[tuple[str, str]] = []

    def driver_of(org: str, vehicle: str) -> str | None:
        asked.append((org, vehicle))
        return route_driver(fleet, org, vehicle, today_jst())

    allow = own_devices(_driver(mine.driver_id), driver_of)
    assert allow is not None
    phone = Device("phone-1", ORG, mine.vehicle_id)  # registered to the truck, not to a driver
    assert allow(phone) and allow(phone)
    assert not allow(Device("phone-2", ORG, other))
    assert asked == [(ORG, mine.vehicle_id), (ORG, other)]  # remembered, not asked per position
    assert allow(Device("own", ORG, other, driver_id=mine.driver_id))  # registered to him


def test_without_plans_only_his_vehicle_and_his_own_trackers(tmp_path: Path) -> None:
    allow = own_devices(_driver("D-001", vehicle="V-001"))
    assert allow is not None
    assert allow(Device("a", ORG, "V-001"))
    assert allow(Device("b", ORG, "V-009", driver_id="D-001"))
    assert not allow(Device("c", ORG, "V-009"))
    staff = Principal(organization=ORG, subject="U-002", role=Role.DISPATCHER, kind=Kind.USER)
    assert own_devices(staff) is None
