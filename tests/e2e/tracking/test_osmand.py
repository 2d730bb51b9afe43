"""The OsmAnd endpoint over real HTTP, as Traccar Client calls it: GET query or POST form, every key
form of the protocol, 200 with an empty body once stored, 400 for bad input, retries stored once,
unknown ids limited per address."""

from __future__ import annotations

import datetime
import http.client
import urllib.parse

import pytest

from server.entrypoints.http import osmand
from tests.e2e.tracking.conftest import Tracking

NOW = datetime.datetime.now(datetime.UTC).replace(microsecond=0)


def call(t: Tracking, params: dict[str, str], method: str = "GET",
         conn: http.client.HTTPConnection | None = None) -> tuple[int, str]:
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", t.running.osmand_port, timeout=10)
    query = urllib.parse.urlencode(params)
    if method == "GET":
        conn.request("GET", f"/?{query}")
    else:
        conn.request("POST", "/", body=query, headers={"Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    body = response.read().decode()
    if own:
        conn.close()
    return response.status, body


def ago(seconds: int) -> datetime.datetime:
    return NOW - datetime.timedelta(seconds=seconds)


def test_get_and_post_in_every_key_form_are_stored_and_answered_200_empty(tracking) -> None:
    keep_alive = http.client.HTTPConnection("127.0.0.1", tracking.running.osmand_port, timeout=10)
    forms = [
        ("GET", {"id": "V-101", "timestamp": str(int(ago(500).timestamp())), "lat": "35.73", "lon": "139.65",
                 "speed": "10", "bearing": "90", "altitude": "40", "accuracy": "5", "batt": "80",
                 "hdop": "0.9", "charge": "true", "valid": "true", "driverUniqueId": "D-101"}),
        ("GET", {"deviceid": "V-101", "timestamp": str(int(ago(400).timestamp() * 1000)),
                 "location": "35.731,139.651", "heading": "180"}),
        ("POST", {"id": "V-101", "timestamp": ago(300).isoformat(), "lat": "35.732", "lon": "139.652"}),
        ("POST", {"id": "V-101", "timestamp": ago(200).strftime("%Y-%m-%d %H:%M:%S"), "lat": "35.733",
                  "lon": "139.653", "custom": "x"}),
    ]
    before = tracking.rows("V-101")
    for method, params in forms:
        assert call(tracking, params, method, keep_alive) == (200, "")
    assert tracking.rows("V-101") == before + 4
    # A retry (the phone did not get the 200): answered 200, stored once.
    assert call(tracking, forms[0][1], "GET", keep_alive) == (200, "")
    assert tracking.rows("V-101") == before + 4
    keep_alive.close()
    track = tracking.running.ingest.history.between("ORG-001", "V-101", ago(600), ago(100))
    first = track[0]
    assert first.speed_kmh == pytest.approx(18.52) and first.heading == 90 and first.battery == 80
    assert first.attributes == {"hdop": "0.9", "charge": "true", "valid": "true", "driverUniqueId": "D-101"}
    assert track[1].heading == 180 and track[1].latitude == 35.731
    assert track[3].attributes == {"custom": "x"}


@pytest.mark.parametrize(("params", "field"), [
    ({"lat": "35.7", "lon": "139.6"}, "device_id"),
    ({"id": "unknown-phone", "lat": "35.7", "lon": "139.6"}, "device_id"),
    ({"id": "V-102", "lat": "north", "lon": "139.6"}, "lat"),
    ({"id": "V-102", "lat": "35.7", "lon": "139.6", "timestamp": "yesterday"}, "timestamp"),
    ({"id": "V-102", "lat": "95", "lon": "139.6"}, "location.latitude"),
    ({"id": "V-102", "lat": "0", "lon": "0"}, "location"),
    ({"id": "V-102", "lat": "35.7", "lon": "139.6", "speed": "-3"}, "speed_kmh"),
    ({"id": "V-102", "lat": "35.7"}, "location.longitude"),
])
def test_bad_requests_are_answered_400_with_the_field(tracking, params, field) -> None:
    params = {"timestamp": str(int(ago(30).timestamp())), **params}
    status, body = call(tracking, params)
    assert status == 400
    assert body.startswith(f"{field}: ") and " / " in body


def test_unknown_ids_are_limited_per_address(tracking, monkeypatch) -> None:
    app = _app(tracking.running.osmand.server)
    monkeypatch.setattr(app, "limiter", osmand.UnknownIdLimiter(limit=3))
    params = {"id": "guess-1", "lat": "35.7", "lon": "139.6", "timestamp": str(int(ago(5).timestamp()))}
    assert [call(tracking, params)[0] for _ in range(4)] == [400, 400, 400, 429]
    good = {**params, "id": "V-002"}
    assert call(tracking, good)[0] == 429  # the whole address waits for the window to end
    monkeypatch.setattr(app, "limiter", osmand.UnknownIdLimiter())
    assert call(tracking, good)[0] == 200


def _app(server: object) -> osmand.OsmAndApp:
    app = server.config.app  # type: ignore[attr-defined]
    assert isinstance(app, osmand.OsmAndApp)
    return app


def test_storage_down_is_503_and_nothing_is_acknowledged() -> None:
    from server.adapters.memory.tracking import MemoryDevices, MemoryPositionHistory
    from server.tracking.ingest import Ingest
    from server.tracking.model import Device

    history = MemoryPositionHistory()
    history.fail = ConnectionError("PostgreSQL down")
    ingest = Ingest(MemoryDevices([Device("phone-1", "O", "V-1")]), history)
    server = osmand.start_osmand("127.0.0.1:0", ingest)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        query = urllib.parse.urlencode({"id": "phone-1", "lat": "35.7", "lon": "139.6",
                                        "timestamp": str(int(ago(5).timestamp()))})
        conn.request("GET", f"/?{query}")
        response = conn.getresponse()
        assert response.status == 503 and " / " in response.read().decode()
        history.fail = None  # back: the phone's retry is stored
        conn.request("GET", f"/?{query}")
        assert conn.getresponse().status == 200
        assert len(history.days()) == 1
        conn.close()
    finally:
        server.stop(1)
        ingest.close()
