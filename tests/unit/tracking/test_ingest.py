"""The ingest use case on the in-memory ports: every bad input rejected, re-sends stored once, live state
and observers fed off the ack path, and a failing live state or observer stopping nothing."""

from __future__ import annotations

import datetime
import math
import threading
from collections.abc import Sequence

import pytest

from server.adapters.memory.tracking import (
    MemoryDevices,
    MemoryFleetBus,
    MemoryLiveState,
    MemoryPositionHistory,
)
from server.tracking.ingest import Ingest
from server.tracking.messages import decode_positions
from server.tracking.model import MAX_BATCH, Device, Position
from server.tracking.observers import ObserverQueue
from server.tracking.validate import BatchTooLargeError, RawPosition

NOW = datetime.datetime(2026, 12, 7, 3, 0, tzinfo=datetime.UTC)


def raw(device: str = "V-001", minutes: float = 0, lat: float | None = 35.68, lon: float | None = 139.76,
        **kw: object) -> RawPosition:
    return RawPosition(device, NOW + datetime.timedelta(minutes=minutes), lat, lon, **kw)  # type: ignore[arg-type]


class Recorder:
    def __init__(self) -> None:
        self.seen: list[Position] = []

    def observe(self, positions: Sequence[Position]) -> None:
        self.seen.extend(positions)


@pytest.fixture
def parts() -> tuple[Ingest, MemoryPositionHistory, MemoryLiveState, MemoryFleetBus]:
    devices = MemoryDevices([
        Device("V-001", "ORG-A", "V-001"), Device("V-002", "ORG-A", "V-002"),
        Device("other-org-device", "ORG-B", "V-900"),
    ])
    history, live, bus = MemoryPositionHistory(), MemoryLiveState(), MemoryFleetBus()
    ingest = Ingest(devices, history, live, bus, clock=lambda: NOW)
    yield ingest, history, live, bus
    ingest.close()


def test_a_good_batch_is_stored_and_a_resend_stores_nothing_twice(parts) -> None:
    ingest, history, _, _ = parts
    batch = [raw(minutes=-i) for i in range(5)]
    first = ingest.report(batch, "ORG-A")
    again = ingest.report(batch, "ORG-A")
    assert (first.accepted, first.duplicates, first.rejected) == (5, 0, [])
    assert (again.accepted, again.duplicates) == (0, 5)
    assert len(history.between("ORG-A", "V-001", NOW - datetime.timedelta(hours=1), NOW
                               + datetime.timedelta(seconds=1))) == 5


@pytest.mark.parametrize(("bad", "field"), [
    (raw(device="nope"), "device_id"),
    (raw(device="other-org-device"), "device_id"),
    (raw(device=""), "device_id"),
    (RawPosition("V-001", None, 35.0, 139.0), "time"),
    (RawPosition("V-001", datetime.datetime(2026, 12, 7, 3), 35.0, 139.0), "time"),
    (raw(minutes=24 * 60 + 1), "time"),
    (raw(minutes=-91 * 24 * 60), "time"),
    (raw(lat=None), "location.latitude"),
    (raw(lat=91.0), "location.latitude"),
    (raw(lat=-90.5), "location.latitude"),
    (raw(lon=180.01), "location.longitude"),
    (raw(lon=None), "location.longitude"),
    (raw(lat=math.nan), "location.latitude"),
    (raw(lon=math.inf), "location.longitude"),
    (raw(lat=0.0, lon=0.0), "location"),
    (raw(speed_kmh=-1.0), "speed_kmh"),
    (raw(speed_kmh=math.nan), "speed_kmh"),
    (raw(accuracy=-3.0), "accuracy_meters"),
    (raw(problems=(("speed_kmh", "数値ではありません / speed is not a number"),)), "speed_kmh"),
])
def test_each_bad_position_is_rejected_with_its_field_and_the_good_ones_are_kept(parts, bad, field) -> None:
    ingest, _, _, _ = parts
    result = ingest.report([raw(minutes=-1), bad, raw(minutes=-2)], "ORG-A")
    assert result.accepted == 2
    assert [(r.index, r.field) for r in result.rejected] == [(1, field)]
    ja, sep, en = result.rejected[0].reason.partition(" / ")
    assert sep and not ja.isascii() and en.isascii()


def test_without_an_organization_any_registered_device_is_accepted(parts) -> None:
    ingest, *_ = parts
    assert ingest.report([raw(device="other-org-device")]).accepted == 1


def test_a_batch_over_the_limit_is_refused_whole(parts) -> None:
    ingest, history, _, _ = parts
    with pytest.raises(BatchTooLargeError):
        ingest.report([raw(minutes=-i / 60) for i in range(MAX_BATCH + 1)], "ORG-A")
    assert history.days() == []


def test_out_of_order_positions_are_stored_and_live_state_keeps_the_newest(parts) -> None:
    ingest, history, live, _ = parts
    ingest.report([raw(minutes=-1, lat=35.1)], "ORG-A")
    ingest.report([raw(minutes=-5, lat=35.5)], "ORG-A")
    assert ingest.observers.drain()
    kept = live.get("ORG-A", "V-001")
    assert kept is not None and kept.latitude == 35.1
    assert len(history.latest(NOW - datetime.timedelta(hours=1))) == 1


def test_storage_down_means_no_result_and_nothing_observed(parts) -> None:
    ingest, history, live, _ = parts
    history.fail = ConnectionError("PostgreSQL down")
    with pytest.raises(ConnectionError):
        ingest.report([raw()], "ORG-A")
    assert ingest.observers.drain()
    assert live.get("ORG-A", "V-001") is None


