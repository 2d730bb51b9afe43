"""The replies of ``GetPlan`` kept per plan and reused while the plan's stored stamp is unchanged.

A plan read is a ~28 KB reply built from a JSON snapshot (hundreds of timestamps); the plan changes
rarely and is read often (drivers' phones, dispatch screens, the gateway). Each call still asks the
database for the plan's stamp (``PlanRepository.stamp``: one indexed row, so a plan changed by any
process is never served stale), and rebuilds only when the stamp moved.

The cache holds the staff view of a plan under (organization, plan id): a DRIVER's view is cut from it
per call (``driver_view``), and a key of another organization is another entry.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from hakobu.plans.v1 import plans_pb2 as pb

#: Plans kept (about 30–60 KB each in memory).
DEFAULT_SIZE = 256


class PlanReplyCache:
    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, str], tuple[str, pb.DeliveryPlan]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(
        self, org: str, plan_id: str, stamp: Callable[[], str], build: Callable[[], pb.DeliveryPlan]
    ) -> pb.DeliveryPlan:
        """The plan's reply: the kept one when ``stamp()`` still matches it, else ``build()``'s, kept.

        ``stamp()`` is read BEFORE ``build()``: what ``build()`` reads is then at least as new as the
        stamp it is kept under, so a reply is only ever reused while nothing was written since it was
        read. The reply returned is shared: callers must not change it (copy it first).
        """
        key = (org, plan_id)
        current = stamp()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == current:
                self._entries.move_to_end(key)
                self.hits += 1
                return entry[1]
            self.misses += 1
        reply = build()
        with self._lock:
            self._entries[key] = (current, reply)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return reply

    def __len__(self) -> int:
        return len(self._entries)
