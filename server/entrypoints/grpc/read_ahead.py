"""Run an iterator on its own thread, a bounded number of items ahead of its consumer.

A stream handler of the synchronous gRPC server reads a request, works on it and answers, one at a
time. ``ReportPositions`` must not wait for batch k's COMMIT before reading batch k+1: with
:class:`ReadAhead` one thread reads and submits batches while the handler's thread answers them in
order, so a stream keeps several batches in one group commit (four streams were 39,000 positions/s
when each waited for its own commit)."""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class ReadAhead(Generic[T], Iterator[T]):
    """Yields what ``source`` yields, in order; an exception raised by ``source`` is raised here, after
    the items before it. At most ``depth`` items wait. :meth:`close` lets the reading thread stop (it
    ends at its next item, or when ``source`` ends; a gRPC request iterator ends when its call does).
    The thread runs in a copy of the caller's context (log fields, trace)."""

    def __init__(self, source: Iterable[T], depth: int, name: str = "read-ahead") -> None:
        self._queue: queue.Queue[tuple[bool, object]] = queue.Queue(maxsize=depth)
        self._closed = threading.Event()
        self._finished = False
        ctx = contextvars.copy_context()
        self._thread = threading.Thread(target=ctx.run, args=(self._run, iter(source)), name=name,
                                        daemon=True)
        self._thread.start()

    def _put(self, item: tuple[bool, object]) -> bool:
        while not self._closed.is_set():
            try:
                self._queue.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, source: Iterator[T]) -> None:
        try:
            for item in source:
                if not self._put((True, item)):
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            self._put((False, exc))
            return
        self._put((False, None))

    def __iter__(self) -> ReadAhead[T]:
        return self

    def __next__(self) -> T:
        if self._finished:
            raise StopIteration
        ok, value = self._queue.get()
        if ok:
            return value  # type: ignore[return-value]
        self._finished = True
        if value is None:
            raise StopIteration
        assert isinstance(value, BaseException)
        raise value

    def close(self) -> None:
        self._closed.set()
        self._finished = True
