"""``ObjectStore`` over a local folder: one file per key, written atomically (temporary file + rename)."""

from __future__ import annotations

from pathlib import Path

from server.adapters.objects.keys import check_key
from server.platform.files import write_atomically


class LocalObjects:
    """Implements ``server.tracking.ports.ObjectStore``; URIs are ``file://`` paths."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / check_key(key)).resolve()
        if not path.is_relative_to(self.root):  # belt and braces: check_key already refuses '..'
            raise ValueError(f"オブジェクトキーが不正です / object key {key!r} leaves the store")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> str:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, data, prefix=".tmp-")
        return path.as_uri()

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()
