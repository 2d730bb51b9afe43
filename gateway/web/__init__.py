"""The planner's, the driver's and the consignee's pages: static files served by the gateway.

The pages are plain ES modules under ``static/`` (no build step); the map library is the pinned npm
package's browser files, copied into ``static/vendor/`` by ``npm run vendor`` and committed, so a
machine without node serves the same files. Nothing is fetched from a CDN at run time.

The gateway's app factory calls :func:`mount_web` once (or puts :func:`web_routes` ahead of its
catch-all API route)::

    from gateway.web import mount_web
    mount_web(app, tile_url=settings.map_tile_url)

Routes added: ``/`` (the app: sign-in, plan board, live, master data, driver page), ``/driver`` (the
same app, opening on the driver page), ``/track/{token}`` and ``/t/{token}`` (the consignee's tracking
page, no sign-in),
``/web/config.json`` (the map's default tile URL) and ``/web/...`` (the static files).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

STATIC = Path(__file__).resolve().parent / "static"

#: 地理院タイル (GSI standard map). Settings may replace it; the page's own settings override both.
GSI_TILE_URL = "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png"
GSI_ATTRIBUTION = '<a href="https://maps.gsi.go.jp/development/ichiran.html">地理院タイル</a>'


def page_config(tile_url: str | None = None) -> dict[str, Any]:
    """What the page reads from ``/web/config.json`` before it draws anything."""
    return {"tileUrl": tile_url or GSI_TILE_URL, "tileAttribution": GSI_ATTRIBUTION}


def web_routes(tile_url: str | None = None) -> list[Any]:
    """The pages' routes, to be placed before the gateway's catch-all API route."""
    from starlette.requests import Request
    from starlette.responses import FileResponse, JSONResponse
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    config = page_config(tile_url)
    # The gateway's policy, with the map tiles' origin (and any https tile server a browser's 設定 names)
    # allowed for images; the pages' own responses carry it, so the gateway does not add its own.
    tiles = urlsplit(config["tileUrl"])
    policy = ("default-src 'self'; img-src 'self' data: blob: https: "
              f"{tiles.scheme}://{tiles.netloc}; style-src 'self' 'unsafe-inline'; script-src 'self'; "
              "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
    no_cache = {"Cache-Control": "no-cache", "Content-Security-Policy": policy}

    async def index(request: Request) -> FileResponse:
        return FileResponse(STATIC / "index.html", headers=no_cache)

    async def tracking(request: Request) -> FileResponse:
        return FileResponse(STATIC / "track.html", headers=no_cache)

    async def config_json(request: Request) -> JSONResponse:
        return JSONResponse(config, headers=no_cache)

    return [
        Route("/", index, methods=["GET"]),
        Route("/driver", index, methods=["GET"]),
        Route("/t/{token}", tracking, methods=["GET"]),
        Route("/track/{token}", tracking, methods=["GET"]),  # the url_path of CreateTrackingLink
        Route("/web/config.json", config_json, methods=["GET"]),
        Mount("/web", StaticFiles(directory=STATIC), name="web"),
    ]


def mount_web(app: Any, tile_url: str | None = None) -> None:
    """Serve the pages from ``app`` (a Starlette application): their routes go first, ahead of any
    catch-all route the gateway has for the API."""
    app.router.routes[0:0] = web_routes(tile_url)
