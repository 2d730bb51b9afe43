"""The gateway keeps the JSON of large replies by their bytes (``gateway.replycache``) and the plans
server keeps GetPlan's reply while the plan is unchanged: through both, a changed plan is served at once,
and a body made for one caller never reaches another organization."""

from __future__ import annotations

import httpx

from server.adapters.postgres.seed import NERIMA_BRANCH_ID, ORG_ID
from tests.e2e.gateway.conftest import Live
from tests.e2e.gateway.credentials import credentials_for
from tests.e2e.gateway.test_gateway_e2e import _wait

ORG = f"organizations/{ORG_ID}"
BRANCH = f"{ORG}/branches/{NERIMA_BRANCH_ID}"


def _plan(client: httpx.Client, live: Live) -> dict:
    d = live.day
    reply = client.post(f"/v1/{BRANCH}/plans:optimize", json={
        "planDate": {"year": d.year, "month": d.month, "day": d.day}, "timeLimit": "2s", "seed": 1,
    })
    assert reply.status_code == 200, reply.text
    done = _wait(client, reply.json()["name"])
    assert "error" not in done, done
    return dict(done["response"])


def test_an_edited_plan_is_served_at_once_through_the_gateway(live: Live) -> None:
    with live.client() as client:
        plan = _plan(client, live)
        first = client.get(f"/v1/{plan['name']}")
        assert first.status_code == 200 and client.get(f"/v1/{plan['name']}").content == first.content
        assert len(first.content) > 2048, "large enough for the gateway to keep its body"
        current = first.json()
        order = next(s["order"] for r in current["routes"] for s in r["stops"] if s.get("order"))
        edited = client.post(f"/v1/{plan['name']}:edit", json={
            "etag": current["etag"], "edits": [{"unassignOrder": {"order": order}}],
        })
        assert edited.status_code == 200, edited.text
        assert edited.json()["saved"] is True
        after = client.get(f"/v1/{plan['name']}")
        assert after.status_code == 200 and after.json() == edited.json()["plan"]
        assert after.json()["etag"] != current["etag"]
        assert order in [u["order"] for u in after.json()["unassigned"]]


def test_a_kept_body_never_reaches_another_organization(live: Live) -> None:
    with live.client() as client:
        plan = _plan(client, live)
        assert client.get(f"/v1/{plan['name']}").status_code == 200
    plan_id = plan["name"].rsplit("/", 1)[1]
    other = credentials_for("ORG-002")
    with httpx.Client(base_url=live.url, headers=other.headers, timeout=60) as client:
        assert client.get(f"/v1/{plan['name']}").status_code == 403
        assert client.get(f"/v1/organizations/ORG-002/plans/{plan_id}").status_code in (403, 404)
