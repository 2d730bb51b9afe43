"""The OpenAPI 3.1 document, generated from the same descriptors as the routes.

Each message is one schema under ``components/schemas`` (named by its full proto name) in the proto3
JSON mapping: lowerCamelCase properties, 64-bit integers as numbers or decimal strings, enums by name,
the well-known types as their JSON forms. A path variable such as ``{name=organizations/*/plans/*}`` is
written as one parameter per ``*`` (``/v1/organizations/{organizationId}/plans/{planId}``): the same
URLs, and no two routes share an OpenAPI path. Fields neither in the path nor in the body are query
parameters, nested ones as ``a.b``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from google.api import field_behavior_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor

from gateway.routes import Route

FD = FieldDescriptor
_INT32 = {FD.TYPE_INT32, FD.TYPE_SINT32, FD.TYPE_SFIXED32}
_UINT32 = {FD.TYPE_UINT32, FD.TYPE_FIXED32}
_INT64 = {FD.TYPE_INT64, FD.TYPE_SINT64, FD.TYPE_SFIXED64, FD.TYPE_UINT64, FD.TYPE_FIXED64}
_QUERY_DEPTH = 3

_WELL_KNOWN: dict[str, dict[str, Any]] = {
    "google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    "google.protobuf.Duration": {"type": "string", "pattern": r"^-?[0-9]{1,12}(\.[0-9]{1,9})?s$",
                                 "examples": ["30s", "1.5s"]},
    "google.protobuf.FieldMask": {"type": "string", "description": "comma-separated field paths"},
    "google.protobuf.Empty": {"type": "object", "additionalProperties": False},
    "google.protobuf.Any": {"type": "object", "properties": {"@type": {"type": "string"}},
                            "required": ["@type"], "additionalProperties": True},
    "google.protobuf.Struct": {"type": "object", "additionalProperties": True},
    "google.protobuf.Value": {},
    "google.protobuf.ListValue": {"type": "array", "items": {}},
    "google.protobuf.StringValue": {"type": ["string", "null"]},
    "google.protobuf.BytesValue": {"type": ["string", "null"], "contentEncoding": "base64"},
    "google.protobuf.BoolValue": {"type": ["boolean", "null"]},
    "google.protobuf.DoubleValue": {"type": ["number", "null"]},
    "google.protobuf.FloatValue": {"type": ["number", "null"]},
    "google.protobuf.Int32Value": {"type": ["integer", "null"], "format": "int32"},
    "google.protobuf.UInt32Value": {"type": ["integer", "null"], "format": "int32", "minimum": 0},
    "google.protobuf.Int64Value": {"type": ["integer", "string", "null"], "pattern": r"^-?[0-9]+$"},
    "google.protobuf.UInt64Value": {"type": ["integer", "string", "null"], "pattern": r"^[0-9]+$"},
}
#: Query parameters take the JSON string form of these messages.
_STRING_FORM = {"google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.FieldMask"}

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "google.rpc.Status in the proto3 JSON mapping (AIP-193)",
    "properties": {"error": {
        "type": "object",
        "properties": {
            "code": {"type": "integer", "description": "the HTTP status"},
            "message": {"type": "string"},
            "status": {"type": "string", "description": "the google.rpc.Code name"},
            "details": {"type": "array", "items": {
                "type": "object", "properties": {"@type": {"type": "string"}}, "required": ["@type"],
                "description": "google.rpc.BadRequest (fieldViolations), ErrorInfo, LocalizedMessage, …",
            }},
        },
        "required": ["code", "message", "status"],
    }},
    "required": ["error"],
}


class _Schemas:
    def __init__(self) -> None:
        self.components: dict[str, Any] = {}

    def ref(self, message: Descriptor) -> dict[str, Any]:
        if message.full_name in _WELL_KNOWN:
            return dict(_WELL_KNOWN[message.full_name])
        if message.full_name not in self.components:
            self.components[message.full_name] = {}  # placeholder: recursion stops here
            self.components[message.full_name] = self._message(message)
        return {"$ref": f"#/components/schemas/{message.full_name}"}

    def _message(self, message: Descriptor) -> dict[str, Any]:
        props = {f.json_name: self.field(f) for f in message.fields}
        return {"type": "object", "properties": props, "additionalProperties": False}

    def field(self, field: FieldDescriptor) -> dict[str, Any]:
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            value = field.message_type.fields_by_name["value"]
            return {"type": "object", "additionalProperties": self.single(value)}
        schema = self.single(field)
        if field.is_repeated:
            schema = {"type": "array", "items": schema}
        behaviors = field.GetOptions().Extensions[field_behavior_pb2.field_behavior]
        if field_behavior_pb2.OUTPUT_ONLY in behaviors:
            schema["readOnly"] = True
        if field_behavior_pb2.REQUIRED in behaviors:
            schema["description"] = "required"
        return schema

    def single(self, field: FieldDescriptor) -> dict[str, Any]:
        t = field.type
        if field.message_type is not None:
            return self.ref(field.message_type)
        if field.enum_type is not None:
            return {"type": "string", "enum": [v.name for v in field.enum_type.values]}
        if t == FD.TYPE_STRING:
            return {"type": "string"}
        if t == FD.TYPE_BYTES:
            return {"type": "string", "contentEncoding": "base64"}
        if t == FD.TYPE_BOOL:
            return {"type": "boolean"}
        if t in (FD.TYPE_DOUBLE, FD.TYPE_FLOAT):
            return {"type": "number"}
        if t in _INT32:
            return {"type": "integer", "format": "int32"}
        if t in _UINT32:
            return {"type": "integer", "format": "int32", "minimum": 0, "maximum": 2**32 - 1}
        if t in _INT64:
            return {"type": ["integer", "string"], "format": "int64", "pattern": r"^-?[0-9]{1,19}$"}
        return {}


def _singular(collection: str) -> str:
    if collection.endswith("ies"):
        return collection[:-3] + "y"
    if re.search(r"(ch|sh|ss|x)es$", collection):
        return collection[:-2]
    return collection[:-1] if collection.endswith("s") else collection


def _expanded_path(route: Route) -> tuple[str, list[dict[str, Any]]]:
    """The OpenAPI path of ``route`` and its path parameters (one per ``*`` of a variable)."""
    params: list[dict[str, Any]] = []
    out: list[str] = []
    text = route.template.text
    verb = route.template.verb
    body = text[: -(len(verb) + 1)] if verb else text
    for part in re.split(r"/(?![^{]*\})", body[1:]):
        if not part.startswith("{"):
            out.append(part)
            continue
        name, _, sub = part[1:-1].partition("=")
        if not sub:
            out.append("{" + name + "}")
            params.append(_path_param(name, f"the request's `{name}`"))
            continue
        previous = "value"
        for seg in sub.split("/"):
            if seg in ("*", "**"):
                pname = _camel(_singular(previous)) + "Id"
                out.append("{" + pname + "}")
                params.append(_path_param(pname, f"a segment of the request's `{name}`"))
                if pname == "organizationId":
                    params[-1]["schema"]["examples"] = ["ORG-001"]  # the demo organization
            else:
                out.append(seg)
                previous = seg
    return "/" + "/".join(out) + (f":{verb}" if verb else ""), params


def _camel(name: str) -> str:
    head, *rest = re.split(r"[_-]", name)
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _path_param(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[^/]+$"}}


def _query_params(schemas: _Schemas, message: Descriptor, skip: set[str], prefix: str = "",
                  depth: int = 0) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for field in message.fields:
        if not prefix and (field.name in skip or field.json_name in skip):
            continue
        name = prefix + field.json_name
        repeated = field.is_repeated
        kind = field.message_type.full_name if field.message_type is not None else None
        if kind is not None and kind not in _STRING_FORM:
            if repeated or field.message_type.GetOptions().map_entry or depth >= _QUERY_DEPTH \
                    or kind.startswith("google.protobuf."):
                continue
            out += _query_params(schemas, field.message_type, skip, name + ".", depth + 1)
            continue
        schema = dict(_WELL_KNOWN[kind]) if kind else schemas.single(field)
        if repeated:
            schema = {"type": "array", "items": schema}
        out.append({"name": name, "in": "query", "required": False, "schema": schema,
                    **({"style": "form", "explode": True} if repeated else {})})
    return out


def _operation(schemas: _Schemas, route: Route, op_id: str) -> tuple[str, dict[str, Any]]:
    path, params = _expanded_path(route)
    request = route.request_class.DESCRIPTOR
    bound = {v.split(".")[0] for v in route.template.variables}
    op: dict[str, Any] = {
        "operationId": op_id,
        "tags": [route.method.containing_service.name],
        "summary": f"{route.method.containing_service.name}.{route.method.name}",
        "description": f"gRPC `{route.grpc_path}`",
    }
    if route.body == "*":
        op["requestBody"] = {"required": True,
                             "content": {"application/json": {"schema": schemas.ref(request)}}}
    else:
        if route.body:
            field = request.fields_by_name[route.body]
            op["requestBody"] = {"required": True,
                                 "content": {"application/json": {"schema": schemas.field(field)}}}
            bound.add(route.body)
        params += _query_params(schemas, request, bound)
    if params:
        op["parameters"] = params
    reply = route.response_class.DESCRIPTOR
    if route.response_body:
        schema = schemas.field(reply.fields_by_name[route.response_body])
    else:
        schema = schemas.ref(reply)
    ok: dict[str, Any]
    if route.streaming:
        ok = {"description": f"Server-Sent Events: one `data:` event per {reply.name} (JSON), an `error` "
                             "event with the google.rpc.Status if the stream fails",
              "content": {"text/event-stream": {"schema": {"type": "string"},
                                                "x-event-schema": schema}}}
    else:
        ok = {"description": reply.name, "content": {"application/json": {"schema": schema}}}
    error = {"description": "google.rpc.Status (AIP-193)",
             "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    op["responses"] = {"200": ok, "default": error}
    return path, op


def openapi_document(routes: Sequence[Route], title: str = "Hakobu REST API") -> dict[str, Any]:
    schemas = _Schemas()
    paths: dict[str, dict[str, Any]] = {}
    seen: dict[str, int] = {}
    for route in sorted(routes, key=lambda r: (r.template.text, r.http_method)):
        n = seen[route.label] = seen.get(route.label, 0) + 1
        op_id = route.label if n == 1 else f"{route.label}.{n}"
        path, op = _operation(schemas, route, op_id)
        paths.setdefault(path, {})[route.http_method.lower()] = op
    components = {
        "schemas": {**dict(sorted(schemas.components.items())), "Error": ERROR_SCHEMA},
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                       "description": "the accessToken of POST /v1/auth:login"},
            "apiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "v1",
                 "description": "Every route is derived from the google.api.http annotations of the gRPC "
                                "API (proto/hakobu/*/v1); bodies and replies use the proto3 JSON mapping."},
        "security": [{"bearer": []}, {"apiKey": []}],
        "paths": dict(sorted(paths.items())),
        "components": components,
    }
