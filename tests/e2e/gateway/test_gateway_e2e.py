"""The REST gateway end to end: HTTP → gateway → gRPC → PostgreSQL, and back as proto3 JSON."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from prometheus_client import generate_latest

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
        newline = client.post("/v1/organizations/a%0Ab/apiKeys", json={})
        slash = client.get(f"/v1/{ORG}/plans/")
    assert _error(nothing, 404)["status"] == "NOT_FOUND"
    assert newline.headers["content-type"] == "application/json" and newline.status_code in (400, 403, 404)
    assert _error(slash, 404)["status"] == "NOT_FOUND"
    assert _error(wrong, 405)
    assert "GET" in wrong.headers["allow"]


def _demo_problem(seconds: float = 1.0) -> dict:
    from google.protobuf import json_format

    from server.demo import demo_request

    return json_format.MessageToDict(demo_request(time_limit=seconds, road_graph=None))


def test_stream_optimize_as_server_sent_events(live: Live) -> None:
    events: list[tuple[str, dict]] = []
    with live.client() as client, client.stream("POST", "/v1/optimizer:streamOptimize",
                                                 json=_demo_problem()) as reply:
        assert reply.status_code == 200
        assert reply.headers["content-type"].startswith("text/event-stream")
        kind = "message"
        for line in reply.iter_lines():
            if line.startswith("event: "):
                kind = line[len("event: "):]
            elif line.startswith("data: "):
                events.append((kind, json.loads(line[len("data: "):])))
                kind = "message"
    assert events and all(kind == "message" for kind, _ in events)
    assert events[-1][1]["final"] is True
    assert events[-1][1]["solution"]["routes"]


def test_a_stream_refused_at_once_is_a_plain_error(live: Live) -> None:
    with live.client() as client:
        reply = client.post("/v1/optimizer:streamOptimize", json={})
    assert reply.status_code == 400 and reply.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_optimizer_long_running_operation_is_pollable(live: Live) -> None:
    with live.client() as client:
        reply = client.post("/v1/optimizer:optimizeLongRunning", json=_demo_problem())
        assert reply.status_code == 200, reply.text
        done = _wait(client, reply.json()["name"])
    assert "error" not in done and done["response"]["solution"]["routes"]


def test_openapi_and_docs_are_served_by_the_gateway(live: Live) -> None:
    with live.client() as client:
        doc = client.get("/openapi.json").json()
        page = client.get("/docs")
        bundle = client.get("/docs/assets/swagger-ui-bundle.js")
        init = client.get("/docs/init.js")
    assert doc["openapi"].startswith("3.1")
    get_plan = doc["paths"]["/v1/organizations/{organizationId}/plans/{planId}"]["get"]
    assert get_plan["operationId"] == "hakobu.plans.v1.PlanService.GetPlan"
    assert page.status_code == 200 and "/docs/assets/swagger-ui-bundle.js" in page.text
    assert "http" not in page.text  # no script or style from another host
    assert bundle.status_code == 200 and len(bundle.content) > 100_000
    assert init.status_code == 200 and "/openapi.json" in init.text


def test_rate_limit_answers_429_with_retry_after(live: Live) -> None:
    gateway = live.gateway(gateway_rate_limit=(3, 86400.0))
    try:
        with httpx.Client(base_url=gateway.url, headers=live.creds.headers, timeout=30) as client:
            codes = [client.get(f"/v1/{ORG}/branches").status_code for _ in range(3)]
            limited = client.get(f"/v1/{ORG}/branches")
            health = client.get("/healthz")
    finally:
        gateway.stop()
    assert codes == [200, 200, 200]
    body = _error(limited, 429)
    assert body["status"] == "RESOURCE_EXHAUSTED"
    assert 1 <= int(limited.headers["retry-after"]) <= 86400  # one-day windows: no edge mid-test
    assert limited.headers["x-request-id"]
    assert health.status_code == 200  # health checks are not counted


def test_readiness_checks_the_backends(live: Live) -> None:
    with live.client() as client:
        ready = client.get("/readyz")
        client.get(f"/v1/{ORG}/branches")
    assert ready.status_code == 200 and ready.json()["status"] == "SERVING"
    metrics = generate_latest().decode()  # the gateway under test runs in this process
    assert ('hakobu_gateway_requests_total{method="GET",'
            'route="hakobu.fleet.v1.OrganizationService.ListBranches",status="200"}') in metrics


def test_a_client_cannot_claim_an_organization(live: Live) -> None:
    """x-hakobu-organization from a client is never passed on: the token's organization (ORG-001)
    decides, so claiming another organization reaches nothing of it."""
    with live.client() as client:
        reply = client.get("/v1/organizations/ORG-OTHER/plans",
                           headers={"x-hakobu-organization": "ORG-OTHER"})
    assert _error(reply, 403)["status"] == "PERMISSION_DENIED"


def test_no_credential_forged_or_expired_token_is_401(live: Live) -> None:
    from tests.credentials import token_for

    forged = token_for(ORG_ID, key=b"another-signing-key-0123456789abcdef")
    expired = token_for(ORG_ID, expires_in=-60)
    with httpx.Client(base_url=live.url, timeout=30) as client:
        replies = [client.get(f"/v1/{ORG}/plans"),
                   client.get(f"/v1/{ORG}/plans", headers={"authorization": f"Bearer {forged}"}),
                   client.get(f"/v1/{ORG}/plans", headers={"authorization": f"Bearer {expired}"}),
                   client.get(f"/v1/{ORG}/plans", headers={"authorization": "Bearer \xe9".encode("latin-1")})]
    for reply in replies[:3]:
        assert _error(reply, 401)["status"] == "UNAUTHENTICATED"
    assert _error(replies[3], 400)["status"] == "INVALID_ARGUMENT"


def test_sign_in_then_call_then_sign_out(live: Live) -> None:
    """The README's curl example: POST /v1/auth:login with the dev password, one call, sign-out."""
    from server.adapters.postgres.seed import set_dev_passwords

    passwords = set_dev_passwords(live.settings.database_url or "")
    with httpx.Client(base_url=live.url, timeout=30) as client:
        login = client.post("/v1/auth:login", json={
            "organization": ORG_ID, "login": "dispatcher01", "password": passwords["dispatcher01"]})
        assert login.status_code == 200, login.text
        body = login.json()
        assert set(body) >= {"accessToken", "expireTime"}
        auth = {"authorization": f"Bearer {body['accessToken']}"}
        me = client.get("/v1/users/me", headers=auth)
        listed = client.get(f"/v1/{ORG}/branches", headers=auth)
        out = client.post("/v1/auth:logout", headers=auth)
        after = client.get(f"/v1/{ORG}/branches", headers=auth)
        wrong = client.post("/v1/auth:login", json={
            "organization": ORG_ID, "login": "dispatcher01", "password": "wrong"})
    assert me.status_code == 200 and me.json()["login"] == "dispatcher01", me.text
    assert listed.status_code == 200
    assert out.status_code == 200, out.text
    assert _error(after, 401)["status"] == "UNAUTHENTICATED"
    assert _error(wrong, 401)["status"] == "UNAUTHENTICATED"


