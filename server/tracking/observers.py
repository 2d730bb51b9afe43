"""The hook for what positions mean: observers see every newly stored position, off the ack path.

A :class:`PositionObserver` (arrival detection, ETA, alerts…) is called with the positions the history
has just stored durably (duplicates of a re-sent batch excluded). :class:`ObserverQueue` runs them on
its own thread: a slow or failing observer never delays or loses an acknowledgement; its error is
logged and the next batch is observed as usual. When the queue is full (observers far behind), the
oldest waiting batch is dropped and counted (positions are in the history; detectors catch up).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from server.tracking.model import Position

log = logging.getLogger("hakobu.tracking")

#: Batches waiting for the observers before the oldest is dropped.
QUEUE_SIZE = 10_000
#: Most positions handed to the observers in one call (batches queued together are observed together).
COALESCE = 20_000
#: Seconds the thread waits for more batches after the first before observing them together (a
#: vehicle reporting often is then shown live once per call, not once per batch).
LINGER = 0.2


class PositionObserver(Protocol):
    def observe(self, positions: Sequence[Position]) -> None:
        """Called with newly stored positions (of any vehicles and organizations), in storing order."""


class ObserverQueue:
    """Runs ``steps`` (plain callables) and then every registered observer for each submitted batch,
    on one daemon thread, in submission order."""

    def __init__(
        self,
        observers: Sequence[PositionObserver] = (),
        *,
        size: int = QUEUE_SIZE,
        linger: float = LINGER,
        start: bool = True,
    ) -> None:
        self.linger = linger
        self._observers: list[PositionObserver] = list(observers)
        self._steps: list[Callable[[Sequence[Position]], None]] = []
        self._queue: queue.Queue[tuple[Position, ...] | None] = queue.Queue(maxsize=size)
        self._idle = threading.Condition()
        self._pending = 0
        self.dropped = 0
        self.failures = 0
        self._thread: threading.Thread | None = None
        if start:
            self.start()

    def register(self, observer: PositionObserver) -> None:
        self._observers.append(observer)

    def add_step(self, step: Callable[[Sequence[Position]], None]) -> None:
        """A step run before the observers (live state, the fleet bus); its errors are logged too."""
        self._steps.append(step)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="tracking-observers", daemon=True)
            self._thread.start()

    def submit(self, positions: Sequence[Position]) -> None:
        """Queue a batch; never blocks (a full queue drops its oldest batch)."""
        if not positions:
            return
        batch = tuple(positions)
        with self._idle:
            self._pending += 1
        while True:
            try:
                self._queue.put_nowait(batch)
                return
            except queue.Full:
                try:
                    self._queue.get_nowait()
                except queue.Empty:
                    continue
                self._done(dropped=True)

    def drain(self, timeout: float = 5.0) -> bool:
        """Wait until every submitted batch was observed (for tests and shutdown); False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Observe what is queued (within ``timeout``), then stop the thread."""
        if self._thread is None:
            return
        self.drain(timeout)
        self._queue.put(None)
        self._thread.join(timeout)
        self._thread = None

    def _done(self, dropped: bool = False, batches: int = 1) -> None:
        with self._idle:
            self._pending -= batches
            if dropped:
                self.dropped += 1
                if self.dropped == 1 or self.dropped % 1000 == 0:
                    log.warning("position observers are behind: batches dropped",
                                extra={"dropped": self.dropped})
            if self._pending == 0:
                self._idle.notify_all()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            # Everything queued meanwhile is observed in one call: under load the steps run once per
            # many batches (live state and the bus then see each vehicle once per call).
            batch, count, stop = list(first), 1, False
            deadline = time.monotonic() + self.linger
            while len(batch) < COALESCE:
                try:
                    more = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.extend(more)
                count += 1
            for fn in [*self._steps, *(o.observe for o in self._observers)]:
                try:
                    fn(batch)
                except Exception:
                    self.failures += 1
                    log.exception("a position observer failed", extra={"observer": _name(fn)})
            self._done(batches=count)
            if stop:
                return


def _name(fn: Callable[..., object]) -> str:
    owner = getattr(fn, "__self__", None)
    return type(owner).__name__ if owner is not None else getattr(fn, "__name__", repr(fn))
