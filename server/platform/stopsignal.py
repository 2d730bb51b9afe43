"""Wait for SIGINT / SIGTERM in a server's main thread, without the lock a ``threading.Event`` takes.

A handler that calls ``Event.set()`` can deadlock: Python runs it in the main thread between two
bytecodes, and if those are inside ``Event.wait()`` while it holds the event's (non-reentrant) lock,
``set()`` waits on that lock forever and the process never stops (seen once in CI: SIGTERM a moment
after start-up, no "shutting down"). Here the handler only appends to a list, and ``wait`` polls it."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterable
from types import FrameType


class StopSignal:
    """Catches the stop signals from construction on, so a signal that comes during start-up is kept
    and honoured as soon as ``wait`` is called (rather than killing the process half-started)."""

    def __init__(self, signals: Iterable[signal.Signals] = (signal.SIGINT, signal.SIGTERM)) -> None:
        self._received: list[int] = []
        for sig in signals:
            signal.signal(sig, self._handle)

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        self._received.append(signum)  # a list append takes no lock the main thread might hold

    @property
    def received(self) -> bool:
        return bool(self._received)

    def wait(self, poll: float = 0.1) -> int:
        """Block until a stop signal has come; return its number."""
        while not self._received:
            time.sleep(poll)
        return self._received[0]
