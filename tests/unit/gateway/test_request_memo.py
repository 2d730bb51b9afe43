"""A bodiless request (a GET) is built once per route, path and query, then shared; anything else is
built each time."""

from __future__ import annotations

from gateway.backends import Backends
from gateway.proxy import Proxy
from gateway.ratelimit import InProcessRateLimiter, Limit
from gateway.routes import default_routes


def test_the_same_get_shares_its_request_and_another_get_has_its_own() -> None:
    table = default_routes()
    proxy = Proxy(table, Backends({}), InProcessRateLimiter(), 1024, Limit(3, 300), Limit(3, 300))
    found = table.match("GET", "/v1/organizations/O/plans/P1")
    assert found is not None
    route, path_vars = found
    first = proxy._request(route, path_vars, [], b"")
    assert first.name == "organizations/O/plans/P1" and proxy._request(route, path_vars, [], b"") is first
    other = proxy._request(route, {"name": "organizations/O/plans/P2"}, [], b"")
    assert other.name == "organizations/O/plans/P2"
    with_query = proxy._request(route, path_vars, [("revision", "2")], b"")
    assert with_query.revision == 2 and first.revision == 0
    listed = table.match("GET", "/v1/organizations/O/plans")
    assert listed is not None
    page = proxy._request(listed[0], listed[1], [("pageSize", "5")], b"")
    assert page.page_size == 5
    assert proxy._request(listed[0], listed[1], [("pageSize", "6")], b"").page_size == 6
