"""Reports on PostgreSQL: a recorded day stored through the real adapters (plans, position history, stop
events) read back by ``hakobu report`` and ReportService's use cases."""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Iterator

import psycopg
import pytest

from server.adapters.postgres.database import Database
from server.adapters.postgres.devices import PgDevices
from server.adapters.postgres.migrate import migrate
from server.adapters.postgres.plans import PgPlans
from server.adapters.postgres.stop_events import PgStopEvents
from server.adapters.postgres.tracking_history import PgPositionHistory
from server.bootstrap import report_stores
from server.entrypoints.cli.main import main
from server.reports.usecases import daily_report
from server.tracking.model import Device
from tests.integration.db.conftest import create_database, drop_database, new_org
from tests.unit.reports.recorded import DATE, ORDERS, at, recorded_day

NEXT_MORNING = at(6, day=DATE + datetime.timedelta(days=1))


@pytest.fixture(scope="module")
def stored() -> Iterator[tuple[str, str]]:
    """A database holding the recorded day of tests/unit/reports/recorded.py for a new organization."""
    name, url = create_database()
    try:
        migrate(url)
        org = new_org(url)
        day = recorded_day()
        with psycopg.connect(url) as conn:
            b = day.branch
            conn.execute("INSERT INTO branches (organization_id, id, code, name, latitude, longitude) "
                         "VALUES (%s, %s, %s, %s, %s, %s)",
                         (org, b.id, b.code, b.name, b.latitude, b.longitude))
            for v in day.vehicles:
                conn.execute("INSERT INTO vehicles (organization_id, id, branch_id, registration_number, "
                             "vehicle_class, payload_kg) VALUES (%s, %s, %s, %s, 'SMALL', %s)",
                             (org, v.vehicle.id, b.id, v.vehicle.registration_number, v.vehicle.payload_kg))
                if v.driver is not None:
                    conn.execute("INSERT INTO drivers (organization_id, id, branch_id, employee_number, "
                                 "name) VALUES (%s, %s, %s, %s, %s)",
                                 (org, v.driver.id, b.id, v.driver.id, v.driver.name))
            for o in ORDERS:
                windows = [[w[0].strftime("%H:%M"), w[1].strftime("%H:%M")] for w in o.time_windows]
                conn.execute("INSERT INTO orders (organization_id, id, branch_id, place_name, latitude, "
                             "longitude, delivery_date, time_windows, weight_kg) "
                             "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                             (org, o.id, b.id, o.place_name, o.latitude, o.longitude, DATE,
                              json.dumps(windows), o.weight_kg))
        db = Database(url)
        routes = []
        for r in day.plan.routes:
            routes.append({
                "vehicle_id": r.vehicle_id, "driver_id": r.driver_id, "start_time": r.start_time.isoformat(),
                "end_time": r.end_time.isoformat(), "distance_m": r.distance_m, "cost": 0.0,
                "stops": [{"sequence": s.sequence, "kind": s.kind, "order_id": s.order_id,
                           "arrival": s.arrival_time.isoformat(), "start": s.service_start_time.isoformat(),
                           "departure": s.departure_time.isoformat(), "load": [0]} for s in r.stops],
            })
        plan = PgPlans(db).save_day(org, "BR-NRM", DATE, {"routes": routes, "unassigned": [], "distance_m": 0,
                                                          "cost": 0.0, "dimensions": ["kg"]}, None)
        devices = PgDevices(db)
        for v in day.vehicles:
            devices.create(Device(f"{org}-{v.vehicle.id}", org, v.vehicle.id))
        history = PgPositionHistory(url, db=db)
        history.append([dataclasses.replace(p, organization=org, device_id=f"{org}-{p.vehicle_id}")
                        for v in day.vehicles for p in v.positions])
        history.close()
        events = PgStopEvents(db)
        for v in day.vehicles:
            for e in v.events:
                events.record(dataclasses.replace(e, organization=org, plan_id=plan.id))
        db.close()
        yield url, org
    finally:
        drop_database(name)


def test_the_day_read_through_postgresql(stored):
    url, org = stored
    db = Database(url)
    try:
        r = daily_report(report_stores(db), org, "BR-NRM", DATE, NEXT_MORNING)
    finally:
        db.close()
    v = {x.vehicle_id: x for x in r.vehicles}
    assert v["V-002"].restraint_s == 14.5 * 3600 and v["V-002"].failed == 1 and v["V-002"].late == 1
    assert v["V-001"].violations[0].code.value == "CONTINUOUS_DRIVING"
    assert v["V-003"].skipped == ("O-8",) and v["V-003"].added == ("O-9",)
    assert v["V-002"].stops[0].waiting_s == 9000


def test_hakobu_report_writes_the_files(stored, tmp_path, capsys):
    url, org = stored
    pdf = tmp_path / "daily.pdf"
    args = ["report", "daily", "--branch", "BR-NRM", "--org", org, "--date", str(DATE), "--url", url]
    assert main([*args, "--format", "pdf", "--output", str(pdf)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    csv = tmp_path / "daily.csv"
    assert main([*args, "--format", "csv", "--encoding", "shift_jis", "--output", str(csv)]) == 0
    assert "佐々木 次郎" in csv.read_bytes().decode("cp932")
    assert main(["report", "rules", "--branch", "BR-NRM", "--org", org, "--from", str(DATE),
                 "--to", str(DATE), "--url", url]) == 0
    assert "CONTINUOUS_DRIVING" in capsys.readouterr().out


def test_bad_input_is_a_clear_message_and_nothing_half_written(stored, tmp_path, capsys):
    url, org = stored
    out = tmp_path / "x.csv"
    base = ["report", "daily", "--org", org, "--url", url, "--output", str(out)]
    assert main([*base, "--branch", "BR-NRM", "--date", "2026-11-20"]) == 1
    assert "配送計画がありません" in capsys.readouterr().err
    assert main([*base, "--branch", "BR-XXX", "--date", str(DATE)]) == 1
    assert "no branch BR-XXX" in capsys.readouterr().err
    assert not out.exists()
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")  # even root cannot write under a file
    code = main([*base[:-1], str(blocked / "r.csv"), "--branch", "BR-NRM", "--date", str(DATE)])
    assert code == 1 and "cannot write" in capsys.readouterr().err
    assert blocked.read_text() == "not a folder"
