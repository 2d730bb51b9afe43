"""Writing a file whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes, prefix: str | None = None) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, flushed to disk and then
    renamed over ``path``: readers see the old file or the whole new one, and a full or read-only
    folder leaves nothing half-written (``OSError`` then). The folder must exist."""
    folder = path.resolve().parent
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=prefix or f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
