"""Tracking-link tokens: opaque, authenticated, expiring."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from server.tracking.links import LinkError, load_secret, make_token, read_token

NOW = datetime.datetime(2026, 12, 7, 3, 0, tzinfo=datetime.UTC)
KEY = b"k" * 32


def test_a_token_reads_back_until_it_expires_and_hides_its_content() -> None:
    token = make_token(KEY, "ORG-001", "O-123", NOW + datetime.timedelta(hours=1))
    assert read_token(KEY, token, NOW) == ("ORG-001", "O-123")
    assert "ORG" not in token and "O-123" not in token and token != make_token(
        KEY, "ORG-001", "O-123", NOW + datetime.timedelta(hours=1))
    with pytest.raises(LinkError):
        read_token(KEY, token, NOW + datetime.timedelta(hours=1))
    with pytest.raises(LinkError):
        read_token(b"other" * 8, token, NOW)


@pytest.mark.parametrize("flip", [0, 15, -1])
def test_any_changed_byte_is_refused(flip: int) -> None:
    import base64

    token = make_token(KEY, "ORG-001", "O-123", NOW + datetime.timedelta(hours=1))
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[flip] ^= 1
    bad = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(LinkError):
        read_token(KEY, bad, NOW)
    for junk in ("", "!!!", "A" * 10):
        with pytest.raises(LinkError):
            read_token(KEY, junk, NOW)


def test_the_key_is_configured_or_made_once(tmp_path: Path) -> None:
    assert load_secret("configured-key-123456", tmp_path / "k") == b"configured-key-123456"
    made = load_secret(None, tmp_path / "k")
    assert len(made) >= 40 and load_secret(None, tmp_path / "k") == made
    assert (tmp_path / "k").stat().st_mode & 0o077 == 0
