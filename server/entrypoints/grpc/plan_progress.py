"""An optimization's improving cost in its operation's metadata, while it runs.

The search reports every improving plan (``server.plans.solver.Progress``); :class:`ProgressReporter`
keeps the best one and writes it into the operation's ``OptimizePlanMetadata`` (``best_cost``,
``improvements``, ``served``) through the operation store — so ``GetOperation`` on any replica shows it —
at most once every :data:`MIN_INTERVAL` seconds (the first report at once).
"""

from __future__ import annotations

import logging
import math
import threading
import time

from optimizer.service.operations import Operation, OperationStore

log = logging.getLogger("hakobu.plans")

#: Seconds between two writes of the progress to the operation store.
MIN_INTERVAL = 0.5


class ProgressReporter:
    """``reporter(cost, served)``: a ``Progress`` callback that updates ``op``'s metadata in ``store``."""

    def __init__(self, store: OperationStore, op: Operation, min_interval: float = MIN_INTERVAL) -> None:
        self._store = store
        self._op = op
        self._interval = min_interval
        self._lock = threading.Lock()
        self._last_write = -float("inf")
        self.best_cost: float | None = None
        self.improvements = 0
        self.served = 0

    def __call__(self, cost: float, served: int) -> None:
        with self._lock:
            best = self.best_cost
            same = best is not None and math.isclose(cost, best, rel_tol=1e-9, abs_tol=1e-6)
            if not same or served != self.served:
                self.improvements += 1
            self.best_cost, self.served = cost, served
            now = time.monotonic()
            if now - self._last_write < self._interval:
                return
            self._last_write = now
        try:
            self._store.update(self._op, self.record)
        except Exception:  # progress is a courtesy: a failed write must not fail the optimization
            log.warning("could not record the optimization's progress", exc_info=True,
                        extra={"operation": self._op.name})

    def record(self, op: Operation) -> None:
        """Put the best plan's numbers into ``op``'s metadata (a store's ``update`` mutation)."""
        with self._lock:
            if self.best_cost is None:
                return
            md = op.metadata
            md.best_cost = self.best_cost  # type: ignore[attr-defined]
            md.improvements = self.improvements  # type: ignore[attr-defined]
            md.served = self.served  # type: ignore[attr-defined]
