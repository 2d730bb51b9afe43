"""OpenTelemetry traces: one trace per request across gateway → plans → optimizer → PostgreSQL.

Nothing is exported unless configured: :func:`configure_tracing` with an OTLP endpoint
(``HAKOBU_OTLP_ENDPOINT``, e.g. the collector beside each task, which forwards to X-Ray in AWS) installs a
tracer provider exporting over OTLP/gRPC; tests install their own provider with an in-memory exporter.
Without a provider the OpenTelemetry API is a no-op and the spans below cost next to nothing.

The hooks: :func:`server_span` (the gRPC interceptor of ``server.platform.grpc`` opens one per call, the
caller's W3C ``traceparent`` as parent), :class:`ClientInterceptor` (outgoing calls carry the
``traceparent``), :func:`db_span` (each PostgreSQL statement), and :func:`current_trace_id` for the logs.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import grpc
from opentelemetry import propagate, trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from server.platform import observability

log = logging.getLogger("hakobu.tracing")
TRACER = "hakobu"


def tracer() -> trace.Tracer:
    return trace.get_tracer(TRACER)


def configure_tracing(service: str, endpoint: str | None) -> bool:
    """Export this process's spans to the OTLP/gRPC ``endpoint`` (nothing when None); True if configured."""
    if not endpoint:
        return False
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": f"hakobu-{service}"}))
    insecure = not endpoint.startswith("https://")
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint, insecure=insecure)))
    trace.set_tracer_provider(provider)
    log.info("tracing to an OTLP collector", extra={"endpoint": endpoint})
    return True


def current_trace_id() -> str | None:
    """The current span's trace id (32 hex digits), or None outside a recorded span."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


observability.trace_id_source = current_trace_id


def _rpc_attributes(full_method: str) -> dict[str, str]:
    service, _, method = full_method.lstrip("/").partition("/")
    return {"rpc.system": "grpc", "rpc.service": service, "rpc.method": method}


def start_server_span(full_method: str, metadata: Mapping[str, str]) -> Span:
    """The span of one incoming call (started, not current), child of the caller's ``traceparent``."""
    return tracer().start_span(
        full_method.lstrip("/"), context=propagate.extract(dict(metadata)), kind=SpanKind.SERVER,
        attributes=_rpc_attributes(full_method),
    )


def start_http_span(method: str, path: str, headers: Mapping[bytes, bytes]) -> Span:
    """The span of one REST request at the gateway (started, not current), child of its ``traceparent``."""
    carrier = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in headers.items()}
    return tracer().start_span(
        f"{method} {path[:100]}", context=propagate.extract(carrier), kind=SpanKind.SERVER,
        attributes={"http.request.method": method, "url.path": path[:300]},
    )


@contextlib.contextmanager
def server_span(full_method: str, metadata: Mapping[str, str]) -> Iterator[Span]:
    """:func:`start_server_span`, current inside the block and ended after it."""
    with trace.use_span(start_server_span(full_method, metadata), end_on_exit=True) as span:
        yield span


def fail(span: Span, code: str) -> None:
    """Mark ``span`` failed with the gRPC status ``code``."""
    span.set_attribute("rpc.grpc.status_code", code)
    span.set_status(Status(StatusCode.ERROR, code))


@contextlib.contextmanager
def db_span(statement: str) -> Iterator[Span]:
    with tracer().start_as_current_span(
        "postgresql", kind=SpanKind.CLIENT,
        attributes={"db.system": "postgresql", "db.statement": statement[:500]},
    ) as span:
        yield span


class _Details(NamedTuple):
    method: str
    timeout: float | None
    metadata: Any
    credentials: Any
    wait_for_ready: Any
    compression: Any


class _ClientCallDetails(_Details, grpc.ClientCallDetails):
    pass


class ClientInterceptor(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
    """A CLIENT span per outgoing call, and the call carries its ``traceparent``."""

    def _call(
        self, continuation: Callable[[Any, Any], Any], details: grpc.ClientCallDetails, request: Any
    ) -> Any:
        with tracer().start_as_current_span(
            details.method.lstrip("/"), kind=SpanKind.CLIENT, attributes=_rpc_attributes(details.method),
        ):
            carrier: dict[str, str] = {}
            propagate.inject(carrier)
            metadata = [*(details.metadata or ()), *carrier.items()]
            outgoing = _ClientCallDetails(details.method, details.timeout, metadata, details.credentials,
                                          getattr(details, "wait_for_ready", None),
                                          getattr(details, "compression", None))
            return continuation(outgoing, request)

    def intercept_unary_unary(self, continuation: Any, client_call_details: Any, request: Any) -> Any:
        return self._call(continuation, client_call_details, request)

    def intercept_unary_stream(self, continuation: Any, client_call_details: Any, request: Any) -> Any:
        return self._call(continuation, client_call_details, request)


def inject_headers(headers: dict[str, str] | None = None) -> dict[str, str]:
    """``headers`` plus the current ``traceparent`` (for calls made without the interceptor)."""
    out = dict(headers or {})
    propagate.inject(out)
    return out
