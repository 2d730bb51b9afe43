"""A gRPC server interceptor that counts and times every unary call (Prometheus ``hakobu_rpc_*``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import grpc

from server.observability import RPC_SECONDS, RPC_TOTAL


class MetricsInterceptor(grpc.ServerInterceptor):
    """Records ``hakobu_rpc_total{method, code}`` and ``hakobu_rpc_seconds{method}`` per unary RPC."""

    def intercept_service(
        self, continuation: Callable[[grpc.HandlerCallDetails], Any], details: grpc.HandlerCallDetails
    ) -> Any:
        handler = continuation(details)
        if handler is None or handler.unary_unary is None:
            return handler
        method = details.method.rsplit("/", 1)[-1]
        inner = handler.unary_unary

        def timed(request: Any, context: grpc.ServicerContext) -> Any:
            t0 = time.monotonic()
            code = "OK"
            try:
                return inner(request, context)
            except Exception:
                got = context.code() if hasattr(context, "code") else None
                code = getattr(got, "name", "UNKNOWN") if got is not None else "UNKNOWN"
                raise
            finally:
                RPC_TOTAL.labels(method, code).inc()
                RPC_SECONDS.labels(method).observe(time.monotonic() - t0)

        return grpc.unary_unary_rpc_method_handler(
            timed,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
