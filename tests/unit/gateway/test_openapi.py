"""The OpenAPI document generated from the descriptors: every route, resolvable references, path
parameters that match the paths, the error schema."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from gateway.openapi import openapi_document
from gateway.routes import RouteTable, api_files, routes_of


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return openapi_document(RouteTable(routes_of(api_files())).routes)


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in doc["paths"].items() for method, op in item.items()]


def test_every_route_is_one_operation(doc: dict[str, Any]) -> None:
    routes = routes_of(api_files())
    ops = _operations(doc)
    assert len(ops) == len(routes)
    ids = [op["operationId"] for _, _, op in ops]
    assert len(set(ids)) == len(ids)
    assert {r.label for r in routes} <= set(ids)
    assert doc["openapi"] == "3.1.0"


def test_path_parameters_match_the_path(doc: dict[str, Any]) -> None:
    for path, _, op in _operations(doc):
        in_path = re.findall(r"\{([^}]+)\}", path)
        declared = [p["name"] for p in op.get("parameters", []) if p["in"] == "path"]
        assert in_path == declared, path
    assert "/v1/organizations/{organizationId}/plans/{planId}:publish" in doc["paths"]
    assert "/v1/organizations/{organizationId}/branches/{branchId}" in doc["paths"]


def test_query_parameters_of_a_list(doc: dict[str, Any]) -> None:
    op = doc["paths"]["/v1/organizations/{organizationId}/plans"]["get"]
    query = {p["name"]: p["schema"] for p in op["parameters"] if p["in"] == "query"}
    assert query["pageSize"] == {"type": "integer", "format": "int32"}
    assert "pageToken" in query and "parent" not in query


def test_every_reference_resolves(doc: dict[str, Any]) -> None:
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(doc)))
    assert refs and refs <= set(doc["components"]["schemas"])
    plan = doc["components"]["schemas"]["hakobu.plans.v1.DeliveryPlan"]
    assert plan["properties"]["planDate"] == {"$ref": "#/components/schemas/google.type.Date",
                                              "readOnly": True}
    assert plan["properties"]["createTime"]["format"] == "date-time"


def test_bodies_errors_and_streams(doc: dict[str, Any]) -> None:
    optimize = doc["paths"]["/v1/organizations/{organizationId}/branches/{branchId}/plans:optimize"]["post"]
    assert optimize["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/hakobu.plans.v1.OptimizePlanRequest"}
    assert optimize["responses"]["default"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"}
    stream = doc["paths"]["/v1/optimizer:streamOptimize"]["post"]
    assert "text/event-stream" in stream["responses"]["200"]["content"]
    update = doc["paths"]["/v1/organizations/{organizationId}/vehicles/{vehicleId}"]["patch"]
    body = update["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"] == "#/components/schemas/hakobu.fleet.v1.Vehicle"
    assert any(p["name"] == "updateMask" for p in update["parameters"])
