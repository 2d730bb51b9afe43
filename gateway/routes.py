"""The REST routes, read from the ``google.api.http`` annotations of the API's descriptors.

Nothing here is written per RPC: every ``hakobu.*`` service found in the generated ``*_pb2`` modules,
plus ``google.longrunning.Operations``, contributes one :class:`Route` per HTTP rule (and per
``additional_bindings``). A path template (``/v1/{name=organizations/*/plans/*}:publish``) compiles to a
regular expression whose named groups are the fields the path sets.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from types import ModuleType

from google.api import annotations_pb2, http_pb2
from google.longrunning import operations_proto_pb2
from google.protobuf import message_factory
from google.protobuf.descriptor import FileDescriptor, MethodDescriptor

import hakobu

VERBS = ("get", "put", "post", "delete", "patch")
_SEGMENT = "[^/]+"


class TemplateError(ValueError):
    """A path template that does not follow the ``google.api.http`` grammar."""


@dataclass(frozen=True)
class Template:
    """A parsed path template: its regular expression and the field path of each variable."""

    text: str
    pattern: re.Pattern[str]
    #: field path ("name", "vehicle.name") of each variable, in order; group i+1 of ``pattern``.
    variables: tuple[str, ...]
    verb: str | None
    #: The template with each variable as ``{field.path}`` (OpenAPI style).
    openapi_path: str


def parse_template(text: str) -> Template:
    """Compile ``/v1/{parent=organizations/*}/plans:optimize`` (the google.api.http grammar:
    literals, ``*``, ``**``, ``{field.path}`` and ``{field.path=segments}``, an optional ``:verb``)."""
    if not text.startswith("/"):
        raise TemplateError(f"a template starts with '/': {text!r}")
    body, verb = text, None
    # the verb is the text after the last ':' outside of braces
    depth, cut = 0, -1
    for i, ch in enumerate(text):
        depth += ch == "{"
        depth -= ch == "}"
        if ch == ":" and depth == 0:
            cut = i
    if cut >= 0:
        body, verb = text[:cut], text[cut + 1:]
        if not verb or "/" in verb:
            raise TemplateError(f"bad verb in {text!r}")
    regex: list[str] = []
    variables: list[str] = []
    openapi: list[str] = []
    for part in _split_segments(body[1:]):
        if part.startswith("{"):
            if not part.endswith("}"):
                raise TemplateError(f"unclosed variable in {text!r}")
            name, _, sub = part[1:-1].partition("=")
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*", name):
                raise TemplateError(f"bad field path {name!r} in {text!r}")
            variables.append(name)
            regex.append(f"({_segments_regex(sub or '*', text)})")
            openapi.append("{" + name + "}")
        else:
            regex.append(_segments_regex(part, text))
            openapi.append(part)
    pattern = "/" + "/".join(regex) + (re.escape(":" + verb) if verb else "")
    return Template(
        text=text,
        pattern=re.compile(pattern + r"\Z"),
        variables=tuple(variables),
        verb=verb,
        openapi_path="/" + "/".join(openapi) + (f":{verb}" if verb else ""),
    )


def _split_segments(body: str) -> list[str]:
    """Top-level segments: a ``{...}`` variable (which may hold '/') counts as one."""
    out: list[str] = []
    depth, start = 0, 0
    for i, ch in enumerate(body):
        depth += ch == "{"
        depth -= ch == "}"
        if ch == "/" and depth == 0:
            out.append(body[start:i])
            start = i + 1
    out.append(body[start:])
    if any(not s for s in out):
        raise TemplateError(f"empty segment in /{body!r}")
    return out


def _segments_regex(segments: str, text: str) -> str:
    parts = []
    for seg in segments.split("/"):
        if seg == "*":
            parts.append(_SEGMENT)
        elif seg == "**":
            parts.append(".+")
        elif seg and re.fullmatch(r"[A-Za-z0-9._~-]+", seg):
            parts.append(re.escape(seg))
        else:
            raise TemplateError(f"bad segment {seg!r} in {text!r}")
    return "/".join(parts)


@dataclass(frozen=True)
class Route:
    """One HTTP binding of one RPC."""

    http_method: str  # "GET", "POST", …
    template: Template
    #: "" (no body), "*" (the whole request) or a top-level field name.
    body: str
    method: MethodDescriptor
    request_class: type = field(compare=False)
    response_class: type = field(compare=False)
    #: The body field of the response ("" = the whole response).
    response_body: str = ""

    @property
    def service(self) -> str:
        return self.method.containing_service.full_name

    @property
    def grpc_path(self) -> str:
        return f"/{self.service}/{self.method.name}"

    @property
    def streaming(self) -> bool:
        return self.method.server_streaming

    @property
    def label(self) -> str:
        """``hakobu.plans.v1.PlanService.GetPlan``: the route's name in logs and metrics."""
        return self.method.full_name


def api_modules() -> list[ModuleType]:
    """Every generated ``hakobu.*_pb2`` module (importing it registers its messages)."""
    names = [m.name for m in pkgutil.walk_packages(hakobu.__path__, "hakobu.") if m.name.endswith("_pb2")]
    return [importlib.import_module(n) for n in sorted(names)]


def api_files() -> list[FileDescriptor]:
    """The descriptors whose services the gateway serves: every ``hakobu.*`` file with services, and
    ``google.longrunning.Operations`` (the API's long-running operations are polled through it)."""
    files = [m.DESCRIPTOR for m in api_modules() if m.DESCRIPTOR.services_by_name]
    return [*files, operations_proto_pb2.DESCRIPTOR]


def _rules(rule: http_pb2.HttpRule) -> Iterator[http_pb2.HttpRule]:
    yield rule
    for extra in rule.additional_bindings:
        yield from _rules(extra)


def _verb_and_path(rule: http_pb2.HttpRule) -> tuple[str, str]:
    kind = rule.WhichOneof("pattern")
    if kind in VERBS:
        return kind.upper(), getattr(rule, kind)
    if kind == "custom":
        return rule.custom.kind.upper(), rule.custom.path
    raise TemplateError(f"rule without a pattern: {rule}")


def routes_of(files: Iterable[FileDescriptor]) -> list[Route]:
    """One :class:`Route` per HTTP rule of every non-client-streaming RPC of ``files``."""
    out: list[Route] = []
    for file in files:
        for service in file.services_by_name.values():
            for method in service.methods:
                options = method.GetOptions()
                if method.client_streaming or not options.HasExtension(annotations_pb2.http):
                    continue
                request = message_factory.GetMessageClass(method.input_type)
                response = message_factory.GetMessageClass(method.output_type)
                for rule in _rules(options.Extensions[annotations_pb2.http]):
                    verb, path = _verb_and_path(rule)
                    out.append(Route(verb, parse_template(path), rule.body, method, request, response,
                                     rule.response_body))
    return out


#: Matched paths remembered per table (past this many the memo starts over).
MATCH_MEMO = 4096
MEMO_PATH_LENGTH = 512


class RouteTable:
    """Finds the route of a request: templates with a custom verb are tried before those without, so
    ``…/plans/P:publish`` never reads as a plan named ``P:publish``."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes = sorted(routes, key=lambda r: (r.template.verb is None, -len(r.template.text)))
        #: (HTTP method, path) → its route and variables: the same resources are asked for again and again
        self._found: dict[tuple[str, str], tuple[Route, dict[str, str]]] = {}

    def match(self, http_method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The route and its path variables (still percent-encoded) for ``path``; None when no route
        has that path. A path that matches only with another HTTP method raises ``MethodNotAllowed``."""
        key = (http_method, path)
        found = self._found.get(key)
        if found is None:
            found = self._match(http_method, path)
            if found is None:
                return None
            if len(path) <= MEMO_PATH_LENGTH:
                if len(self._found) >= MATCH_MEMO:
                    self._found.clear()
                self._found[key] = found
        return found[0], dict(found[1])

    def _match(self, http_method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        allowed: list[str] = []
        custom_hit = False
        for route in self.routes:
            if custom_hit and route.template.verb is None:
                break  # a custom method matched the path, with another HTTP method
            m = route.template.pattern.match(path)
            if m is None:
                continue
            if route.http_method != http_method:
                allowed.append(route.http_method)
                custom_hit = custom_hit or route.template.verb is not None
                continue
            return route, dict(zip(route.template.variables, m.groups(), strict=True))
        if allowed:
            raise MethodNotAllowed(sorted(set(allowed)))
        return None


class MethodNotAllowed(Exception):
    def __init__(self, allowed: list[str]) -> None:
        self.allowed = allowed
        super().__init__(", ".join(allowed))


def default_routes() -> RouteTable:
    return RouteTable(routes_of(api_files()))
