"""The one way this project builds gRPC servers, and the interceptor that measures every call.

:func:`build_server` gives every service the same thread pool, message limits, RPC metrics, health
checking and reflection; :class:`MetricsInterceptor` counts and times unary and streaming calls alike
(``hakobu_rpc_total{method, code}``, ``hakobu_rpc_seconds{method}``) and gives every servicer a context
whose errors carry ErrorInfo and LocalizedMessage details (``server.platform.errors``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from concurrent import futures
from dataclasses import dataclass
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from server.platform.errors import ErrorDetailsContext
from server.platform.observability import RPC_SECONDS, RPC_TOTAL

MAX_MESSAGE_BYTES = 64 * 1024 * 1024
THREADS = 16


def _code_name(context: grpc.ServicerContext) -> str:
    got = context.code() if hasattr(context, "code") else None
    return getattr(got, "name", "UNKNOWN") if got is not None else "UNKNOWN"


def _record(method: str, code: str, t0: float) -> None:
    RPC_TOTAL.labels(method, code).inc()
    RPC_SECONDS.labels(method).observe(time.monotonic() - t0)


class MetricsInterceptor(grpc.ServerInterceptor):
    """Counts and times every call, unary or streaming, by method name and final status code; the
    servicer gets an :class:`~server.platform.errors.ErrorDetailsContext`, so every abort carries the
    error model's details."""

    def intercept_service(
        self, continuation: Callable[[grpc.HandlerCallDetails], Any], details: grpc.HandlerCallDetails
    ) -> Any:
        handler = continuation(details)
        if handler is None:
            return handler
        method = details.method.rsplit("/", 1)[-1]
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


def _unary(method: str, inner: Callable[[Any, grpc.ServicerContext], Any]) -> Callable[..., Any]:
    def timed(request: Any, context: grpc.ServicerContext) -> Any:
        t0, code = time.monotonic(), "OK"
        try:
            return inner(request, ErrorDetailsContext(context))
        except Exception:
            code = _code_name(context)
            raise
        finally:
            _record(method, code, t0)

    return timed


def _streaming(method: str, inner: Callable[[Any, grpc.ServicerContext], Any]) -> Callable[..., Any]:
    def timed(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        t0, code = time.monotonic(), "OK"
        try:
            yield from inner(request, ErrorDetailsContext(context))
        except GeneratorExit:
            code = "CANCELLED"
            raise
        except Exception:
            code = _code_name(context)
            raise
        finally:
            _record(method, code, t0)

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


def build_server(address: str, services: Sequence[Service], thread_prefix: str = "grpc") -> Built:
    """A started gRPC server on ``address`` (port 0 picks a free one) with ``services``, each counted by
    :class:`MetricsInterceptor`, reported SERVING by standard health checking and listed by reflection.

    Raises OSError when the address cannot be bound (nothing is left running then).
    """
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix=thread_prefix),
        interceptors=(MetricsInterceptor(),),
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
    port = server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"cannot bind {address}")
    server.start()
    return Built(server, port, health_servicer)


def service_name(descriptor: Any, service: str) -> str:
    """The full name of ``service`` in a generated module's file ``descriptor``."""
    return str(descriptor.services_by_name[service].full_name)