def test_live_state_down_does_not_stop_ingestion_and_is_rebuilt_when_back(parts, monkeypatch) -> None:
    ingest, _, live, _ = parts
    monkeypatch.setattr("server.tracking.ingest.RETRY_AFTER", 0.0)
    live.fail = ConnectionError("Redis down")
    assert ingest.report([raw(device="V-001", minutes=-3)], "ORG-A").accepted == 1
    assert ingest.observers.drain()
    live.fail = None
    live.clear()  # restarted without its data
    assert ingest.report([raw(device="V-002", minutes=-2)], "ORG-A").accepted == 1
    assert ingest.observers.drain()
    assert {v.vehicle_id for v in live.all("ORG-A")} == {"V-001", "V-002"}


def test_observers_see_only_newly_stored_positions_and_a_failing_one_blocks_nothing(parts) -> None:
    ingest, *_ = parts

    class Broken:
        def observe(self, positions: Sequence[Position]) -> None:
            raise RuntimeError("detector bug")

    recorder = Recorder()
    ingest.register(Broken())
    ingest.register(recorder)
    batch = [raw(minutes=-1), raw(minutes=-2)]
    ingest.report(batch, "ORG-A")
    ingest.report(batch, "ORG-A")
    assert ingest.observers.drain()
    assert len(recorder.seen) == 2
    assert ingest.observers.failures == 1  # the re-send stored nothing: nothing to observe


def test_a_slow_observer_does_not_delay_the_result(parts) -> None:
    ingest, *_ = parts
    release = threading.Event()

    class Slow:
        def observe(self, positions: Sequence[Position]) -> None:
            release.wait(10)

    ingest.register(Slow())
    for i in range(3):  # would take 30 s if the observer were on the ack path
        assert ingest.report([raw(minutes=-i)], "ORG-A").accepted == 1
    release.set()
    assert ingest.observers.drain()


def test_a_full_queue_drops_the_oldest_batches_not_the_caller() -> None:
    q = ObserverQueue(size=2, start=False)
    for i in range(5):
        q.submit([Position("O", "d", "v", NOW + datetime.timedelta(seconds=i), 35.0, 139.0)])
    assert q.dropped == 3
    q.start()
    assert q.drain()
    q.close()


def test_the_bus_gets_the_stored_positions_per_organization(parts) -> None:
    ingest, _, _, bus = parts
    sub = bus.subscribe("ORG-A")
    ingest.report([raw(minutes=-1), raw(device="V-002", minutes=-1)], "ORG-A")
    message = sub.next(5)
    assert message is not None
    decoded = decode_positions(message)
    assert decoded is not None and decoded[0] == "ORG-A"
    assert sorted(p["vehicle"] for p in decoded[1]) == ["V-001", "V-002"]
    sub.close()


def test_the_fast_position_is_the_same_as_the_dataclass_one() -> None:
    import dataclasses

    from server.tracking.validate import _position

    device = Device("d", "O", "v")
    fast = _position(device, NOW, 35.0, 139.0, 1.0, 2.0, 3.0, 4.0, 5.0, {"k": "v"})
    slow = Position("O", "d", "v", NOW, 35.0, 139.0, 1.0, 2.0, 3.0, 4.0, 5.0, {"k": "v"})
    assert fast == slow and repr(fast) == repr(slow)
    assert set(vars(fast)) == {f.name for f in dataclasses.fields(Position)}  # no field forgotten


def test_submit_completes_after_storing_and_fails_when_storage_does(parts) -> None:
    ingest, history, live, _ = parts
    ingest.device.load(["V-001", "nope"])
    done = ingest.submit([raw(minutes=-1), raw(device="nope")], "ORG-A").result(5)
    assert (done.accepted, [r.field for r in done.rejected]) == (1, ["device_id"])
    assert ingest.observers.drain() and live.get("ORG-A", "V-001") is not None
    history.fail = ConnectionError("PostgreSQL down")
    with pytest.raises(ConnectionError):
        ingest.submit([raw(minutes=-2)], "ORG-A").result(5)


def test_the_fast_live_vehicle_is_the_same_as_the_dataclass_one() -> None:
    from server.tracking.ingest import _live
    from server.tracking.model import LiveVehicle

    p = Position("O", "d", "v", NOW, 35.0, 139.0, 12.0, 90.0)
    assert _live(p) == LiveVehicle("O", "v", "d", NOW, 35.0, 139.0, 12.0, 90.0)


@pytest.mark.parametrize(("bad", "field"), [
    (raw(speed_kmh=1e39), "speed_kmh"),
    (raw(altitude=-5000.0), "altitude_meters"),
    (raw(accuracy=1e12), "accuracy_meters"),
    (raw(battery=101.0), "battery_percent"),
    (raw(battery=-1.0), "battery_percent"),
])
def test_measures_beyond_any_truck_or_sensor_are_rejected(parts, bad, field) -> None:
    ingest, *_ = parts
    result = ingest.report([bad], "ORG-A")
    assert result.accepted == 0 and [r.field for r in result.rejected] == [field]


def test_nul_characters_never_reach_the_database(parts) -> None:
    ingest, *_ = parts
    batch = [raw(device="V-0\x0001"), raw(minutes=-1, attributes={"no\x00te": "a\x00b"})]
    result = ingest.report(batch, "ORG-A")
    assert result.accepted == 1 and [r.field for r in result.rejected] == ["device_id"]
    assert result.stored[0].attributes == {"note": "ab"}
