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


class _Plan:
    """A plan in a database: its stamp and content, and how often each was read."""

    def __init__(self) -> None:
        self.stamp, self.content = "s1", "v1"
        self.stamp_reads = 0
        self.builds = 0

    def read_stamp(self) -> str:
        self.stamp_reads += 1
        return self.stamp

    def build(self) -> pb.DeliveryPlan:
        self.builds += 1
        return pb.DeliveryPlan(etag=self.content)

    def write(self, content: str) -> None:
        self.stamp, self.content = f"s-{content}", content


def test_while_listening_a_kept_reply_is_reused_without_reading_the_stamp_until_its_change() -> None:
    cache, plan = PlanReplyCache(), _Plan()
    cache.listening()
    for _ in range(5):
        assert cache.get("A", "p", plan.read_stamp, plan.build).etag == "v1"
    assert (plan.stamp_reads, plan.builds) == (1, 1)
    plan.write("v2")
    cache.changed("A", "p")  # the notification of that COMMIT
    assert cache.get("A", "p", plan.read_stamp, plan.build).etag == "v2"
    assert cache.get("A", "p", plan.read_stamp, plan.build).etag == "v2"
    assert (plan.stamp_reads, plan.builds) == (2, 2)


def test_a_change_heard_while_building_leaves_the_reply_doubted() -> None:
    cache, plan = PlanReplyCache(), _Plan()
    cache.listening()

    def build_while_a_change_lands() -> pb.DeliveryPlan:
        reply = plan.build()  # read the old content…
        plan.write("v2")  # …then another process commits, and its notification arrives
        cache.changed("A", "p")
        return reply

    assert cache.get("A", "p", plan.read_stamp, build_while_a_change_lands).etag == "v1"
    # not trusted: the next call reads the stamp, sees it moved, rebuilds
    assert cache.get("A", "p", plan.read_stamp, plan.build).etag == "v2"
    assert plan.stamp_reads == 2


def test_without_the_feed_every_call_reads_the_stamp_and_a_lost_feed_doubts_what_was_kept() -> None:
    cache, plan = PlanReplyCache(), _Plan()
    for _ in range(3):  # never listening (e.g. the in-memory store)
        cache.get("A", "p", plan.read_stamp, plan.build)
    assert (plan.stamp_reads, plan.builds) == (3, 1)
    cache.listening()
    cache.get("A", "p", plan.read_stamp, plan.build)  # stamp read once more, then trusted
    cache.get("A", "p", plan.read_stamp, plan.build)
    assert plan.stamp_reads == 4
    cache.deaf()  # the connection is lost: a change may go unheard from now on
    plan.write("v2")
    assert cache.get("A", "p", plan.read_stamp, plan.build).etag == "v2"
    assert plan.stamp_reads == 5
    cache.listening()  # back: changes made while deaf were missed, so nothing kept is trusted
    plan.write("v3")
    assert cache.get("A", "p", plan.read_stamp, plan.build).etag == "v3"
