"""One REST call → one gRPC call: match the route, build the request, call the backend, answer JSON
(or Server-Sent Events for a server-streaming RPC), and map every error to a ``google.rpc.Status``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import quote

import grpc
import orjson
from google.protobuf.message import Message
from google.rpc import code_pb2, status_pb2
from grpc import aio
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from gateway.backends import Backends
from gateway.errors import error_body, http_status, localize, make_status, status_from_rpc_error
from gateway.ratelimit import Limit, RateLimiter
from gateway.replycache import JsonBodies
from gateway.routes import MethodNotAllowed, Route, RouteTable
from gateway.transcode import BadRequest, build_request, to_json
from server.platform import tracing

log = logging.getLogger("hakobu.gateway")

#: Headers passed on to the services as call metadata (never ``x-hakobu-organization``: the
#: organization comes from the credential).
FORWARDED_HEADERS = ("authorization", "x-api-key", "accept-language")
#: Sign-in RPCs: limited per client IP and per (organization, login) on top of the general limit.
LOGIN_METHODS = frozenset({"hakobu.identity.v1.AuthService.Login"})
CALL_TIMEOUT = 600.0
#: A stream (a live fleet) may stay open all day.
STREAM_TIMEOUT = 24 * 3600.0
FIRST_MESSAGE_WAIT = 2.0
KEEPALIVE_SECONDS = 15.0
#: Bodiless requests remembered (``Proxy._request``), each with at most this much text in its key.
REQUEST_MEMO = 4096
REQUEST_MEMO_TEXT = 512


class TooLarge(Exception):
    pass


#: A report file (hakobu.reports.v1.ReportFile): with ``?alt=media`` its bytes are the download itself.
REPORT_FILE = "hakobu.reports.v1.ReportFile"


def file_response(reply: Any) -> Response:
    """The file's bytes with its type and name (RFC 6266; the name may be Japanese)."""
    name = str(reply.filename)
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(bytes(reply.data), media_type=reply.content_type or "application/octet-stream",
                    headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers)


def status_response(status: status_pb2.Status, request: Request | None = None,
                    headers: dict[str, str] | None = None, http: int | None = None) -> Response:
    """The error response of ``status`` (the gateway's own messages in the caller's language; the
    services' come localized already)."""
    if request is not None:
        status = localize(status, request.headers.get("accept-language"))
    return json_response(http or http_status(status.code), error_body(status, http), headers)


