"""Position history and devices on the real PostgreSQL: durable, idempotent re-sends (also between
concurrent callers), out-of-order positions stored, partitions made on demand and dropped by retention,
tracks limited to their organization."""

from __future__ import annotations

import datetime
import threading

import psycopg
import pytest

from server.adapters.postgres.database import Database
from server.adapters.postgres.devices import PgDevices
from server.adapters.postgres.tracking_history import PgPositionHistory, partition_name
from server.plans.errors import AlreadyExistsError, InvalidReferenceError
from server.tracking.model import Device, Position
from tests.integration.tracking.conftest import org_with_vehicles, unique_id

T0 = datetime.datetime.now(datetime.UTC).replace(microsecond=0) - datetime.timedelta(hours=2)


def pos(org: str, device: str, vehicle: str, seconds: float, lat: float = 35.6, **kw: object) -> Position:
    return Position(org, device, vehicle, T0 + datetime.timedelta(seconds=seconds), lat, 139.7,
                    **kw)  # type: ignore[arg-type]


@pytest.fixture
def stores(tracking_db_url: str):
    db = Database(tracking_db_url)
    history = PgPositionHistory(tracking_db_url, db=db)
    yield PgDevices(db), history
    history.close()
    db.close()


def registered(devices: PgDevices, org: str, vehicle: str = "V-001") -> str:
    device_id = unique_id()
    devices.create(Device(device_id, org, vehicle))
    return device_id


def count(url: str, device: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM positions WHERE device_id = %s", (device,)).fetchone()[0]


def test_a_resent_batch_stores_nothing_twice(stores, tracking_db_url) -> None:
    devices, history = stores
    org = org_with_vehicles(tracking_db_url)
    dev = registered(devices, org)
    batch = [pos(org, dev, "V-001", i, speed_kmh=12.5, attributes={"hdop": "0.9"}) for i in range(50)]
    first = history.append(batch)
    again = history.append([*batch[10:], pos(org, dev, "V-001", 1000)])
    assert (first.accepted, first.duplicates) == (50, 0)
    assert (again.accepted, again.duplicates) == (1, 40)
    assert [p.time for p in again.stored] == [T0 + datetime.timedelta(seconds=1000)]
    assert count(tracking_db_url, dev) == 51
    track = history.between(org, "V-001", T0, T0 + datetime.timedelta(hours=1))
    assert len(track) == 51 and track[0].speed_kmh == 12.5 and track[0].attributes == {"hdop": "0.9"}


def test_concurrent_callers_share_commits_and_each_position_is_new_once(stores, tracking_db_url) -> None:
    devices, history = stores
    org = org_with_vehicles(tracking_db_url)
    dev = registered(devices, org)
    batch = [pos(org, dev, "V-001", i) for i in range(200)]
    results = []
    lock = threading.Lock()

    def send() -> None:
        r = history.append(batch)
        with lock:
            results.append(r)

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.accepted for r in results) == 200
    assert sum(r.duplicates for r in results) == 5 * 200
    assert count(tracking_db_url, dev) == 200


def test_out_of_order_positions_are_stored_and_latest_is_the_newest(stores, tracking_db_url) -> None:
    devices, history = stores
    org = org_with_vehicles(tracking_db_url)
    dev = registered(devices, org, "V-002")
    history.append([pos(org, dev, "V-002", 600, lat=35.9)])
    history.append([pos(org, dev, "V-002", 60, lat=35.1)])
    track = history.between(org, "V-002", T0, T0 + datetime.timedelta(hours=1))
    assert [p.latitude for p in track] == [35.1, 35.9]
    newest = {(p.organization, p.vehicle_id): p for p in history.latest(T0)}
    assert newest[(org, "V-002")].latitude == 35.9


def test_a_partition_is_created_for_a_new_day_and_retention_drops_old_days(stores, tracking_db_url) -> None:
    devices, history = stores
    org = org_with_vehicles(tracking_db_url)
    dev = registered(devices, org)
    old = datetime.datetime(2020, 1, 2, 12, tzinfo=datetime.UTC)
    history.append([Position(org, dev, "V-001", old, 35.0, 139.0),
                    Position(org, dev, "V-001", old + datetime.timedelta(days=1), 35.0, 139.0)])
    assert {datetime.date(2020, 1, 2), datetime.date(2020, 1, 3)} <= set(history.days())
    assert [p.time for p in history.day_positions(datetime.date(2020, 1, 2))] == [old]
    dropped = history.drop_before(datetime.date(2020, 1, 3))
    assert datetime.date(2020, 1, 2) in dropped
    assert datetime.date(2020, 1, 2) not in history.days()
    with psycopg.connect(tracking_db_url) as conn:
        gone = conn.execute("SELECT to_regclass(%s)", (partition_name(datetime.date(2020, 1, 2)),)).fetchone()
    assert gone == (None,)
    assert count(tracking_db_url, dev) == 1
    # A position of the dropped day may come again: its partition is made again.
    assert history.append([Position(org, dev, "V-001", old, 35.0, 139.0)]).accepted == 1
    history.drop_before(datetime.date(2020, 1, 4))


