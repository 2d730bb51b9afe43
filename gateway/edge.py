"""What every request passes first (an ASGI middleware): its request id, the per-IP rate limit, the
body-size check, the security headers, one access-log line and the Prometheus metrics per route."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

from opentelemetry.trace import use_span
from prometheus_client import Counter, Histogram

from gateway.proxy import rate_limited, too_large
from gateway.ratelimit import Limit, RateLimiter
from server.platform import tracing
from server.platform.observability import log_context

_VALID_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
#: Paths the rate limit leaves alone (load balancers and Prometheus poll them).
UNLIMITED = frozenset({"/healthz", "/readyz"})

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"geolocation=(self), camera=(), microphone=()"),
)


def content_security_policy(tile_url: str | None = None) -> str:
    """Scripts, styles and data from the gateway itself only; images also from https (the map tiles,
    whose server a browser may change in the page's settings) and from the configured tile server."""
    images = ["'self'", "data:", "blob:", "https:"]
    if tile_url:
        parts = urlsplit(tile_url.replace("{s}", "*"))
        if parts.scheme == "http" and parts.netloc:
            images.append(f"http://{parts.netloc}")
    return ("default-src 'self'; img-src " + " ".join(images) + "; style-src 'self' 'unsafe-inline'; "
            "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            "frame-ancestors 'none'")


REQUESTS = Counter("hakobu_gateway_requests_total", "REST requests handled by the gateway",
                   ["route", "method", "status"])
SECONDS = Histogram("hakobu_gateway_request_seconds", "REST request handling time (whole stream for SSE)",
                    ["route"],
                    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60))

access_log = logging.getLogger("hakobu.gateway.access")


class Edge:
    def __init__(self, app: Any, limiter: RateLimiter, limit: Limit, max_body: int,
                 csp: str | None = None) -> None:
        self.app = app
        self.headers = ((b"content-security-policy", (csp or content_security_policy()).encode()),
                        *SECURITY_HEADERS)
        self.limiter = limiter
        self.limit = limit
        self.max_body = max_body

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        rid = given if _VALID_ID.fullmatch(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        with log_context(request_id=rid):  # every log line of this request carries its id
            await self._handle(scope, receive, send, headers, rid)

    async def _handle(self, scope: dict[str, Any], receive: Any, send: Any, headers: dict[bytes, bytes],
                      rid: str) -> None:
        # The request's span: child of the caller's traceparent; the calls to the services carry it on.
        span = tracing.start_http_span(scope.get("method", ""), scope.get("path", ""), headers)
        with use_span(span, end_on_exit=True):
            await self._traced(scope, receive, send, headers, rid, span)

    async def _traced(self, scope: dict[str, Any], receive: Any, send: Any, headers: dict[bytes, bytes],
                      rid: str, span: Any) -> None:
        t0 = time.perf_counter()
        status = 500
        extra = ((b"x-request-id", rid.encode()), *self.headers)

        async def send_with_headers(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                present = {k.lower() for k, _ in message.get("headers", ())}
                message["headers"] = [*message.get("headers", ()), *(h for h in extra if h[0] not in present)]
            await send(message)

        client = scope.get("client")
        ip = client[0] if client else "-"
        path = scope.get("path", "")
        try:
            response = None
            if path not in UNLIMITED:
                retry = await self.limiter.hit(f"ip:{ip}", self.limit)
                if retry is not None:
                    response = rate_limited(retry, None)
            length = headers.get(b"content-length")
            if response is None and length is not None:
                if not length.isdigit() or int(length) > self.max_body:
                    response = too_large(self.max_body)
            if response is not None:
                await response(scope, receive, send_with_headers)
            else:
                await self.app(scope, receive, send_with_headers)
        finally:
            elapsed = time.perf_counter() - t0
            route = scope["state"].get("route") or (path if path in _KNOWN_PATHS else "unmatched")
            REQUESTS.labels(route, scope.get("method", ""), str(status)).inc()
            SECONDS.labels(route).observe(elapsed)
            access_log.info("request", extra={
                "action": "http_request", "method": scope.get("method"), "path": path[:300], "route": route,
                "status": status, "duration_ms": round(elapsed * 1000, 2), "client": ip,
            })
            span.set_attribute("http.response.status_code", status)
            span.set_attribute("http.route", route)
            span.update_name(f"{scope.get('method', '')} {route}")


_KNOWN_PATHS = frozenset({*UNLIMITED, "/openapi.json", "/docs", "/docs/init.js"})
