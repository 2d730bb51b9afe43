"""In-process denylist of revoked access tokens (the default without Redis), and in-memory API keys."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from server.identity.ports import ApiKeyRecord


class InProcessDenylist:
    """Revoked token ids until their expiry, in this process only (one replica)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def revoke(self, token_id: str, expires_at: float) -> None:
        with self._lock:
            now = self._clock()
            self._until = {k: v for k, v in self._until.items() if v > now}  # forget the expired ones
            if expires_at > now:
                self._until[token_id] = expires_at

    def is_revoked(self, token_id: str) -> bool:
        with self._lock:
            return self._until.get(token_id, 0.0) > self._clock()


class MemoryApiKeys:
    """API keys in a dict (unit tests)."""

    def __init__(self) -> None:
        self.rows: dict[str, ApiKeyRecord] = {}

    def create(self, key: ApiKeyRecord) -> ApiKeyRecord:
        self.rows[key.id] = key
        return key

    def get(self, key_id: str) -> ApiKeyRecord | None:
        return self.rows.get(key_id)

    def list(self, organization: str, after: str, limit: int) -> list[ApiKeyRecord]:
        keys = sorted(k for k, r in self.rows.items() if r.organization == organization and k > after)
        return [self.rows[k] for k in keys[:limit]]

    def revoke(self, organization: str, key_id: str) -> bool:
        import dataclasses
        import datetime

        row = self.rows.get(key_id)
        if row is None or row.organization != organization:
            return False
        if row.revoked_at is None:
            self.rows[key_id] = dataclasses.replace(row, revoked_at=datetime.datetime.now(datetime.UTC))
        return True
