"""Object keys: ``a/b/c.png`` — relative, ``/``-separated segments of safe characters, never ``..``."""

from __future__ import annotations

import re

MAX_KEY = 512
_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._=+-]{0,127}")


def check_key(key: str) -> str:
    """``key`` if it is a safe relative object key; ``ValueError`` (Japanese, then English) otherwise."""
    parts = key.split("/") if key else []
    bad = (
        not parts
        or len(key) > MAX_KEY
        or any(p in (".", "..") or _SEGMENT.fullmatch(p) is None for p in parts)
    )
    if bad:
        raise ValueError(
            f"オブジェクトキーが不正です / invalid object key {key[:80]!r}: relative segments of "
            "[A-Za-z0-9._=+-], no '..', at most 512 characters"
        )
    return key
