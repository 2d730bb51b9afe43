"""Path templates and the route table derived from the API's google.api.http annotations."""

from __future__ import annotations

import pytest

from gateway.routes import MethodNotAllowed, RouteTable, TemplateError, api_files, parse_template, routes_of


@pytest.fixture(scope="module")
def table() -> RouteTable:
    return RouteTable(routes_of(api_files()))


def test_a_template_with_a_variable_and_a_verb() -> None:
    t = parse_template("/v1/{name=organizations/*/plans/*}:publish")
    assert t.variables == ("name",) and t.verb == "publish"
    m = t.pattern.match("/v1/organizations/ORG-1/plans/P-9:publish")
    assert m and m.group(1) == "organizations/ORG-1/plans/P-9"
    assert not t.pattern.match("/v1/organizations/ORG-1/plans/P-9")
    assert not t.pattern.match("/v1/organizations/ORG-1/branches/B/plans/P-9:publish")
    assert t.openapi_path == "/v1/{name}:publish"


def test_field_paths_double_wildcards_and_plain_variables() -> None:
    nested = parse_template("/v1/{vehicle.name=organizations/*/vehicles/*}")
    assert nested.variables == ("vehicle.name",)
    deep = parse_template("/v1/{name=operations/**}")
    assert deep.pattern.match("/v1/operations/a/b/c").group(1) == "operations/a/b/c"  # type: ignore[union-attr]
    plain = parse_template("/v1/graphs/{graph}:computeMatrix")
    assert plain.pattern.match("/v1/graphs/tokyo:computeMatrix").group(1) == "tokyo"  # type: ignore[union-attr]
    assert not plain.pattern.match("/v1/graphs/a/b:computeMatrix")


@pytest.mark.parametrize("bad", ["v1/x", "/v1//x", "/v1/{name", "/v1/{9x}", "/v1/x:", "/v1/{a=b c}"])
def test_bad_templates_are_refused(bad: str) -> None:
    with pytest.raises(TemplateError):
        parse_template(bad)


def test_every_annotated_rpc_has_a_route(table: RouteTable) -> None:
    from google.api import annotations_pb2

    annotated = {m.full_name for f in api_files() for s in f.services_by_name.values() for m in s.methods
                 if not m.client_streaming and m.GetOptions().HasExtension(annotations_pb2.http)}
    assert annotated == {r.label for r in table.routes}
    assert "hakobu.plans.v1.PlanService.GetPlan" in annotated
    assert "google.longrunning.Operations.GetOperation" in annotated


def test_matching_gets_the_route_and_its_variables(table: RouteTable) -> None:
    route, found = table.match("GET", "/v1/organizations/ORG-001/plans/P1")  # type: ignore[misc]
    assert route.label == "hakobu.plans.v1.PlanService.GetPlan"
    assert found == {"name": "organizations/ORG-001/plans/P1"}
    route, found = table.match("GET", "/v1/organizations/ORG-001/plans/P1:listRevisions")  # type: ignore[misc]
    assert route.label == "hakobu.plans.v1.PlanService.ListPlanRevisions"
    route, found = table.match("POST", "/v1/organizations/O/branches/B/plans:optimize")  # type: ignore[misc]
    assert route.label == "hakobu.plans.v1.PlanService.OptimizePlan" and route.body == "*"
    assert found == {"branch": "organizations/O/branches/B"}
    route, _ = table.match("PATCH", "/v1/organizations/O/vehicles/V")  # type: ignore[misc]
    assert route.template.variables == ("vehicle.name",) and route.body == "vehicle"
    route, _ = table.match("GET", "/v1/operations/abc")  # type: ignore[misc]
    assert route.service == "google.longrunning.Operations"
    route, _ = table.match("POST", "/v1/optimizer:streamOptimize")  # type: ignore[misc]
    assert route.streaming


def test_no_route_and_wrong_method(table: RouteTable) -> None:
    assert table.match("GET", "/v2/organizations/O/plans/P") is None
    with pytest.raises(MethodNotAllowed) as exc:
        table.match("PUT", "/v1/organizations/O/plans/P")
    assert set(exc.value.allowed) == {"GET", "DELETE"}
    with pytest.raises(MethodNotAllowed) as custom:
        table.match("GET", "/v1/organizations/O/plans/P:publish")  # never "a plan named P:publish"
    assert custom.value.allowed == ["POST"]


def test_a_remembered_match_answers_the_same_and_its_variables_are_the_callers(table: RouteTable) -> None:
    path = "/v1/organizations/ORG-001/plans/P-memo"
    route, found = table.match("GET", path)  # type: ignore[misc]
    found["name"] = "changed by the caller"
    again, found_again = table.match("GET", path)  # type: ignore[misc]
    assert again is route and found_again == {"name": "organizations/ORG-001/plans/P-memo"}
    for _ in range(2):  # what did not match is never remembered as a match
        assert table.match("GET", "/v2/organizations/O/plans/P") is None
        with pytest.raises(MethodNotAllowed):
            table.match("PUT", path)
    long_path = "/v1/organizations/O/plans/" + "p" * 600
    assert table.match("GET", long_path) is not None and table.match("GET", long_path) is not None
