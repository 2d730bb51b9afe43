"""Live state and the fleet bus on the real Redis (127.0.0.1:6379, keys under a prefix of this test):
the newest position kept atomically, the bus delivering per organization, and ingestion going on while
Redis is unreachable, with live state rebuilt from history when it is back."""

from __future__ import annotations

import datetime
import os
import uuid
from collections.abc import Iterator

import pytest
import redis

from server.adapters.memory.tracking import MemoryDevices, MemoryPositionHistory
from server.adapters.redis.fleet_bus import RedisFleetBus
from server.adapters.redis.live_state import RedisLiveState
from server.tracking.ingest import Ingest
from server.tracking.messages import decode_positions
from server.tracking.model import Device, LiveVehicle
from server.tracking.validate import RawPosition
from tests.integration.tracking.proxy import Proxy

REDIS_URL = os.environ.get("HAKOBU_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
T0 = datetime.datetime.now(datetime.UTC).replace(microsecond=0) - datetime.timedelta(minutes=30)


@pytest.fixture
def prefix() -> Iterator[str]:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    p = f"test-ingest-{uuid.uuid4().hex[:8]}:"
    yield p
    keys = list(client.scan_iter(match=f"{p}*"))
    if keys:
        client.delete(*keys)
    client.close()


def live(vehicle: str, seconds: int, lat: float, org: str = "ORG-A") -> LiveVehicle:
    return LiveVehicle(org, vehicle, "dev-1", T0 + datetime.timedelta(seconds=seconds), lat, 139.7,
                       speed_kmh=30.0, heading=90.0)


def test_live_state_keeps_the_newest_position_of_each_vehicle(prefix) -> None:
    state = RedisLiveState(REDIS_URL, prefix)
    state.update([live("V-1", 10, 35.1), live("V-2", 5, 35.2), live("V-1", 5, 35.9)])
    state.update([live("V-1", 3, 36.0)])  # older: ignored
    state.update([live("X-1", 1, 34.0, org="ORG-B")])
    got = state.get("ORG-A", "V-1")
    assert got is not None and got.latitude == 35.1 and got.time == T0 + datetime.timedelta(seconds=10)
    assert got.speed_kmh == 30.0 and got.heading == 90.0
    assert [v.vehicle_id for v in state.all("ORG-A")] == ["V-1", "V-2"]
    assert state.get("ORG-B", "V-1") is None
    state.close()


def test_the_bus_delivers_to_the_organizations_subscribers_only(prefix) -> None:
    bus = RedisFleetBus(REDIS_URL, prefix)
    mine, theirs = bus.subscribe("ORG-A"), bus.subscribe("ORG-B")
    assert mine.next(0.2) is None  # subscribed, nothing yet
    bus.publish("ORG-A", b"hello")
    assert mine.next(5) == b"hello"
    assert theirs.next(0.3) is None
    mine.close()
    theirs.close()
    bus.close()


def test_ingestion_goes_on_without_redis_and_live_state_is_rebuilt_when_it_returns(prefix, monkeypatch):
    monkeypatch.setattr("server.tracking.ingest.RETRY_AFTER", 0.0)
    proxy = Proxy(("127.0.0.1", 6379))
    url = f"redis://127.0.0.1:{proxy.port}/0"
    state, bus = RedisLiveState(url, prefix), RedisFleetBus(url, prefix)
    devices = MemoryDevices([Device("d1", "ORG-A", "V-1"), Device("d2", "ORG-A", "V-2")])
    ingest = Ingest(devices, MemoryPositionHistory(), state, bus)
    sub = RedisFleetBus(REDIS_URL, prefix).subscribe("ORG-A")
    try:
        sub.next(0.2)
        assert ingest.report([RawPosition("d1", T0, 35.1, 139.7)], "ORG-A").accepted == 1
        assert ingest.observers.drain()
        decoded = decode_positions(sub.next(5) or b"{}")
        assert decoded is not None and decoded[1][0]["vehicle"] == "V-1"
        proxy.down()
        client = redis.Redis.from_url(REDIS_URL)
        client.delete(*client.scan_iter(match=f"{prefix}*"))  # as if Redis restarted empty
        later = T0 + datetime.timedelta(seconds=30)
        assert ingest.report([RawPosition("d1", later, 35.3, 139.7)], "ORG-A").accepted == 1
        assert ingest.observers.drain()
        proxy.up()
        assert ingest.report([RawPosition("d2", later, 35.5, 139.7)], "ORG-A").accepted == 1
        assert ingest.observers.drain()
        kept = {v.vehicle_id: v.latitude for v in RedisLiveState(REDIS_URL, prefix).all("ORG-A")}
        assert kept == {"V-1": 35.3, "V-2": 35.5}
    finally:
        sub.close()
        ingest.close()
        proxy.down()
