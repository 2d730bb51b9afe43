"""The reports domain's errors; the gRPC edge and the CLI map each to a status or a message."""

from __future__ import annotations

from server.plans.errors import InvalidArgumentError, NotFoundError, RepositoryError


class UnknownBranchError(NotFoundError):
    def __init__(self, branch_id: str) -> None:
        super().__init__(f"営業所 {branch_id} はありません / no branch {branch_id}")


class UnknownDriverError(NotFoundError):
    def __init__(self, driver_id: str) -> None:
        super().__init__(
            f"運転者 {driver_id} はこの組織にいません / no driver {driver_id} in this organization"
        )


class NoPlanError(NotFoundError):
    def __init__(self, branch_id: str, date: object) -> None:
        super().__init__(f"{date} の {branch_id} の配送計画がありません / no plan for {branch_id} on {date}")


class NoActualsError(RepositoryError):
    """The day has a plan but no position and no stop event yet: nothing to report as actual."""

    def __init__(self, branch_id: str, date: object) -> None:
        super().__init__(
            f"{date} の {branch_id} には実績データ(位置情報・到着記録)がまだありません / no tracking data "
            f"(positions or stop events) for {branch_id} on {date} yet"
        )


class FutureDateError(InvalidArgumentError):
    def __init__(self, date: object) -> None:
        super().__init__(f"{date} はまだ来ていない日です / {date} is in the future")


class DeliveryError(RepositoryError):
    """Storing or mailing a report failed (after its retries); the report itself is kept."""
