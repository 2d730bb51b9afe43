"""The embedded PostgreSQL (pgserver) in a local data folder, started explicitly by the bootstrap when
``DATABASE_URL`` is unset (see ``server.bootstrap.database_url``)."""

from __future__ import annotations

import logging
import os
import threading
import warnings
from pathlib import Path

_lock = threading.Lock()
_servers: dict[Path, object] = {}


def embedded_url(data_dir: str | os.PathLike[str]) -> str:
    """Start (once per process and folder) an embedded PostgreSQL in ``data_dir`` and return its URL.

    The server keeps running until this process exits; later calls with the same folder reuse it.
    """
    path = Path(data_dir).resolve()
    with _lock:
        server = _servers.get(path)
        if server is None:
            path.mkdir(parents=True, exist_ok=True)
            with warnings.catch_warnings():
                # platformdirs warns on import when XDG_RUNTIME_DIR is unset; harmless here.
                warnings.simplefilter("ignore")
                import pgserver

                pg_log = logging.getLogger("pgserver")
                if pg_log.level == logging.NOTSET:  # its INFO lines echo every pg_ctl call
                    pg_log.setLevel(logging.WARNING)

                server = pgserver.get_server(path, cleanup_mode="stop")
            _servers[path] = server
    return server.get_uri()  # type: ignore[attr-defined]

