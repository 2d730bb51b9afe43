"""The one way this project builds gRPC servers, and the interceptor that measures every call.

:func:`build_server` gives every service the same thread pool, message limits, RPC metrics, health
checking and reflection; :class:`MetricsInterceptor` counts and times unary and streaming calls alike
(``hakobu_rpc_total{method, code}``, ``hakobu_rpc_seconds{method}``) and gives every servicer a context
whose errors carry ErrorInfo and LocalizedMessage details (``server.platform.errors``).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent import futures
from dataclasses import dataclass
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from opentelemetry.trace import use_span

from server.platform import tracing
from server.platform.errors import ErrorDetailsContext
from server.platform.observability import RPC_SECONDS, RPC_TOTAL, bind_log_context, log_context

log = logging.getLogger("hakobu.rpc")

MAX_MESSAGE_BYTES = 64 * 1024 * 1024
THREADS = 16


class Refused(Exception):
    """Raised by an :data:`Authenticate` callable: the call ends with ``code`` and ``message``
    ("日本語 / English") before the servicer runs."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(message)


#: (full method name ``/pkg.Service/Method``, the call's metadata with lower-case keys) → the caller's
#: principal (any object, or None for a public method called without credentials), which servicers read
#: as ``context.principal``; raises :class:`Refused` to end the call. The platform knows nothing of
#: identity: the wiring passes this callable (``server.entrypoints.grpc.auth``).
Authenticate = Callable[[str, Mapping[str, str]], Any]


def _code_name(context: grpc.ServicerContext) -> str:
    got = context.code() if hasattr(context, "code") else None
    return getattr(got, "name", "UNKNOWN") if got is not None else "UNKNOWN"


#: Codes that say the server failed (logged as errors); the others are the caller's problem.
_SERVER_FAULTS = frozenset({"INTERNAL", "UNKNOWN", "DATA_LOSS", "UNIMPLEMENTED"})
_PLAN = re.compile(r"(?:^|/)plans/([^/]+)")
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")


def _record(method: str, code: str, t0: float, full_method: str) -> None:
    seconds = time.monotonic() - t0
    RPC_TOTAL.labels(method, code).inc()
    RPC_SECONDS.labels(method).observe(seconds)
    if full_method.startswith("/grpc."):  # health checks and reflection: counted, not logged
        return
    level = logging.INFO if code == "OK" else logging.ERROR if code in _SERVER_FAULTS else logging.WARNING
    log.log(level, "rpc", extra={"duration_ms": round(seconds * 1000, 1),
                                 "status": "success" if code == "OK" else "error", "code": code})


