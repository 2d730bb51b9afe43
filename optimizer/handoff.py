"""How a compiled problem reaches the worker processes without copying its matrices through a pipe.

A pipe carries about 0.3-1 GB/s, and a pickled problem is copied once to pickle it, once through
the pipe and once to unpickle it, for every worker: at 5,000 jobs (two int64 matrices of 200 MB)
sending it to two workers took 2.8 s each on a loaded two-core machine, longer than a 2 s time
limit. Large matrices are instead written once to files in the temporary directory (as int32:
compiled travel values never exceed ``MAX_TIME`` = 2**31 - 1, and half the bytes are half the
time), which every worker reads in parallel from the page cache and widens back to int64; only the
rest is pickled. (Mapping the files instead measured slower: every page is faulted in one by one.)
The files are removed as soon as every worker has read them. Small problems are pickled whole, as
a pipe handles them in microseconds.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from dataclasses import dataclass

import numpy as np

from optimizer.compiled import Compiled
from optimizer.model import MAX_TIME

#: Matrices smaller than this in total (bytes) go through the pipe: below about 700 nodes.
MIN_MAPPED_BYTES = 8 * 2**20


#: Name of the temporary directories, followed by the owner's process id.
PREFIX = "hakobu-matrices-"
#: Rows copied at a time between a matrix and its file (a few MB of int32).
CHUNK_ROWS = 512


@dataclass(frozen=True, slots=True)
class Mapped:
    """A compiled problem whose matrices wait in files (int32 rows); ``open`` reads them as int64."""

    compiled: Compiled
    size: int
    distances: tuple[str, ...]
    durations: tuple[str, ...]

    def open(self) -> Compiled:
        def load(paths: tuple[str, ...]) -> tuple[np.ndarray, ...]:
            return tuple(_read(p, self.size) for p in paths)

        distances, durations = load(self.distances), load(self.durations)
        return dataclasses.replace(self.compiled, distances=distances, durations=durations)


def _read(path: str, n: int) -> np.ndarray:
    out = np.empty((n, n), dtype=np.int64)
    chunk = np.empty((CHUNK_ROWS, n), dtype=np.int32)
    with open(path, "rb") as f:
        for a in range(0, n, CHUNK_ROWS):
            rows = min(CHUNK_ROWS, n - a)
            if f.readinto(memoryview(chunk[:rows]).cast("B")) != rows * n * 4:
                raise OSError(f"{path}: the matrix file is shorter than {n} x {n}")
            out[a : a + rows] = chunk[:rows]
    return out


def _remove_orphans() -> None:
    """Remove the files of processes that died (``kill -9``) before they could remove them."""
    root = tempfile.gettempdir()
    for name in os.listdir(root):
        if not name.startswith(PREFIX):
            continue
        pid = name[len(PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(os.path.join(root, name), ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def receive(sent: Compiled | Mapped) -> Compiled:
    """The compiled problem a worker was sent."""
    return sent.open() if isinstance(sent, Mapped) else sent


class Handoff:
    """The parent's side: what to send for ``compiled``, and the files to remove once the runs end.

    Use as a context manager around the runs, or ``close`` it once every worker has read the files.
    """

    def __init__(self, compiled: Compiled, min_mapped_bytes: int = MIN_MAPPED_BYTES) -> None:
        self._dir: str | None = None
        size = sum(m.nbytes for m in (*compiled.distances, *compiled.durations))
        if size < min_mapped_bytes:
            self.sent: Compiled | Mapped = compiled
            return
        _remove_orphans()
        self._dir = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")
        try:
            self.sent = Mapped(
                dataclasses.replace(compiled, distances=(), durations=()),
                len(compiled.nodes),
                self._write("distance", compiled.distances),
                self._write("duration", compiled.durations),
            )
        except BaseException:
            self.close()
            raise

    def _write(self, name: str, matrices: tuple[np.ndarray, ...]) -> tuple[str, ...]:
        assert self._dir is not None
        paths = []
        for k, m in enumerate(matrices):
            path = os.path.join(self._dir, f"{name}-{k}.i32")
            with open(path, "wb") as f:
                for a in range(0, m.shape[0], CHUNK_ROWS):
                    rows = m[a : a + CHUNK_ROWS]
                    if rows.min(initial=0) < 0 or rows.max(initial=0) > MAX_TIME:
                        raise ValueError("compiled travel values must be in [0, MAX_TIME]")
                    f.write(rows.astype(np.int32).tobytes())
            paths.append(path)
        return tuple(paths)

    def close(self) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self) -> Handoff:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
