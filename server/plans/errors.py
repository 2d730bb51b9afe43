"""The errors of the plans domain and its stores; the gRPC edge maps each to a status code."""

from __future__ import annotations


class RepositoryError(Exception):
    """Base of the storage and domain errors the service layer maps to gRPC status codes."""


class NotFoundError(RepositoryError):
    """No such row in the caller's organization."""


class StaleEtagError(RepositoryError):
    """The row changed since the caller read it (etag mismatch); nothing was written."""


class AlreadyExistsError(RepositoryError):
    """A row with this id or unique key already exists."""


class InvalidReferenceError(RepositoryError):
    """A referenced row (branch, customer, …) does not exist in the caller's organization."""


class InUseError(RepositoryError):
    """The row is still referenced by other rows and cannot be deleted."""


class InvalidArgumentError(RepositoryError, ValueError):
    """Bad field, filter, page token or value."""


class UnknownUserError(InvalidArgumentError):
    """The caller's user id (``x-hakobu-user``) is not a user of the organization; nothing was done."""

    def __init__(self, organization: str, user: str) -> None:
        self.organization = organization
        self.user = user
        super().__init__(
            f"利用者 {user!r} は組織 {organization} に登録されていません / user {user!r} (x-hakobu-user) is "
            f"not a user of organization {organization}"
        )


class InvalidDayError(InvalidArgumentError):
    """The stored data of a day cannot be planned; ``violations`` name the stored rows
    (``orders/O-123.time_windows``), not the optimizer's indices."""

    def __init__(self, violations: list[tuple[str, str]]) -> None:
        self.violations = violations
        super().__init__(
            "計画できないデータがあります / the day's data cannot be planned: "
            + "; ".join(f"{f}: {d}" for f, d in violations)
        )


class PlanLockedError(RepositoryError):
    """The day's plan is PUBLISHED (or already running) and may not be replaced."""


class PlanStateError(RepositoryError):
    """The plan's status forbids the change (e.g. editing a DONE plan)."""
