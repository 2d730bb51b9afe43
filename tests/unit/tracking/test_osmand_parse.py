"""Reading OsmAnd requests: every key form Traccar accepts, units converted, unknown keys kept,
unreadable values reported by field."""

from __future__ import annotations

import datetime

import pytest

from server.tracking.osmand import KNOT_KMH, parse

T = datetime.datetime(2026, 12, 7, 1, 2, 3, tzinfo=datetime.UTC)


@pytest.mark.parametrize("stamp", [
    "1796605323", "1796605323000", "2026-12-07T01:02:03Z", "2026-12-07T10:02:03+09:00", "2026-12-07 01:02:03",
])
def test_every_timestamp_form_reads_as_the_same_time(stamp: str) -> None:
    assert parse({"id": "a", "timestamp": stamp, "lat": "1", "lon": "2"}).time == T


def test_keys_and_units() -> None:
    raw = parse({"deviceid": "phone-1", "location": "35.5,139.25", "speed": "10", "heading": "45",
                 "altitude": "12", "accuracy": "3.5", "batt": "77", "hdop": "1.2", "driverUniqueId": "D-1"})
    assert (raw.device_id, raw.latitude, raw.longitude) == ("phone-1", 35.5, 139.25)
    assert raw.speed_kmh == pytest.approx(10 * KNOT_KMH)
    assert (raw.heading, raw.altitude, raw.accuracy, raw.battery) == (45, 12, 3.5, 77)
    assert raw.attributes == {"hdop": "1.2", "driverUniqueId": "D-1"}
    assert raw.problems == ()
    assert parse({"id": "x", "lat": "1", "lon": "2", "bearing": "90"}).heading == 90


@pytest.mark.parametrize(("params", "field"), [
    ({"lat": "x"}, "lat"),
    ({"lon": "1e999"}, "lon"),
    ({"timestamp": "soon"}, "timestamp"),
    ({"timestamp": "-5"}, "timestamp"),
    ({"speed": "fast"}, "speed"),
    ({"batt": "nan"}, "batt"),
])
def test_unreadable_values_are_problems_of_their_field(params: dict[str, str], field: str) -> None:
    raw = parse({"id": "a", "lat": "1", "lon": "2", **params})
    assert [f for f, _ in raw.problems] == [field]
    assert " / " in raw.problems[0][1]


def test_missing_values_are_none_for_the_validation_to_reject() -> None:
    raw = parse({})
    assert (raw.device_id, raw.time, raw.latitude, raw.longitude) == ("", None, None, None)