def test_tracks_and_devices_stay_in_their_organization(stores, tracking_db_url) -> None:
    devices, history = stores
    mine, theirs = org_with_vehicles(tracking_db_url), org_with_vehicles(tracking_db_url)
    dev_mine, dev_theirs = registered(devices, mine), registered(devices, theirs)
    history.append([pos(mine, dev_mine, "V-001", 1), pos(theirs, dev_theirs, "V-001", 2)])
    assert [p.device_id for p in history.between(mine, "V-001", T0, T0 + datetime.timedelta(hours=1))] \
        == [dev_mine]
    assert devices.get(theirs, dev_mine) is None
    assert devices.delete(theirs, dev_mine) is False
    assert [d.device_id for d in devices.list(mine, 10, None)[0]] == [dev_mine]
    found = devices.find(dev_theirs)
    assert found is not None and found.organization == theirs


def test_device_ids_are_unique_across_organizations_and_need_a_vehicle(stores, tracking_db_url) -> None:
    devices, _ = stores
    a, b = org_with_vehicles(tracking_db_url), org_with_vehicles(tracking_db_url)
    dev = registered(devices, a)
    with pytest.raises(AlreadyExistsError):
        devices.create(Device(dev, b, "V-001"))
    with pytest.raises(InvalidReferenceError):
        devices.create(Device(unique_id(), a, "V-404"))


def test_a_deleted_devices_positions_stay_in_the_vehicles_track(stores, tracking_db_url) -> None:
    devices, history = stores
    org = org_with_vehicles(tracking_db_url)
    dev = registered(devices, org)
    history.append([pos(org, dev, "V-001", 5)])
    assert devices.delete(org, dev)
    assert devices.find(dev) is None
    assert len(history.between(org, "V-001", T0, T0 + datetime.timedelta(hours=1))) == 1


def test_postgresql_unreachable_fails_the_append() -> None:
    history = PgPositionHistory("postgresql://postgres@127.0.0.1:1/none")
    try:
        with pytest.raises(psycopg.OperationalError):
            history.append([Position("O", "d", "v", T0, 35.0, 139.0)])
    finally:
        history.close()


def test_the_scheduler_drops_old_partitions_on_the_real_database(stores, tracking_db_url, tmp_path) -> None:
    from server.entrypoints.cli.main import main

    devices, history = stores
    org = org_with_vehicles(tracking_db_url)
    dev = registered(devices, org)
    old = datetime.datetime(2021, 3, 4, 5, tzinfo=datetime.UTC)
    history.append([Position(org, dev, "V-001", old, 35.0, 139.0)])
    config = tmp_path / "retention.toml"
    config.write_text('[[jobs]]\nname = "r"\ncron = "30 3 * * *"\nrun = "retention"\n', encoding="utf-8")
    assert main(["scheduler", "--once", "--config", str(config), "--url", tracking_db_url]) == 0
    assert old.date() not in history.days()
    assert datetime.datetime.now(datetime.UTC).date() in history.days()


def test_a_batch_the_database_refuses_fails_alone(stores, tracking_db_url) -> None:
    """A value PostgreSQL cannot store (here a NUL in an attribute, which validation removes) fails
    its own batch; batches committed in the same group are stored."""
    devices, history = stores
    org = org_with_vehicles(tracking_db_url)
    dev = registered(devices, org)
    good = [pos(org, dev, "V-001", 7000 + i) for i in range(5)]
    bad = [pos(org, dev, "V-001", 7100, attributes={"note": "a\x00b"})]
    results: dict[str, object] = {}

    def send(name: str, batch: list[Position]) -> None:
        try:
            results[name] = history.append(batch)
        except psycopg.Error as exc:
            results[name] = exc

    threads = [threading.Thread(target=send, args=(f"good{i}", good[i:i + 1])) for i in range(5)]
    threads.append(threading.Thread(target=send, args=("bad", bad)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert isinstance(results.pop("bad"), psycopg.errors.DataError)
    assert all(r.accepted == 1 for r in results.values())  # type: ignore[attr-defined]
    assert count(tracking_db_url, dev) == 5
