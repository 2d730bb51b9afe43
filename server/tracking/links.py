"""Consignee tracking links: opaque, signed, expiring tokens, and what such a link may show.

A token carries (organization, order, expiry) encrypted and authenticated with the server's key
(HMAC-SHA256 as the keystream in counter mode, then HMAC-SHA256 over nonce and ciphertext, encrypt-then-
MAC), so nothing about the company can be read from it and nobody can make one. What a link shows is
:class:`Shipment`: the delivery's status, the consignee's own time window (時間指定), an ETA window of
± a few minutes, how many stops come before, and the truck's position only in the last few stops.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import os
from dataclasses import dataclass

from server.plans.errors import NotFoundError
from server.plans.records import Order
from server.tracking.fleet import FleetDeps, get_view
from server.tracking.model import LiveVehicle

#: The ETA shown as a window of ± this much.
ETA_MARGIN = datetime.timedelta(minutes=15)
#: The truck's position is shown when the order is at most this many stops away.
ARRIVING_STOPS = 3
MAX_TTL = datetime.timedelta(days=14)
_NONCE = 12
_TAG = 16


class LinkError(NotFoundError):
    """A token that is malformed, forged or expired: the link shows nothing."""


def _keys(secret: bytes) -> tuple[bytes, bytes]:
    return (hmac.new(secret, b"hakobu tracking link: encryption", hashlib.sha256).digest(),
            hmac.new(secret, b"hakobu tracking link: authentication", hashlib.sha256).digest())


def _stream(key: bytes, nonce: bytes, n: int) -> bytes:
    out = b""
    counter = 0
    while len(out) < n:
        out += hmac.new(key, nonce + counter.to_bytes(4, "big"), hashlib.sha256).digest()
        counter += 1
    return out[:n]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def make_token(secret: bytes, org: str, order_id: str, expires: datetime.datetime) -> str:
    enc, mac = _keys(secret)
    nonce = os.urandom(_NONCE)
    payload = json.dumps([org, order_id, int(expires.timestamp())], separators=(",", ":")).encode()
    cipher = bytes(a ^ b for a, b in zip(payload, _stream(enc, nonce, len(payload)), strict=True))
    tag = hmac.new(mac, nonce + cipher, hashlib.sha256).digest()[:_TAG]
    return _b64(nonce + cipher + tag)


def read_token(secret: bytes, token: str, now: datetime.datetime) -> tuple[str, str]:
    """(organization, order id) of a valid token; ``LinkError`` otherwise (the same for every cause)."""
    gone = LinkError("追跡リンクが無効か期限切れです / this tracking link is invalid or has expired")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError):
        raise gone from None
    if len(raw) <= _NONCE + _TAG:
        raise gone
    enc, mac = _keys(secret)
    nonce, cipher, tag = raw[:_NONCE], raw[_NONCE:-_TAG], raw[-_TAG:]
    if not hmac.compare_digest(hmac.new(mac, nonce + cipher, hashlib.sha256).digest()[:_TAG], tag):
        raise gone
    org, order_id, expires = json.loads(bytes(a ^ b for a, b in zip(
        cipher, _stream(enc, nonce, len(cipher)), strict=True)))
    if now.timestamp() >= expires:
        raise gone
    return org, order_id


@dataclass(frozen=True)
class Link:
    token: str
    organization: str
    order_id: str
    expires: datetime.datetime


def default_expiry(order: Order) -> datetime.datetime:
    """The end of the day after the delivery day, in Japan time."""
    from server.jst import JST

    return datetime.datetime.combine(order.delivery_date + datetime.timedelta(days=2), datetime.time(0),
                                     tzinfo=JST)


def create_link(deps: FleetDeps, secret: bytes, org: str, order_id: str,
                ttl: datetime.timedelta | None = None) -> Link:
    """A link for one order of ``org``; ``NotFoundError`` for an order outside it."""
    order = deps.orders.get(org, order_id)
    now = deps.clock()
    if ttl is not None and not datetime.timedelta(minutes=1) <= ttl <= MAX_TTL:
        from server.plans.errors import InvalidArgumentError

        raise InvalidArgumentError("ttl: 1分〜14日 / ttl must be from 1 minute to 14 days")
    expires = now + ttl if ttl is not None else default_expiry(order)
    return Link(make_token(secret, org, order.id, expires), org, order.id, expires)


@dataclass(frozen=True)
class Shipment:
    status: str  # SCHEDULED, OUT_FOR_DELIVERY, ARRIVING, DELIVERED, FAILED
    window_start: datetime.datetime | None
    window_end: datetime.datetime | None
    eta_start: datetime.datetime | None
    eta_end: datetime.datetime | None
    stops_before: int
    vehicle: LiveVehicle | None
    updated: datetime.datetime


def shipment(deps: FleetDeps, secret: bytes, token: str) -> Shipment:
    """What the link shows now; ``LinkError`` for a bad or expired token."""
    from server.tracking.fleet import window_of

    now = deps.clock()
    org, order_id = read_token(secret, token, now)
    order = deps.orders.get(org, order_id)
    plan = deps.plans.plans.find(org, order.branch_id, order.delivery_date)
    found = plan.stop_of(order_id) if plan is not None and plan.status != "DRAFT" else None
    if plan is None or found is None:
        ws, we = (window_of(order, datetime.datetime.combine(order.delivery_date, datetime.time(0),
                                                             tzinfo=datetime.UTC))
                  if order.time_windows else (None, None))
        return Shipment("SCHEDULED", ws, we, None, None, 0, None, now)
    route, stop = found
    ws, we = window_of(order, stop.service_start_time or stop.arrival_time or now)
    if stop.status in ("DONE", "FAILED"):
        return Shipment("DELIVERED" if stop.status == "DONE" else "FAILED", ws, we, None, None, 0, None, now)
    view = get_view(deps, org, route.vehicle_id)
    sequence = [e.stop.order_id for e in view.etas]
    mine = next((e for e in view.etas if e.stop.order_id == order_id), None)
    before = sequence.index(order_id) if order_id in sequence else 0
    eta = mine.eta if mine is not None else stop.arrival_time
    started = plan.status == "IN_PROGRESS" or (view.last is not None and view.plan_id == plan.id
                                                and view.motion != "SILENT")
    status = "SCHEDULED" if not started else ("ARRIVING" if before < ARRIVING_STOPS else "OUT_FOR_DELIVERY")
    vehicle = view.last if status == "ARRIVING" else None
    return Shipment(status, ws, we, eta - ETA_MARGIN if eta else None, eta + ETA_MARGIN if eta else None,
                    before, vehicle, now)


def load_secret(configured: str | None, key_file: os.PathLike[str] | str) -> bytes:
    """The configured key, else one kept in ``key_file`` (made once, random, readable by the owner only)."""
    if configured:
        return configured.encode()
    from pathlib import Path

    path = Path(key_file)
    if path.is_file():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = _b64(os.urandom(32)).encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key)
    return key
