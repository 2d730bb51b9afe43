"""ReadAhead: items in order, the source's exception after the items before it, bounded depth, and a
reading thread that stops when closed."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from server.entrypoints.grpc.read_ahead import ReadAhead


def test_items_come_in_order_then_the_end() -> None:
    items = ReadAhead(iter(range(100)), depth=4)
    assert list(items) == list(range(100))
    with pytest.raises(StopIteration):
        next(items)


def test_an_error_comes_after_the_items_before_it() -> None:
    def source() -> Iterator[int]:
        yield 1
        yield 2
        raise KeyError("bad batch")

    items = ReadAhead(source(), depth=8)
    assert next(items) == 1
    assert next(items) == 2
    with pytest.raises(KeyError, match="bad batch"):
        next(items)
    with pytest.raises(StopIteration):  # finished: never blocks after the error
        next(items)


def test_the_reader_runs_ahead_by_depth_at_most() -> None:
    produced: list[int] = []

    def source() -> Iterator[int]:
        for i in range(50):
            produced.append(i)
            yield i

    items = ReadAhead(source(), depth=3)
    assert next(items) == 0
    time.sleep(0.3)
    # one taken, three queued, one more read and waiting to be queued
    assert len(produced) <= 1 + 3 + 1
    assert list(items) == list(range(1, 50))


def test_close_stops_the_reading_thread() -> None:
    def endless() -> Iterator[int]:
        i = 0
        while True:
            yield i
            i += 1

    items = ReadAhead(endless(), depth=2, name="endless-reader")
    assert next(items) == 0
    items.close()
    deadline = time.monotonic() + 5
    while any(t.name == "endless-reader" for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(t.name == "endless-reader" for t in threading.enumerate())
