"""Why a call or a sign-in is refused (the entrypoints map them to UNAUTHENTICATED / PERMISSION_DENIED)."""

from __future__ import annotations


class Unauthenticated(Exception):
    """No credential, or one that is expired, forged, revoked or unknown. Messages are "日本語 / English"."""


class PermissionDenied(Exception):
    """The credential is valid but its role may not do this."""


class InvalidInput(ValueError):
    """Bad input in a named field."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


class NotFound(LookupError):
    """The named user or key does not exist in the caller's organization."""


class AlreadyExists(Exception):
    """The id or login is taken."""
