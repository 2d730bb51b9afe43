"""PlanReplyCache: a reply is reused only under the stamp read before it was built; bounded in size."""

from __future__ import annotations

from hakobu.plans.v1 import plans_pb2 as pb
from server.entrypoints.grpc.plan_cache import PlanReplyCache


def test_reused_while_the_stamp_holds_and_rebuilt_when_it_moves() -> None:
    cache = PlanReplyCache()
    stamp, built = ["s1"], []

    def build() -> pb.DeliveryPlan:
        built.append(stamp[0])
        return pb.DeliveryPlan(etag=stamp[0])

    assert cache.get("A", "p", lambda: stamp[0], build).etag == "s1"
    assert cache.get("A", "p", lambda: stamp[0], build).etag == "s1"
    assert built == ["s1"] and (cache.hits, cache.misses) == (1, 1)
    stamp[0] = "s2"
    assert cache.get("A", "p", lambda: stamp[0], build).etag == "s2"
    assert cache.get("B", "p", lambda: stamp[0], build).etag == "s2"  # another organization: its own entry
    assert built == ["s1", "s2", "s2"]


def test_a_write_while_building_is_not_hidden_by_the_older_stamp() -> None:
    cache = PlanReplyCache()
    state = {"stamp": "s1", "content": "old"}

    def build_during_a_write() -> pb.DeliveryPlan:
        state.update(stamp="s2", content="new")  # a write lands between the stamp read and the build
        return pb.DeliveryPlan(etag=state["content"])

    assert cache.get("A", "p", lambda: state["stamp"], build_during_a_write).etag == "new"
    # kept under s1, the reply is not reused for s2: the next read rebuilds from the current state
    again = cache.get("A", "p", lambda: state["stamp"], lambda: pb.DeliveryPlan(etag="current"))
    assert again.etag == "current"


def test_the_least_recently_read_plans_go_first() -> None:
    cache = PlanReplyCache(size=2)
    for plan in ("p1", "p2", "p1", "p3"):
        cache.get("A", plan, lambda: "s", lambda: pb.DeliveryPlan())
    assert len(cache) == 2 and cache.misses == 3
    cache.get("A", "p1", lambda: "s", lambda: pb.DeliveryPlan())
    assert cache.hits == 2  # p1 stayed, p2 went
