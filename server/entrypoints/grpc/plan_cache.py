"""The replies of ``GetPlan`` kept per plan and reused while the plan is unchanged.

A plan read is a ~28 KB reply built from a JSON snapshot (hundreds of timestamps); the plan changes
rarely and is read often (drivers' phones, dispatch screens, the gateway).

How a kept reply is known to be current:

* with a :class:`ChangeFeed` listening (PostgreSQL's LISTEN/NOTIFY: every write to a plan's row is
  announced at its COMMIT, whichever process made it), a reply kept while listening is reused with no
  database call until its plan's change arrives; a change made elsewhere is seen as soon as its
  notification arrives (milliseconds);
* otherwise (no feed, or the feed's connection lost: every kept reply is then doubted), each call asks
  the database for the plan's stamp (``PlanRepository.stamp``: one indexed row) and rebuilds only when
  it moved. Reading the stamp cost as much as the rest of a cached GetPlan (1,030 vs 1,685 requests/s).

The cache holds the staff view of a plan under (organization, plan id): a DRIVER's view is cut from it
per call (``driver_view``), and a key of another organization is another entry.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from hakobu.plans.v1 import plans_pb2 as pb

#: Plans kept (about 30–60 KB each in memory).
DEFAULT_SIZE = 256


class ChangeFeed(Protocol):
    """Tells a :class:`PlanReplyCache` of every plan written from now on (``start``) until ``close``."""

    def start(self, cache: PlanReplyCache) -> None: ...

    def close(self) -> None: ...


class PlanReplyCache:
    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._lock = threading.Lock()
        #: (org, plan id) → (stamp, reply, trusted: reusable without reading the stamp)
        self._entries: OrderedDict[tuple[str, str], tuple[str, pb.DeliveryPlan, bool]] = OrderedDict()
        self._listening = False
        #: Counts every change and every start or loss of the feed: a reply built while it moved is
        #: kept, but not trusted.
        self._moves = 0
        self.hits = 0
        self.misses = 0
        self.stamps = 0

    # ------------------------------------------------------------ told by the change feed
    def listening(self) -> None:
        """The feed is connected: every change from now on will be told. What was kept before is doubted
        (changes may have been missed)."""
        with self._lock:
            self._listening = True
            self._doubt_all()

    def deaf(self) -> None:
        """The feed is lost: back to reading the stamp on every call."""
        with self._lock:
            self._listening = False
            self._doubt_all()

    def changed(self, org: str, plan_id: str) -> None:
        with self._lock:
            self._moves += 1
            self._entries.pop((org, plan_id), None)

    def _doubt_all(self) -> None:
        self._moves += 1
        for key, (stamp, reply, _) in self._entries.items():
            self._entries[key] = (stamp, reply, False)

    # ------------------------------------------------------------ reads
    def get(
        self, org: str, plan_id: str, stamp: Callable[[], str], build: Callable[[], pb.DeliveryPlan]
    ) -> pb.DeliveryPlan:
        """The plan's reply: a trusted kept one as it is, else the kept one when ``stamp()`` still
        matches it, else ``build()``'s, kept.

        ``stamp()`` is read BEFORE ``build()``: what ``build()`` reads is then at least as new as the
        stamp it is kept under, so a reply is only ever reused while nothing was written since it was
        read. The reply returned is shared: callers must not change it (copy it first).
        """
        key = (org, plan_id)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[2]:
                self._entries.move_to_end(key)
                self.hits += 1
                return entry[1]
            moves = self._moves
        current = stamp()
        with self._lock:
            self.stamps += 1
            entry = self._entries.get(key)
            trusted = self._listening and self._moves == moves
            if entry is not None and entry[0] == current:
                self._entries[key] = (current, entry[1], trusted or entry[2])
                self._entries.move_to_end(key)
                self.hits += 1
                return entry[1]
            self.misses += 1
        reply = build()
        with self._lock:
            trusted = self._listening and self._moves == moves
            self._entries[key] = (current, reply, trusted)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return reply

    def __len__(self) -> int:
        return len(self._entries)
