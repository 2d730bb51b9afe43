"""The gateway's ASGI application: the derived API routes, health, readiness, the OpenAPI document and its
docs page (whose scripts and styles the gateway serves itself). Prometheus metrics are on the metrics
port, as for every service (``HAKOBU_METRICS_PORT``)."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount
from starlette.routing import Route as HttpRoute
from starlette.staticfiles import StaticFiles

from gateway.backends import Backends, service_targets
from gateway.edge import Edge, content_security_policy
from gateway.openapi import openapi_document
from gateway.proxy import Proxy
from gateway.ratelimit import InProcessRateLimiter, Limit, RateLimiter
from gateway.routes import RouteTable, default_routes
from gateway.web import web_routes
from server.platform.settings import Settings

ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
READY_TIMEOUT = 2.0

_DOCS_HTML = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>Hakobu REST API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>
"""
_DOCS_INIT = """window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui",
  deepLinking: true, presets: [SwaggerUIBundle.presets.apis]});
"""


def docs_assets() -> Path:
    """Swagger UI's files from the pinned ``fastapi-offline`` distribution (found, not imported)."""
    spec = importlib.util.find_spec("fastapi_offline")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("fastapi-offline (the docs page's Swagger UI files) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def create_app(
    settings: Settings,
    limiter: RateLimiter | None = None,
    static_metadata: tuple[tuple[str, str], ...] = (),
    table: RouteTable | None = None,
) -> Starlette:
    """The gateway for the backends named by ``settings``. ``static_metadata`` is added to every
    backend call (tests use it until the services authenticate tokens)."""
    table = table or default_routes()
    backends = Backends(service_targets(settings))
    limiter = limiter or InProcessRateLimiter()
    proxy = Proxy(
        table, backends, limiter, settings.gateway_max_body_bytes,
        Limit(*settings.gateway_login_rate_limit), Limit(*settings.gateway_login_user_rate_limit),
        static_metadata,
    )
    document = openapi_document(table.routes)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "SERVING"})

    async def readyz(request: Request) -> Response:
        targets = backends.all_targets()
        ready = await asyncio.gather(*(backends.ready(t, READY_TIMEOUT) for t in targets))
        states = ("SERVING" if r else "NOT_SERVING" for r in ready)
        body = {"status": "SERVING" if all(ready) else "NOT_SERVING",
                "backends": dict(zip(targets, states, strict=True))}
        return JSONResponse(body, status_code=200 if all(ready) else 503)

    async def openapi(request: Request) -> Response:
        return JSONResponse(document)

    async def docs(request: Request) -> Response:
        return HTMLResponse(_DOCS_HTML)

    async def docs_init(request: Request) -> Response:
        return Response(_DOCS_INIT, media_type="text/javascript")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await backends.close()
            await limiter.close()

    routes = [
        HttpRoute("/healthz", healthz),
        HttpRoute("/readyz", readyz),
        HttpRoute("/openapi.json", openapi),
        HttpRoute("/docs", docs),
        HttpRoute("/docs/init.js", docs_init),
        Mount("/docs/assets", StaticFiles(directory=docs_assets())),
        *web_routes(settings.map_tile_url),  # the pages at /, /driver, /t/{token}, /web/…
    ]
    middleware = [Middleware(Edge, limiter=limiter, limit=Limit(*settings.gateway_rate_limit),
                             max_body=settings.gateway_max_body_bytes,
                             csp=content_security_policy(settings.map_tile_url))]
    if settings.gateway_cors_origins:
        middleware.append(Middleware(
            CORSMiddleware, allow_origins=list(settings.gateway_cors_origins), allow_methods=ALL_METHODS,
            allow_headers=["authorization", "x-api-key", "content-type", "accept-language", "x-request-id"],
            expose_headers=["x-request-id", "retry-after"], max_age=600,
        ))
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)

    async def api(scope: dict, receive: Any, send: Any) -> None:
        """Every path no fixed route took (any character, newlines too) goes to the derived routes."""
        response = await proxy(Request(scope, receive))
        await response(scope, receive, send)

    app.router.default = api
    app.router.redirect_slashes = False
    app.state.backends = backends
    app.state.table = table
    return app
