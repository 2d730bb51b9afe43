"""Building request messages from path variables, query parameters and bodies (AIP-127), and the
field each refusal names."""

from __future__ import annotations

import pytest

from gateway.routes import Route, RouteTable, api_files, routes_of
from gateway.transcode import BadRequest, build_request, to_json


@pytest.fixture(scope="module")
def table() -> RouteTable:
    return RouteTable(routes_of(api_files()))


def _route(table: RouteTable, method: str, path: str) -> tuple[Route, dict[str, str]]:
    found = table.match(method, path)
    assert found is not None
    return found


def _build(table: RouteTable, method: str, path: str, query: list[tuple[str, str]] | None = None,
           body: bytes = b""):
    route, found = _route(table, method, path)
    return build_request(route, found, query or [], body)


def _field_of(exc: pytest.ExceptionInfo[BadRequest]) -> str:
    return exc.value.violations[0][0]


def test_path_and_query_in_both_spellings(table: RouteTable) -> None:
    msg = _build(table, "GET", "/v1/organizations/ORG-001/plans",
                 [("pageSize", "5"), ("page_token", "t"), ("filter", "status=DRAFT")])
    assert (msg.parent, msg.page_size, msg.page_token, msg.filter) == ("organizations/ORG-001", 5, "t",
                                                                        "status=DRAFT")


def test_percent_encoded_path_variables_are_decoded(table: RouteTable) -> None:
    msg = _build(table, "GET", "/v1/organizations/ORG-001/plans/P%20X")
    assert msg.name == "organizations/ORG-001/plans/P X"


def test_nested_and_repeated_query_parameters(table: RouteTable) -> None:
    msg = _build(table, "GET", "/v1/organizations/O/plans/A:compare", [("b", "organizations/O/plans/B")])
    assert msg.a == "organizations/O/plans/A" and msg.b == "organizations/O/plans/B"
    route = next(r for r in table.routes if r.label.endswith("UpdateVehicle"))
    body = '{"registrationNumber": "練馬400か1"}'.encode()
    msg = build_request(route, {"vehicle.name": "organizations/O/vehicles/V"},
                        [("updateMask", "registrationNumber,payloadKg")], body)
    assert msg.vehicle.name == "organizations/O/vehicles/V"
    assert msg.vehicle.registration_number == "練馬400か1"
    assert list(msg.update_mask.paths) == ["registration_number", "payload_kg"]


def test_body_star_and_body_field(table: RouteTable) -> None:
    msg = _build(table, "POST", "/v1/organizations/O/branches/B/plans:optimize", body=(
                 b'{"planDate": {"year": 2030, "month": 1, "day": 2}, "time_limit": "2s", "force": true}'))
    assert msg.branch == "organizations/O/branches/B" and msg.plan_date.year == 2030
    assert msg.time_limit.seconds == 2 and msg.force
    msg = _build(table, "POST", "/v1/organizations/O/branches", body='{"displayName": "新宿"}'.encode())
    assert msg.parent == "organizations/O" and msg.branch.display_name == "新宿"


def test_the_path_wins_over_the_body(table: RouteTable) -> None:
    msg = _build(table, "POST", "/v1/organizations/O/branches/B/plans:optimize",
                 body=b'{"branch": "organizations/X/branches/Y"}')
    assert msg.branch == "organizations/O/branches/B"


def test_booleans_and_numbers_in_query(table: RouteTable) -> None:
    route = next(r for r in table.routes if r.label.endswith("GeoService.ListGraphs"))
    fields = {f.name: f for f in route.request_class.DESCRIPTOR.fields}
    assert build_request(route, {}, [], b"") is not None
    for name, f in fields.items():
        if f.type == f.TYPE_BOOL:
            with pytest.raises(BadRequest) as exc:
                build_request(route, {}, [(name, "maybe")], b"")
            assert _field_of(exc) == name


@pytest.mark.parametrize(("query", "field"), [
    ([("colour", "red")], "colour"),
    ([("pageSize", "many")], "pageSize"),
    ([("pageSize", "1"), ("pageSize", "2")], "pageSize"),
    ([("parent", "organizations/X")], "parent"),  # set by the path
    ([("pageSize.x", "1")], "pageSize.x"),
])
def test_bad_query_parameters_name_the_field(
    table: RouteTable, query: list[tuple[str, str]], field: str
) -> None:
    with pytest.raises(BadRequest) as exc:
        _build(table, "GET", "/v1/organizations/ORG-001/plans", query)
    assert _field_of(exc) == field


@pytest.mark.parametrize(("body", "field"), [
    (b'{"bogus": 1}', "bogus"),
    (b'{"planDate": {"yaer": 2030}}', "planDate.yaer"),
    (b'{"planDate": {"year": "soon"}}', "planDate.year"),
    (b'{"seed": "x"}', "seed"),
    (b'{"seed": 1.5}', "seed"),
    (b'{"force": "yes"}', "force"),
    (b'{"timeLimit": "forever"}', "timeLimit"),
    (b'{"travel": "BY_BICYCLE"}', "travel"),
    (b'[1, 2]', ""),
    (b'{"planDate": [1]}', "planDate"),
])
def test_bad_bodies_name_the_field(table: RouteTable, body: bytes, field: str) -> None:
    with pytest.raises(BadRequest) as exc:
        _build(table, "POST", "/v1/organizations/O/branches/B/plans:optimize", body=body)
    assert _field_of(exc) == field


def test_malformed_json_and_a_body_where_none_is_taken(table: RouteTable) -> None:
    with pytest.raises(BadRequest, match="not valid JSON"):
        _build(table, "POST", "/v1/organizations/O/branches/B/plans:optimize", body=b"{oops")
    with pytest.raises(BadRequest, match="no request body"):
        _build(table, "GET", "/v1/organizations/O/plans/P", body=b'{"name": "x"}')


def test_query_parameters_are_refused_where_the_body_is_everything(table: RouteTable) -> None:
    with pytest.raises(BadRequest) as exc:
        _build(table, "POST", "/v1/organizations/O/branches/B/plans:optimize", [("seed", "1")], b"{}")
    assert _field_of(exc) == "seed"


def test_json_out_is_camel_case(table: RouteTable) -> None:
    msg = _build(table, "GET", "/v1/organizations/ORG-001/plans", [("pageSize", "5")])
    assert to_json(msg) == {"parent": "organizations/ORG-001", "pageSize": 5}
