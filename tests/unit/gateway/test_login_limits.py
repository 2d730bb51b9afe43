"""Sign-in attempts are limited per client IP and per (organization, login), before the backend is
called."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from starlette.requests import Request

from gateway.backends import Backends
from gateway.proxy import Proxy
from gateway.ratelimit import InProcessRateLimiter, Limit
from gateway.routes import RouteTable


def _request(ip: str) -> Request:
    return Request({"type": "http", "method": "POST", "path": "/v1/auth:login", "headers": [],
                    "client": (ip, 1234), "query_string": b"", "state": {"request_id": "r"}})


def test_login_attempts_per_user_and_per_ip() -> None:
    proxy = Proxy(RouteTable([]), Backends({}), InProcessRateLimiter(), 1024,
                  login_ip_limit=Limit(3, 300), login_user_limit=Limit(2, 300))

    async def run() -> list[int | None]:
        out = []
        for ip, login in (("10.0.0.1", "driver01"), ("10.0.0.2", "DRIVER01"), ("10.0.0.3", "driver01"),
                          ("10.0.0.1", "admin"), ("10.0.0.1", "dispatcher01"), ("10.0.0.1", "x"),
                          ("10.0.0.9", "admin")):
            message = SimpleNamespace(organization="ORG-001", login=login)
            limited = await proxy._login_limited(_request(ip), message)  # type: ignore[arg-type]
            out.append(None if limited is None else limited.status_code)
        return out

    # driver01 twice (in any case) then refused; 10.0.0.1's third attempt passes, its fourth is refused
    assert asyncio.run(run()) == [None, None, 429, None, None, 429, None]
