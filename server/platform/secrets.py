"""Secrets kept in files of the data directory (the embedded default of keys set by the environment in
production): created once with random content, readable by the owner only."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def secret_file(path: Path, nbytes: int = 32) -> str:
    """The secret in ``path`` (URL-safe text); a new random one of ``nbytes`` bytes is written there
    first when the file does not exist (two processes racing both read the winner's)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_urlsafe(nbytes) + "\n")
    for _ in range(50):  # the creator may not have written yet
        text = path.read_text(encoding="ascii").strip()
        if text:
            return text
        import time

        time.sleep(0.01)
    raise OSError(f"{path} is empty")
