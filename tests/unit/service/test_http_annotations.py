"""Every RPC of the Hakobu API has a google.api.http mapping (read from the descriptors, not the text)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from types import ModuleType

import pytest
from google.api import annotations_pb2, http_pb2
from google.protobuf.descriptor import FileDescriptor, MethodDescriptor
from grpc_health.v1 import health_pb2

import hakobu

_VERBS = ("get", "put", "post", "delete", "patch")


def _api_modules() -> list[ModuleType]:
    names = [m.name for m in pkgutil.walk_packages(hakobu.__path__, "hakobu.") if m.name.endswith("_pb2")]
    return [importlib.import_module(n) for n in sorted(names)]


def _methods(file: FileDescriptor) -> list[MethodDescriptor]:
    return [m for s in file.services_by_name.values() for m in s.methods]


def _rule(method: MethodDescriptor) -> http_pb2.HttpRule | None:
    options = method.GetOptions()
    return options.Extensions[annotations_pb2.http] if options.HasExtension(annotations_pb2.http) else None


def missing_http_rules(file: FileDescriptor) -> list[str]:
    """RPCs of ``file`` other than client-streaming ones without a google.api.http rule."""
    return [m.full_name for m in _methods(file) if not m.client_streaming and _rule(m) is None]


def _field(message, path: str):
    """The field at a dotted ``path`` of ``message`` (a descriptor), or None."""
    field = None
    for part in path.split("."):
        field = message.fields_by_name.get(part) if message is not None else None
        if field is None:
            return None
        message = field.message_type
    return field


def test_the_api_has_packages_with_services() -> None:
    files = {m.DESCRIPTOR.package for m in _api_modules() if m.DESCRIPTOR.services_by_name}
    assert files == {
        "hakobu.optimizer.v1", "hakobu.fleet.v1", "hakobu.plans.v1", "hakobu.geo.v1", "hakobu.identity.v1",
        "hakobu.tracking.v1", "hakobu.reports.v1",
    }


@pytest.mark.parametrize("module", _api_modules(), ids=lambda m: m.__name__)
def test_every_rpc_has_an_http_rule(module: ModuleType) -> None:
    assert missing_http_rules(module.DESCRIPTOR) == []


@pytest.mark.parametrize("module", _api_modules(), ids=lambda m: m.__name__)
def test_http_rules_name_request_fields(module: ModuleType) -> None:
    """Path variables and bodies name fields of the request; standard verbs match AIP-131..135."""
    for method in _methods(module.DESCRIPTOR):
        if method.client_streaming:
            continue
        rule = _rule(method)
        assert rule is not None
        verb = rule.WhichOneof("pattern")
        assert verb in _VERBS, method.full_name
        path = getattr(rule, verb)
        assert path.startswith("/v1/"), (method.full_name, path)
        for variable in re.findall(r"\{([^}=]+)(?:=[^}]*)?\}", path):
            assert _field(method.input_type, variable) is not None, (method.full_name, variable)
        if rule.body not in ("", "*"):
            assert _field(method.input_type, rule.body) is not None, (method.full_name, rule.body)
        if verb in ("get", "delete"):
            assert rule.body == "", method.full_name
        standard = re.match(r"(Get|List|Create|Update|Delete)[A-Z]", method.name)
        if standard:
            want = {"Get": "get", "List": "get", "Create": "post", "Update": "patch", "Delete": "delete"}
            assert verb == want[standard.group(1)], method.full_name


def test_a_service_without_rules_is_caught() -> None:
    """The check fails on a service that has none (grpc.health.v1: Check and the server-streaming Watch)."""
    want = ["grpc.health.v1.Health.Check", "grpc.health.v1.Health.Watch"]
    assert missing_http_rules(health_pb2.DESCRIPTOR) == want
