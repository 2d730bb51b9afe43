"""The OsmAnd HTTP endpoint: Traccar Client (and many GPS trackers) report here unchanged.

``GET /?id=…&lat=…&lon=…&timestamp=…`` or the same keys as a POST form, any path. The answer is
``200`` with an empty body once the position is durable (or was already stored: a retry), ``400`` with
the reason as text for a missing or unknown id or a malformed value, ``503`` when it could not be stored
(the phone keeps it and retries), ``429`` for a source address that sent too many unknown ids lately.
The protocol carries no credential: the tracker id is the identity (as in Traccar), so ids other than
the demo's should be long and random, and unknown ids are counted (``hakobu_osmand_unknown_devices_total``)
and limited per address.

A minimal ASGI app (no framework: the request is a query string and maybe a form) served by uvicorn on
its own thread and event loop. A request is checked on the loop and handed to the history's group
commit without a thread of its own (it awaits the commit's future); only looking up a tracker id that
is not cached yet goes to a small thread pool.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from prometheus_client import Counter

from server.tracking.ingest import Ingest
from server.tracking.osmand import parse

log = logging.getLogger("hakobu.osmand")

REQUESTS = Counter("hakobu_osmand_requests", "OsmAnd requests by answer", ["code"])
UNKNOWN = Counter("hakobu_osmand_unknown_devices", "OsmAnd requests with a missing or unknown tracker id")
#: Largest request body read (a position is a few hundred bytes).
MAX_BODY = 64 * 1024
#: Unknown ids one source address may send per window before it gets 429 until the window ends.
UNKNOWN_LIMIT = 30
UNKNOWN_WINDOW = 60.0

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class UnknownIdLimiter:
    """Per source address: how many unknown ids in the current window (fixed windows)."""

    def __init__(self, limit: int = UNKNOWN_LIMIT, window: float = UNKNOWN_WINDOW) -> None:
        self.limit = limit
        self.window = window
        self._counts: dict[str, tuple[float, int]] = {}

    def blocked(self, address: str) -> bool:
        start, n = self._counts.get(address, (0.0, 0))
        return n >= self.limit and time.monotonic() - start < self.window

    def hit(self, address: str) -> None:
        now = time.monotonic()
        start, n = self._counts.get(address, (now, 0))
        if now - start >= self.window:
            start, n = now, 0
        self._counts[address] = (start, n + 1)
        if len(self._counts) > 100_000:  # forget stale addresses
            self._counts = {a: v for a, v in self._counts.items() if now - v[0] < self.window}


class OsmAndApp:
    """The ASGI application."""

    def __init__(self, ingest: Ingest, executor: ThreadPoolExecutor, limiter: UnknownIdLimiter | None = None):
        self.ingest = ingest
        self.executor = executor
        self.limiter = limiter or UnknownIdLimiter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if scope["method"] not in ("GET", "POST"):
            await _answer(send, 405, "GET または POST / use GET or POST")
            return
        address = (scope.get("client") or ("?", 0))[0]
        if self.limiter.blocked(address):
            await _answer(send, 429, "未登録の端末IDが多すぎます / too many unknown device ids; slow down")
            return
        params = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        if scope["method"] == "POST":
            body = await _body(receive)
            if body is None:
                await _answer(send, 413, "リクエストが大きすぎます / request body too large")
                return
            if body:
                params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        raw = parse(params)
        ingest = self.ingest
        try:
            if ingest.device.missing((raw.device_id,)):  # a database round trip: not on the loop
                await asyncio.get_running_loop().run_in_executor(self.executor, ingest.device.load,
                                                                 [raw.device_id])
            result = await asyncio.wrap_future(ingest.submit([raw]))
        except Exception as exc:
            log.warning("position not stored", extra={"error": repr(exc)})
            await _answer(send, 503, "保存できませんでした。再送してください / not stored; send it again")
            return
        if result.rejected:
            rejection = result.rejected[0]
            if rejection.field == "device_id":
                UNKNOWN.inc()
                self.limiter.hit(address)
            await _answer(send, 400, f"{rejection.field}: {rejection.reason}")
            return
        await _answer(send, 200, "")


async def _body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


async def _answer(send: Send, status: int, text: str) -> None:
    REQUESTS.labels(str(status)).inc()
    body = text.encode() if not text else (text + "\n").encode()
    headers = [(b"content-length", str(len(body)).encode())]
    if body:
        headers.append((b"content-type", b"text/plain; charset=utf-8"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@dataclass
class OsmAndServer:
    server: uvicorn.Server
    thread: threading.Thread
    executor: ThreadPoolExecutor
    port: int

    def stop(self, grace: float = 5.0) -> None:
        """Stop accepting, let requests under way finish (within ``grace``), stop the thread pool."""
        self.server.should_exit = True
        self.thread.join(grace + 1)
        self.executor.shutdown(wait=False, cancel_futures=True)


def start_osmand(address: str, ingest: Ingest, *, threads: int = 8) -> OsmAndServer:
    """Serve the endpoint on ``address`` (``HOST:PORT``; port 0 picks a free one) until ``stop``."""
    host, _, port = address.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, int(port)))
    except OSError:
        sock.close()
        raise
    executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="osmand")
    config = uvicorn.Config(
        OsmAndApp(ingest, executor), lifespan="off", access_log=False, log_level="warning",
        log_config=None, backlog=2048, timeout_keep_alive=5, server_header=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="osmand-http", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    if not server.started:
        server.should_exit = True
        executor.shutdown(wait=False)
        raise OSError(f"OsmAnd endpoint did not start on {address}")
    bound = sock.getsockname()[1]
    log.info("osmand listening", extra={"address": address, "port": bound})
    return OsmAndServer(server, thread, executor, bound)
