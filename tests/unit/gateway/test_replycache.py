"""JsonBodies: a body is found only for the same RPC and byte-identical reply; small replies are not
kept; the byte budget holds."""

from __future__ import annotations

from gateway.replycache import JsonBodies


def test_found_only_for_the_same_rpc_and_the_same_bytes() -> None:
    bodies = JsonBodies(min_bytes=4)
    reply = b"plan-bytes-1"
    bodies.put("/p.Plans/GetPlan", reply, b'{"a":1}')
    assert bodies.get("/p.Plans/GetPlan", b"plan-bytes-1") == b'{"a":1}'
    assert bodies.get("/p.Plans/GetPlan", b"plan-bytes-2") is None  # the plan changed: other bytes
    assert bodies.get("/p.Other/Get", reply) is None


def test_small_replies_are_not_kept() -> None:
    bodies = JsonBodies(min_bytes=100)
    bodies.put("/r", b"x" * 99, b"{}")
    assert bodies.get("/r", b"x" * 99) is None and len(bodies) == 0


def test_the_budget_drops_the_least_recently_used() -> None:
    bodies = JsonBodies(budget=100, min_bytes=1)
    for i in range(4):
        bodies.put("/r", bytes([i]) * 20, b"b" * 5)  # 25 bytes each: 100 in all
    assert bodies.get("/r", bytes([0]) * 20) is not None  # 0 is now the most recently used
    bodies.put("/r", bytes([4]) * 20, b"b" * 5)  # 125 > 100: the least recently used (1) goes
    assert bodies.get("/r", bytes([1]) * 20) is None
    assert all(bodies.get("/r", bytes([i]) * 20) is not None for i in (0, 2, 3, 4))
    bodies.put("/r", b"z" * 30, b"b")  # larger than a quarter of the budget: never kept
    assert bodies.get("/r", b"z" * 30) is None and len(bodies) == 4
