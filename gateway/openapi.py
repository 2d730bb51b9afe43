"""The OpenAPI 3.1 document, generated from the same descriptors as the routes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gateway.routes import Route


def openapi_document(routes: Sequence[Route]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for route in routes:
        paths.setdefault(route.template.openapi_path, {})[route.http_method.lower()] = {
            "operationId": route.label,
        }
    return {"openapi": "3.1.0", "info": {"title": "Hakobu REST API", "version": "v1"}, "paths": paths}
