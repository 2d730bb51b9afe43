"""API keys of dispatch systems: ``hk_<id>_<secret>``. Only a SHA-256 of the secret is stored (the
secret has 256 random bits, so a slow hash would add nothing); the key is shown once, when created."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

PREFIX = "hk"
_KEY = re.compile(r"hk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})")


@dataclass(frozen=True)
class NewKey:
    id: str
    key: str
    secret_hash: str


def new_key() -> NewKey:
    """A fresh key: its id, the full key to hand out once, and the hash to store."""
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    return NewKey(key_id, f"{PREFIX}_{key_id}_{secret}", hash_secret(secret))


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse(key: str) -> tuple[str, str] | None:
    """(id, secret) of a well-formed key, else None."""
    m = _KEY.fullmatch(key.strip())
    return (m.group(1), m.group(2)) if m else None


def matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)