async def read_body(request: Request, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


class Proxy:
    """The catch-all handler of the API routes."""

    def __init__(
        self,
        table: RouteTable,
        backends: Backends,
        limiter: RateLimiter,
        max_body: int,
        login_ip_limit: Limit,
        login_user_limit: Limit,
        static_metadata: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.table = table
        self.backends = backends
        self.limiter = limiter
        self.max_body = max_body
        self.login_ip_limit = login_ip_limit
        self.login_user_limit = login_user_limit
        self.static_metadata = static_metadata
        self._callables: dict[tuple[str, str], Callable[..., Any]] = {}
        #: JSON bodies of large unary replies, by the reply's bytes (``replycache``).
        self.bodies = JsonBodies()
        self._requests: dict[tuple[Any, ...], Message] = {}

    async def __call__(self, request: Request) -> Response:
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        path = raw_path.decode("latin-1").split("?", 1)[0]
        try:
            found = self.table.match(request.method, path)
        except MethodNotAllowed as exc:
            status = make_status(code_pb2.INVALID_ARGUMENT,
                                 f"このパスでは {request.method} は使えません / method {request.method} is "
                                 f"not allowed here (allowed: {', '.join(exc.allowed)})",
                                 reason="METHOD_NOT_ALLOWED")
            return status_response(status, request, {"Allow": ", ".join(exc.allowed)}, http=405)
        if found is None:
            return status_response(make_status(
                code_pb2.NOT_FOUND, f"そのパスはありません / no API route for {path[:200]!r}",
                reason="ROUTE_NOT_FOUND"), request)
        route, path_vars = found
        request.state.route = route.label
        try:
            body = await read_body(request, self.max_body)
        except TooLarge:
            return too_large(self.max_body, request)
        try:
            query = [(k, v) for k, v in request.query_params.multi_items() if k != "alt"]
            message = self._request(route, path_vars, query, body)
        except BadRequest as exc:
            return status_response(make_status(
                code_pb2.INVALID_ARGUMENT, f"リクエストが不正です / invalid request: {exc}", exc.violations
            ), request)
        if route.label in LOGIN_METHODS:
            limited = await self._login_limited(request, message)
            if limited is not None:
                return limited
        try:
            metadata = self._metadata(request)
        except BadRequest as exc:
            return status_response(make_status(
                code_pb2.INVALID_ARGUMENT, f"ヘッダーが不正です / invalid header: {exc}", exc.violations
            ), request)
        if route.streaming:
            return await self._stream(route, message, metadata, request)
        return await self._unary(route, message, metadata, request)

    def _request(self, route: Route, path_vars: dict[str, str], query: list[tuple[str, str]],
                 body: bytes) -> Message:
        """``build_request``'s message; one without a body (a GET) is built once per path and query and
        then shared (never changed: the call only serializes it)."""
        if body:
            return build_request(route, path_vars, query, body)
        key = (route.grpc_path, route.http_method, tuple(path_vars.items()), tuple(query))
        message = self._requests.get(key)
        if message is None:
            message = build_request(route, path_vars, query, body)
            if sum(len(v) for _, v in key[2]) + sum(len(k) + len(v) for k, v in query) <= REQUEST_MEMO_TEXT:
                if len(self._requests) >= REQUEST_MEMO:
                    self._requests.clear()
                self._requests[key] = message
        return message

    def _metadata(self, request: Request) -> tuple[tuple[str, str], ...]:
        md: list[tuple[str, str]] = list(self.static_metadata)
        for name in FORWARDED_HEADERS:
            value = request.headers.get(name)
            if value is not None:
                if not value.isascii() or not value.isprintable():
                    raise BadRequest([(name, "ASCII の印字可能文字のみ / only printable ASCII is allowed")])
                md.append((name, value))
        md.append(("x-request-id", request.state.request_id))
        md.extend(tracing.inject_headers().items())  # traceparent: the services' spans join this trace
        # the client's address (uvicorn already took it from X-Forwarded-For of a trusted proxy)
        if request.client and request.client.host:
            md.append(("x-forwarded-for", request.client.host))
        return tuple(md)

    async def _login_limited(self, request: Request, message: Message) -> Response | None:
        ip = request.client.host if request.client else "-"
        keys = [(f"login-ip:{ip}", self.login_ip_limit)]
        org = str(getattr(message, "organization", "") or "")
        login = str(getattr(message, "login", "") or "")
        if org or login:
            keys.append((f"login-user:{org.lower()}|{login.lower()}", self.login_user_limit))
        for key, limit in keys:
            retry = await self.limiter.hit(key, limit)
            if retry is not None:
                return rate_limited(retry, request, "LOGIN_RATE_LIMITED")
        return None

    def _callable(self, target: str, route: Route) -> Callable[..., Any]:
        key = (target, route.grpc_path)
        fn = self._callables.get(key)
        if fn is None:
            channel = self.backends.channel(target)
            # Unary replies come as bytes: a body already made from the same bytes is reused.
            make = channel.unary_stream if route.streaming else channel.unary_unary
            fn = self._callables[key] = make(
                route.grpc_path,
                request_serializer=route.request_class.SerializeToString,
                response_deserializer=route.response_class.FromString if route.streaming else None,
            )
        return fn

    def _targets(self, route: Route, request: Request) -> tuple[str, ...] | Response:
        targets = self.backends.targets_of(route.service)
        if not targets:
            return status_response(make_status(
                code_pb2.UNIMPLEMENTED, f"このサービスは提供されていません / {route.service} is not served "
                "by this gateway"), request)
        return targets

    async def _unary(self, route: Route, message: Message, metadata: Any, request: Request) -> Response:
        targets = self._targets(route, request)
        if isinstance(targets, Response):
            return targets
        for i, target in enumerate(targets):
            try:
                raw = await self._callable(target, route)(message, metadata=metadata, timeout=CALL_TIMEOUT)
            except aio.AioRpcError as exc:
                if exc.code() == grpc.StatusCode.NOT_FOUND and i + 1 < len(targets):
                    continue
                return status_response(status_from_rpc_error(exc))
            media = request.query_params.get("alt") == "media"
            body = None if media else self.bodies.get(route.grpc_path, raw)
            if body is None:
                reply = route.response_class.FromString(raw)
                if route.response_body:
                    reply = getattr(reply, route.response_body)
                if media and reply.DESCRIPTOR.full_name == REPORT_FILE:
                    return file_response(reply)
                body = orjson.dumps(to_json(reply))
                if not media:
                    self.bodies.put(route.grpc_path, raw, body)
            return Response(body, status_code=200, media_type="application/json",
                            headers={"Cache-Control": "no-store"})
        raise AssertionError("unreachable")

    async def _stream(self, route: Route, message: Message, metadata: Any, request: Request) -> Response:
        """Server-Sent Events. A call that fails before its first message (a bad request, no
        permission) is a plain error response; one whose first message takes longer than
        ``FIRST_MESSAGE_WAIT`` starts the event stream anyway (a quiet fleet must not hold the headers)."""
        targets = self._targets(route, request)
        if isinstance(targets, Response):
            return targets
        call = self._callable(targets[0], route)(message, metadata=metadata, timeout=STREAM_TIMEOUT)
        first = asyncio.ensure_future(call.read())
        done, _ = await asyncio.wait({first}, timeout=FIRST_MESSAGE_WAIT)
        if done:
            try:
                first.result()
            except aio.AioRpcError as exc:
                return status_response(status_from_rpc_error(exc))
        return StreamingResponse(
            _events(call, first), media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )


async def _events(call: Any, pending: asyncio.Future) -> AsyncIterator[bytes]:
    """One ``data:`` event per message, an ``error`` event when the call fails, and a comment line
    every ``KEEPALIVE_SECONDS`` of silence so that proxies keep the connection."""
    try:
        while True:
            done, _ = await asyncio.wait({pending}, timeout=KEEPALIVE_SECONDS)
            if not done:
                yield b": keep-alive\n\n"
                continue
            message = pending.result()
            if message is aio.EOF:
                return
            yield _event(to_json(message))
            pending = asyncio.ensure_future(call.read())
    except aio.AioRpcError as exc:
        yield _event(error_body(status_from_rpc_error(exc)), "error")
    finally:
        if not pending.done():
            pending.cancel()
        call.cancel()


def _event(data: Any, kind: str | None = None) -> bytes:
    return (f"event: {kind}\n".encode() if kind else b"") + b"data: " + orjson.dumps(data) + b"\n\n"


def too_large(limit: int, request: Request | None = None) -> Response:
    status = make_status(code_pb2.INVALID_ARGUMENT,
                         f"本文が大きすぎます / the request body is larger than {limit} bytes",
                         reason="REQUEST_TOO_LARGE", metadata={"limit_bytes": str(limit)})
    return status_response(status, request, http=413)


def rate_limited(retry_after: float, request: Request | None, reason: str = "RATE_LIMITED") -> Response:
    seconds = str(int(retry_after))
    status = make_status(code_pb2.RESOURCE_EXHAUSTED,
                         f"リクエストが多すぎます。{seconds} 秒後に再試行してください / too many requests: "
                         f"retry after {seconds} s", reason=reason, metadata={"retry_after_seconds": seconds})
    return status_response(status, request, {"Retry-After": seconds})
