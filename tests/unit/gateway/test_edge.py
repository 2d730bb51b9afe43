"""The security headers every response gets."""

from __future__ import annotations

from gateway.edge import content_security_policy


def test_the_content_security_policy_lets_the_map_tiles_in() -> None:
    default = content_security_policy()
    assert "script-src 'self'" in default and "frame-ancestors 'none'" in default
    assert "img-src 'self' data: blob: https:;" in default
    local = content_security_policy("http://tiles.lan:8081/{z}/{x}/{y}.png")
    assert "https: http://tiles.lan:8081;" in local
    assert "http://*.tile.example" in content_security_policy("http://{s}.tile.example/{z}/{x}/{y}.png")