def _action(method: str) -> str:
    """``CreatePlan`` -> ``create_plan`` (the seed's ``action``)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", method).lower()


def _metadata(context: grpc.ServicerContext) -> dict[str, str]:
    return {k.lower(): v for k, v in (context.invocation_metadata() or ()) if isinstance(v, str)}


def _call_fields(full_method: str, request: Any, context: grpc.ServicerContext) -> dict[str, Any]:
    """Log fields of one call: its action, request id, trace id and the plan it names, if any."""
    metadata = {k: v for k, v in (context.invocation_metadata() or ()) if isinstance(v, str)}
    request_id = metadata.get("x-request-id") or uuid.uuid4().hex
    parent = _TRACEPARENT.match(metadata.get("traceparent", ""))
    plan_id = None
    for field in ("name", "parent", "plan"):
        value = getattr(request, field, None)
        match = _PLAN.search(value) if isinstance(value, str) else None
        if match:
            plan_id = match.group(1)
            break
    return {
        "action": _action(full_method.rsplit("/", 1)[-1]),
        "request_id": request_id,
        "trace_id": parent.group(1) if parent else None,
        "plan_id": plan_id,
    }


class MetricsInterceptor(grpc.ServerInterceptor):
    """Counts and times every call, unary or streaming, by method name and final status code; the
    servicer gets an :class:`~server.platform.errors.ErrorDetailsContext`, so every abort carries the
    error model's details. With ``authenticate``, every call (health and reflection too: the callable
    decides what is public) is authenticated first and the context carries its ``principal``."""

    def __init__(self, authenticate: Authenticate | None = None) -> None:
        self._authenticate = authenticate

    def intercept_service(
        self, continuation: Callable[[grpc.HandlerCallDetails], Any], details: grpc.HandlerCallDetails
    ) -> Any:
        handler = continuation(details)
        if handler is None:
            return handler
        full = details.method
        method = (full, self._authenticate)
        if handler.unary_unary is not None:
            return grpc.unary_unary_rpc_method_handler(
                _unary(method, handler.unary_unary),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.stream_unary is not None:
            return grpc.stream_unary_rpc_method_handler(
                _unary(method, handler.stream_unary),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream is not None:
            return grpc.unary_stream_rpc_method_handler(
                _streaming(method, handler.unary_stream),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return grpc.stream_stream_rpc_method_handler(
            _streaming(method, handler.stream_stream),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


def _context(context: grpc.ServicerContext, full: str, authenticate: Authenticate | None) -> Any:
    """The servicer's context: error details on aborts, and the caller's principal (after
    ``authenticate``, which may end the call here)."""
    ctx = ErrorDetailsContext(context)
    if authenticate is not None:
        md = {k.lower(): v for k, v in (context.invocation_metadata() or ()) if isinstance(v, str)}
        try:
            ctx.principal = authenticate(full, md)
        except Refused as refused:
            ctx.abort(refused.code, refused.message)
        # The seed's user_id in every log line of the call: the credential's subject (user, key, service).
        bind_log_context(user_id=getattr(ctx.principal, "subject", None))
    return ctx


def _unary(how: tuple[str, Authenticate | None], inner: Callable[[Any, Any], Any]) -> Callable[..., Any]:
    full, authenticate = how
    method = full.rsplit("/", 1)[-1]

    def timed(request: Any, context: grpc.ServicerContext) -> Any:
        t0, code = time.monotonic(), "OK"
        with log_context(**_call_fields(full, request, context)), \
                tracing.server_span(full, _metadata(context)) as span:
            try:
                return inner(request, _context(context, full, authenticate))
            except Exception:
                code = _code_name(context)
                tracing.fail(span, code)
                raise
            finally:
                _record(method, code, t0, full)

    return timed


def _streaming(how: tuple[str, Authenticate | None], inner: Callable[[Any, Any], Any]) -> Callable[..., Any]:
    full, authenticate = how
    method = full.rsplit("/", 1)[-1]

    def timed(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        t0, code = time.monotonic(), "OK"
        # A generator's context is the consumer's: each step opens the call's log context anew.
        fields = _call_fields(full, request, context)
        stream = None
        # The span stays open across the steps; each step makes it current again.
        span = tracing.start_server_span(full, _metadata(context))
        try:
            with log_context(**fields), use_span(span, end_on_exit=False):
                stream = inner(request, _context(context, full, authenticate))
            while True:
                with log_context(**fields), use_span(span, end_on_exit=False):
                    try:
                        item = next(stream)
                    except StopIteration:
                        return
                yield item
        except GeneratorExit:
            code = "CANCELLED"
            if stream is not None:
                stream.close()
            raise
        except Exception:
            code = _code_name(context)
            tracing.fail(span, code)
            raise
        finally:
            span.end()
            with log_context(**fields):
                _record(method, code, t0, full)

    return timed


@dataclass(frozen=True)
class Service:
    """One service to serve: its full name (for health and reflection), the generated
    ``add_XServicer_to_server`` function and the servicer."""

    name: str
    add: Callable[[Any, grpc.Server], None]
    servicer: Any


@dataclass
class Built:
    server: grpc.Server
    port: int
    health: health.HealthServicer


@dataclass(frozen=True)
class Tls:
    """A server certificate chain and its private key (PEM bytes)."""

    certificate_chain: bytes
    private_key: bytes


def build_server(
    address: str,
    services: Sequence[Service],
    thread_prefix: str = "grpc",
    *,
    authenticate: Authenticate | None = None,
    tls: Tls | None = None,
) -> Built:
    """A started gRPC server on ``address`` (port 0 picks a free one) with ``services``, each counted by
    :class:`MetricsInterceptor`, reported SERVING by standard health checking and listed by reflection.
    ``authenticate`` checks every call (see :data:`Authenticate`; without it servicers see no principal
    and those that need one refuse every call); ``tls`` serves TLS instead of plaintext.

    Raises OSError when the address cannot be bound (nothing is left running then).
    """
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix=thread_prefix),
        interceptors=(MetricsInterceptor(authenticate),),
        options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
        ],
    )
    names = tuple(s.name for s in services)
    for service in services:
        service.add(service.servicer, server)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for name in ("", *names):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    reflection.enable_server_reflection((*names, health.SERVICE_NAME, reflection.SERVICE_NAME), server)
    if tls is None:
        port = server.add_insecure_port(address)
    else:
        credentials = grpc.ssl_server_credentials([(tls.private_key, tls.certificate_chain)])
        port = server.add_secure_port(address, credentials)
    if port == 0:
        raise OSError(f"cannot bind {address}")
    server.start()
    return Built(server, port, health_servicer)


def service_name(descriptor: Any, service: str) -> str:
    """The full name of ``service`` in a generated module's file ``descriptor``."""
    return str(descriptor.services_by_name[service].full_name)
