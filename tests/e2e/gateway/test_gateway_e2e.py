"""The REST gateway end to end: HTTP → gateway → gRPC → PostgreSQL, and back as proto3 JSON."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from server.adapters.postgres.seed import NERIMA_BRANCH_ID, ORG_ID
from tests.e2e.gateway.conftest import Live

ORG = f"organizations/{ORG_ID}"
BRANCH = f"{ORG}/branches/{NERIMA_BRANCH_ID}"


def _wait(client: httpx.Client, name: str, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        reply = client.get(f"/v1/{name}")
        assert reply.status_code == 200, reply.text
        op = reply.json()
        if op.get("done"):
            return op
        assert time.monotonic() < deadline, op
        time.sleep(0.2)


@pytest.fixture(scope="module")
def plan(live: Live) -> dict:
    """The demo day's plan for 練馬, optimized through ``:optimize`` and polled to done."""
    d = live.day
    with live.client() as client:
        reply = client.post(f"/v1/{BRANCH}/plans:optimize", json={
            "planDate": {"year": d.year, "month": d.month, "day": d.day}, "timeLimit": "2s", "seed": 1,
        })
        assert reply.status_code == 200, reply.text
        op = reply.json()
        assert op["name"].startswith("operations/")
        done = _wait(client, op["name"])
    assert "error" not in done, done
    assert done["response"]["@type"] == "type.googleapis.com/hakobu.plans.v1.DeliveryPlan"
    return done["response"]


def test_get_a_plan(live: Live, plan: dict) -> None:
    with live.client() as client:
        reply = client.get(f"/v1/{plan['name']}")
    assert reply.status_code == 200, reply.text
    got = reply.json()
    assert got["name"] == plan["name"] and got["routes"]
    assert "planDate" in got and "plan_date" not in got  # proto3 JSON: lowerCamelCase
    assert reply.headers["content-type"] == "application/json"


def test_list_page_by_page(live: Live) -> None:
    """ListBranches with pageSize=1 walks the demo's three branches through nextPageToken."""
    with live.client() as client:
        names: list[str] = []
        token = None
        for _ in range(10):
            params = {"pageSize": 1, **({"pageToken": token} if token else {})}
            page = client.get(f"/v1/{ORG}/branches", params=params)
            assert page.status_code == 200, page.text
            body = page.json()
            assert len(body["branches"]) == 1
            names += [b["name"] for b in body["branches"]]
            token = body.get("nextPageToken")
            if not token:
                break
    assert len(names) == 3 and len(set(names)) == 3 and BRANCH in names


def test_list_plans(live: Live, plan: dict) -> None:
    with live.client() as client:
        reply = client.get(f"/v1/{ORG}/plans")
    assert reply.status_code == 200, reply.text
    assert plan["name"] in [p["name"] for p in reply.json()["plans"]]


def test_query_parameters_by_proto_name_too(live: Live, plan: dict) -> None:
    with live.client() as client:
        reply = client.get(f"/v1/{ORG}/plans", params={"page_size": 1})
    assert reply.status_code == 200, reply.text
    assert len(reply.json()["plans"]) == 1


def test_request_id_echoed_or_made(live: Live) -> None:
    with live.client() as client:
        given = client.get("/healthz", headers={"x-request-id": "abc-123"})
        made = client.get(f"/v1/{ORG}/plans")
    assert given.headers["x-request-id"] == "abc-123"
    assert len(made.headers["x-request-id"]) == 32
    assert made.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in made.headers["content-security-policy"]


def _error(reply: httpx.Response, status: int) -> dict:
    assert reply.status_code == status, reply.text
    body = reply.json()["error"]
    assert body["code"] == status
    assert isinstance(body["message"], str) and body["message"]
    return body


def _violations(body: dict) -> list[str]:
    return [v["field"] for d in body["details"] if d["@type"].endswith("google.rpc.BadRequest")
            for v in d["fieldViolations"]]


def test_malformed_json_is_400(live: Live) -> None:
    with live.client() as client:
        reply = client.post(f"/v1/{BRANCH}/plans:optimize", content=b"{not json",
                            headers={"content-type": "application/json"})
    body = _error(reply, 400)
    assert body["status"] == "INVALID_ARGUMENT"


def test_unknown_field_is_400_naming_it(live: Live) -> None:
    with live.client() as client:
        reply = client.post(f"/v1/{BRANCH}/plans:optimize", json={"planDate": {"year": 2030}, "bogus": 1})
        nested = client.post(f"/v1/{BRANCH}/plans:optimize", json={"planDate": {"yaer": 2030}})
        query = client.get(f"/v1/{ORG}/plans", params={"colour": "red"})
    assert _violations(_error(reply, 400)) == ["bogus"]
    assert _violations(_error(nested, 400)) == ["planDate.yaer"]
    assert _violations(_error(query, 400)) == ["colour"]


def test_wrong_type_is_400_naming_the_field(live: Live) -> None:
    with live.client() as client:
        body = client.post(f"/v1/{BRANCH}/plans:optimize", json={"planDate": {"year": "soon"}})
        query = client.get(f"/v1/{ORG}/plans", params={"pageSize": "many"})
    assert _violations(_error(body, 400)) == ["planDate.year"]
    assert _violations(_error(query, 400)) == ["pageSize"]


def test_errors_of_the_service_keep_their_details(live: Live) -> None:
    with live.client() as client:
        missing = client.get(f"/v1/{ORG}/plans/NO-SUCH-PLAN", headers={"accept-language": "en"})
        bad = client.post(f"/v1/{BRANCH}/plans:optimize", json={})
    body = _error(missing, 404)
    assert body["status"] == "NOT_FOUND"
    kinds = {d["@type"].rsplit(".", 1)[-1] for d in body["details"]}
    assert {"ErrorInfo", "LocalizedMessage"} <= kinds
    assert body["message"].isascii()  # Accept-Language: en reached the service
    assert "planDate" in json.dumps(_error(bad, 400)) or "plan_date" in json.dumps(bad.json())


def test_another_organizations_path_is_403(live: Live) -> None:
    with live.client() as client:
        reply = client.get("/v1/organizations/ORG-OTHER/plans/P-1")
    assert _error(reply, 403)["status"] == "PERMISSION_DENIED"


def test_oversize_body_is_413(live: Live) -> None:
    gateway = live.gateway(gateway_max_body_bytes=2048)
    try:
        with httpx.Client(base_url=gateway.url, timeout=30) as client:
            reply = client.post(f"/v1/{BRANCH}/plans:optimize", content=b"{" + b" " * 4096 + b"}",
                                headers={"content-type": "application/json"})
    finally:
        gateway.stop()
    assert _error(reply, 413)["status"] == "INVALID_ARGUMENT"


def test_no_route_is_404_and_wrong_method_405(live: Live) -> None:
    with live.client() as client:
        nothing = client.get("/v1/nothing/here")
        wrong = client.put(f"/v1/{ORG}/plans")
    assert _error(nothing, 404)["status"] == "NOT_FOUND"
    assert _error(wrong, 405)
    assert "GET" in wrong.headers["allow"]
