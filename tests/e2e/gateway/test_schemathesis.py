"""Property-based calls generated from the live gateway's own ``/openapi.json`` (schemathesis): no
server error (5xx) and no response that breaks the document, for every served route except the
optimizer's compute-heavy ones (their problems are tested in tests/e2e/test_optimizer_grpc.py) and the
services no backend serves yet. A few examples per route keep the run under a minute.

schemathesis's own pytest plugin does not run under this project's pytest, so the test walks the
operations itself, one hypothesis run per operation."""

from __future__ import annotations

import os
import re

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.e2e.gateway.conftest import Live

#: Routes left out: searches that run the optimizer for as long as a generated request asks.
HEAVY = re.compile(r"^hakobu\.(optimizer\.v1\.OptimizerService\.|geo\.v1\.GeoService\.Compute)")
#: Left out too: services whose backend is not part of this test's system, sign-out (it would revoke
#: the token every other generated call carries) and the live fleet stream (it never ends by itself;
#: tested in test_gateway_e2e.py).
UNSERVED = re.compile(r"^hakobu\.reports\.|^hakobu\.identity\.v1\.AuthService\.Logout$"
                      r"|^hakobu\.tracking\.v1\.TrackingService\.StreamFleet$")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
#: Examples per operation; HAKOBU_SCHEMATHESIS_EXAMPLES=30 for a longer search (about a minute).
EXAMPLES = int(os.environ.get("HAKOBU_SCHEMATHESIS_EXAMPLES", "6"))


def test_the_api_answers_by_its_document(live: Live) -> None:
    schema = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    tested: list[str] = []
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        op_id = operation.definition.raw["operationId"]
        if HEAVY.match(op_id) or UNSERVED.match(op_id):
            continue
        tested.append(op_id)

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=CHECKS, headers=live.creds.headers, timeout=30)

        try:
            run()
        except Exception as exc:  # every operation runs; the failures are listed together
            failures.append(f"{op_id}: {exc}"[:2000])
    assert "hakobu.plans.v1.PlanService.GetPlan" in tested and len(tested) > 30
    assert failures == [], "\n\n".join(failures)
