"""``LiveState`` in Redis: one hash per vehicle, the newest position by time kept atomically.

Keys (``prefix`` default ``hakobu:``): ``{prefix}live:{org}:{vehicle}`` a hash (``t`` the position's
time in epoch microseconds, ``device``, ``lat``, ``lon``, ``speed``, ``heading``, ``extra`` JSON) and
``{prefix}live:{org}`` the set of the organization's vehicles. A Lua script compares ``t`` and writes
in one step, so an older position arriving late (or two writers racing) never replaces a newer one.
Live state may be lost (Redis restarted): the ingest pipeline rebuilds it from the history.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from typing import Any

import redis

from server.tracking.model import LiveVehicle

_FIELDS = 8
_KEEP_NEWEST = """
local n = 0
for i = 1, #KEYS, 2 do
  local base = (i - 1) / 2 * 8
  local t = tonumber(ARGV[base + 1])
  local cur = redis.call('HGET', KEYS[i], 't')
  if (not cur) or tonumber(cur) <= t then
    redis.call('HSET', KEYS[i], 't', ARGV[base + 1], 'device', ARGV[base + 2], 'lat', ARGV[base + 3],
               'lon', ARGV[base + 4], 'speed', ARGV[base + 5], 'heading', ARGV[base + 6],
               'extra', ARGV[base + 7])
    redis.call('SADD', KEYS[i + 1], ARGV[base + 8])
    n = n + 1
  end
end
return n
"""
#: Vehicles per script call.
CHUNK = 500


def connect(url: str) -> redis.Redis:
    """A client that gives up quickly when Redis is down (ingestion must not wait for it)."""
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2, health_check_interval=10)


class RedisLiveState:
    """Implements ``server.tracking.ports.LiveState``."""

    def __init__(self, url: str, prefix: str = "hakobu:") -> None:
        self.client = connect(url)
        self.prefix = prefix
        self._script = self.client.register_script(_KEEP_NEWEST)

    def _key(self, org: str, vehicle_id: str) -> str:
        return f"{self.prefix}live:{org}:{vehicle_id}"

    def _index(self, org: str) -> str:
        return f"{self.prefix}live:{org}"

    def update(self, vehicles: Sequence[LiveVehicle]) -> None:
        for start in range(0, len(vehicles), CHUNK):
            keys: list[str] = []
            args: list[Any] = []
            for v in vehicles[start:start + CHUNK]:
                keys += [self._key(v.organization, v.vehicle_id), self._index(v.organization)]
                args += [_micros(v.time), v.device_id, repr(v.latitude), repr(v.longitude), _num(v.speed_kmh),
                         _num(v.heading), json.dumps(v.extra) if v.extra else "", v.vehicle_id]
            self._script(keys=keys, args=args)

    def get(self, org: str, vehicle_id: str) -> LiveVehicle | None:
        found = self.client.hgetall(self._key(org, vehicle_id))
        return _vehicle(org, vehicle_id, found) if found else None

    def all(self, org: str) -> list[LiveVehicle]:
        ids = sorted(v.decode() for v in self.client.smembers(self._index(org)))
        pipe = self.client.pipeline(transaction=False)
        for vehicle_id in ids:
            pipe.hgetall(self._key(org, vehicle_id))
        return [_vehicle(org, v, h) for v, h in zip(ids, pipe.execute(), strict=True) if h]

    def close(self) -> None:
        self.client.close()


def _micros(t: datetime.datetime) -> int:
    delta = t - datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _num(x: float | None) -> str:
    return "" if x is None else repr(x)


def _opt(raw: bytes | None) -> float | None:
    return float(raw) if raw else None


def _vehicle(org: str, vehicle_id: str, h: dict[bytes, bytes]) -> LiveVehicle:
    micros = int(h[b"t"])
    extra = h.get(b"extra") or b""
    return LiveVehicle(
        organization=org, vehicle_id=vehicle_id, device_id=h[b"device"].decode(),
        time=datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(microseconds=micros),
        latitude=float(h[b"lat"]), longitude=float(h[b"lon"]), speed_kmh=_opt(h.get(b"speed")),
        heading=_opt(h.get(b"heading")), extra=json.loads(extra) if extra else {},
    )