def test_sign_in_attempts_are_limited_per_user(live: Live) -> None:
    gateway = live.gateway(gateway_login_user_rate_limit=(2, 86400.0))
    try:
        with httpx.Client(base_url=gateway.url, timeout=30) as client:
            codes = [client.post("/v1/auth:login", json={
                "organization": ORG_ID, "login": "driver01", "password": f"guess{i}"}).status_code
                for i in range(3)]
            limited = client.post("/v1/auth:login", json={
                "organization": ORG_ID, "login": "driver01", "password": "guess"})
    finally:
        gateway.stop()
    assert codes[:2] == [401, 401] and codes[2] == 429
    assert _error(limited, 429)["details"][0]["reason"] == "LOGIN_RATE_LIMITED"
    assert "retry-after" in limited.headers


def test_cors_from_settings(live: Live) -> None:
    gateway = live.gateway(gateway_cors_origins=("https://planner.example.jp",))
    try:
        with httpx.Client(base_url=gateway.url, headers=live.creds.headers, timeout=30) as client:
            pre = client.options(f"/v1/{ORG}/plans", headers={
                "origin": "https://planner.example.jp", "access-control-request-method": "GET"})
            other = client.get(f"/v1/{ORG}/plans", headers={"origin": "https://evil.example"})
    finally:
        gateway.stop()
    assert pre.status_code == 200
    assert pre.headers["access-control-allow-origin"] == "https://planner.example.jp"
    assert "access-control-allow-origin" not in other.headers


def test_every_log_line_of_a_request_carries_its_id(live: Live) -> None:
    import io
    import logging

    from server.platform.observability import JsonFormatter

    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter("gateway"))
    logger = logging.getLogger("hakobu.gateway.access")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with live.client() as client:
            client.get(f"/v1/{ORG}/branches", headers={"x-request-id": "trace-me-42"})
        deadline = time.monotonic() + 10  # the access line is written once the reply has been sent
        while "trace-me-42" not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    mine = [line for line in lines if line.get("request_id") == "trace-me-42"]
    assert mine and mine[0]["status"] == 200 and mine[0]["route"].endswith("ListBranches")
    assert mine[0]["service"] == "gateway" and "duration_ms" in mine[0]


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(live: Live) -> None:
    gateway = live.gateway(gateway_rate_limit=(1, 86400.0))  # 127.0.0.1, the test client, is trusted
    try:
        with httpx.Client(base_url=gateway.url, headers=live.creds.headers, timeout=30) as client:
            a = [client.get(f"/v1/{ORG}/branches", headers={"x-forwarded-for": "203.0.113.7"}).status_code
                 for _ in range(2)]
            b = client.get(f"/v1/{ORG}/branches", headers={"x-forwarded-for": "203.0.113.8"}).status_code
    finally:
        gateway.stop()
    assert a == [200, 429] and b == 200


def test_stream_fleet_as_server_sent_events(live: Live) -> None:
    """GET …:streamFleet: first the current state of each vehicle of the branch, one event each."""
    events: list[dict] = []
    with live.client() as client, client.stream("GET", f"/v1/{BRANCH}:streamFleet") as reply:
        assert reply.status_code == 200, reply.read()
        assert reply.headers["content-type"].startswith("text/event-stream")
        for line in reply.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[len("data: "):]))
            if len(events) == 3:
                break
    assert {e["vehicleState"]["vehicle"] for e in events} == {
        f"{ORG}/vehicles/{v}" for v in ("V-101", "V-102", "V-103")}


def test_a_stream_of_another_organization_is_403(live: Live) -> None:
    with live.client() as client:
        reply = client.get("/v1/organizations/ORG-OTHER/branches/B:streamFleet")
    assert _error(reply, 403)["status"] == "PERMISSION_DENIED"
