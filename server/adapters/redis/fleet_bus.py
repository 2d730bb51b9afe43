"""``FleetBus`` over Redis pub/sub: one channel per organization, ``{prefix}fleet:{org}``.

Pub/sub keeps nothing: a subscriber sees what is published while it listens (StreamFleet first sends
the current state from live state, then the changes). A lost connection is re-made on the next read.
"""

from __future__ import annotations

import time

import redis

from server.adapters.redis.live_state import connect

#: Seconds the subscriber count of a channel is trusted (a new subscriber is published to within this).
NUMSUB_TTL = 1.0


class RedisSubscription:
    def __init__(self, client: redis.Redis, channel: str) -> None:
        self._pubsub = client.pubsub(ignore_subscribe_messages=True)
        self._pubsub.subscribe(channel)

    def next(self, timeout: float) -> bytes | None:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                message = self._pubsub.get_message(timeout=left)
            except (redis.ConnectionError, redis.TimeoutError, OSError):
                time.sleep(min(left, 0.2))  # Redis is down; the next read re-connects and re-subscribes
                continue
            if message is not None and message.get("type") == "message":
                data: bytes = message["data"]
                return data

    def close(self) -> None:
        self._pubsub.close()


class RedisFleetBus:
    """Implements ``server.tracking.ports.FleetBus``."""

    def __init__(self, url: str, prefix: str = "hakobu:") -> None:
        self.client = connect(url)
        self.prefix = prefix
        #: channel -> (subscribers, when asked), asked again after ``NUMSUB_TTL`` seconds
        self._numsub: dict[str, tuple[int, float]] = {}

    def _channel(self, org: str) -> str:
        return f"{self.prefix}fleet:{org}"

    def publish(self, org: str, payload: bytes) -> None:
        self.client.publish(self._channel(org), payload)

    def has_subscribers(self, org: str) -> bool:
        """From ``PUBSUB NUMSUB`` (across every process), asked at most once a second per channel."""
        channel = self._channel(org)
        now = time.monotonic()
        known = self._numsub.get(channel)
        if known is None or now - known[1] > NUMSUB_TTL:
            ((_, n),) = self.client.pubsub_numsub(channel)
            known = (int(n), now)
            self._numsub[channel] = known
        return known[0] > 0

    def subscribe(self, org: str) -> RedisSubscription:
        return RedisSubscription(self.client, self._channel(org))

    def close(self) -> None:
        self.client.close()
