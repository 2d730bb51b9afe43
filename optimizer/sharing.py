"""Cooperative parallel searches: how often they share their best plans, and both ends of the
sharing (the pool's schedule and leader, the worker's inbox)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Protocol

from optimizer.model import Plan


class Sender(Protocol):
    """A worker as the sharing sees it: something a plan can be sent to."""

    def send(self, msg: Any) -> None: ...


@dataclass(frozen=True, slots=True)
class Cooperation:
    """How parallel searches share plans: at the end of each epoch, the best plan so far goes to
    every search whose own best is worse, which continues from it; the search that found it
    (and any search as good) keeps its own trajectory.

    Epoch ``k`` (from 0) lasts ``epoch * growth**k`` seconds.
    """

    epoch: float = 1.0
    growth: float = 1.0

    def __post_init__(self) -> None:
        if not self.epoch > 0 or not self.growth >= 1:
            raise ValueError("epoch must be positive and growth at least 1")

    def boundaries(self) -> Iterator[float]:
        """Seconds from the start of the searches at which plans are shared."""
        t, length = 0.0, self.epoch
        while True:
            t += length
            length *= self.growth
            yield t


class Inbox:
    """Plans the pool sends to a running cooperative search, read without blocking."""

    def __init__(self, conn: Connection, task_id: int) -> None:
        self._conn, self._task_id = conn, task_id
        #: The pool asked the worker to exit (``close``) while this task ran.
        self.closing = False

    def __call__(self) -> Plan | None:
        plan = None
        while not self.closing and self._conn.poll():
            msg = self._conn.recv()
            if msg is None:
                self.closing = True
            elif msg[0] == "adopt" and msg[1] == self._task_id:
                plan = msg[2]  # only the newest one matters
        return plan


class Sharing:
    """The pool's side of a cooperative run: each task's best reported plan, and the epochs."""

    def __init__(self, cooperation: Cooperation, started: float) -> None:
        self._boundaries = cooperation.boundaries()
        self._next = started + next(self._boundaries)
        self._started = started
        #: Best (objective, plan) each task reported, or was sent.
        self.best: dict[int, tuple[float, Plan]] = {}
        self.shared = 0

    def offer(self, tid: int, plan: Plan, objective: float) -> None:
        if tid not in self.best or objective < self.best[tid][0]:
            self.best[tid] = (objective, plan)

    def maybe_share(
        self, tasks: dict[int, tuple[int, int]], pending: set[int], workers: Sequence[Sender]
    ) -> None:
        now = time.monotonic()
        if now < self._next:
            return
        while self._next <= now:
            self._next = self._started + next(self._boundaries)
        if not self.best:
            return
        # Lowest objective, then lowest run number: the same leader for equal plans.
        leader = min(self.best, key=lambda t: (self.best[t][0], tasks[t][0]))
        objective, plan = self.best[leader]
        for tid in pending:
            if tid != leader and (tid not in self.best or self.best[tid][0] > objective):
                try:
                    workers[tasks[tid][1]].send(("adopt", tid, plan))
                except (BrokenPipeError, OSError):
                    continue  # a dead worker is noticed by the liveness check
                self.best[tid] = (objective, plan)
                self.shared += 1
