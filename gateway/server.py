"""Running the gateway on uvicorn: in the foreground (``python -m gateway``) or on a background thread
(tests and benchmarks)."""

from __future__ import annotations

import asyncio
import signal
import socket
import threading
import time
from typing import Any

import uvicorn

#: "uvloop" when installed (faster), else the standard loop.
LOOP = "auto"


def bind(address: str) -> socket.socket:
    """A listening socket on ``HOST:PORT`` (port 0 picks a free one)."""
    host, _, port = address.rpartition(":")
    host = host.strip("[]")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, int(port)))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _config(app: Any, log: bool, trusted_proxies: tuple[str, ...]) -> uvicorn.Config:
    return uvicorn.Config(app, loop=LOOP, http="auto", lifespan="on", access_log=False,
                          log_config=None, log_level="warning" if not log else "info",
                          timeout_graceful_shutdown=10, server_header=False,
                          proxy_headers=True, forwarded_allow_ips=list(trusted_proxies))


def serve_forever(app: Any, sock: socket.socket, trusted_proxies: tuple[str, ...] = ("127.0.0.1",)) -> None:
    """Serve until SIGINT / SIGTERM (uvicorn's handlers), then finish the open requests. The client
    address comes from X-Forwarded-For when the peer is one of ``trusted_proxies``. Exits normally
    after a graceful stop, like the other services (uvicorn re-raises the signal into the handlers it
    found, so those are quiet ones)."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: None)
    uvicorn.Server(_config(app, True, trusted_proxies)).run(sockets=[sock])


class RunningGateway:
    """The gateway on a background thread, on a free port of 127.0.0.1 (or ``address``)."""

    def __init__(self, app: Any, address: str = "127.0.0.1:0",
                 trusted_proxies: tuple[str, ...] = ("127.0.0.1",)) -> None:
        self._sock = bind(address)
        host, port = self._sock.getsockname()[:2]
        self.url = f"http://{host}:{port}"
        self._server = uvicorn.Server(_config(app, False, trusted_proxies))
        self._server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self._thread = threading.Thread(target=self._run, name="gateway", daemon=True)

    def _run(self) -> None:
        asyncio.run(self._server.serve(sockets=[self._sock]))

    def start(self, timeout: float = 20.0) -> RunningGateway:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the gateway did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(15)
        self._sock.close()
