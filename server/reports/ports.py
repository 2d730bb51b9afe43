"""What the reports use cases need from the outside, as Protocols (plus the plans and tracking ports)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from server.plans.ports import MasterData, PlanRepository
from server.tracking.ports import ObjectStore, PositionHistory, StopEvents


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Mail:
    sender: str
    recipients: tuple[str, ...]
    subject: str
    body: str
    attachments: tuple[Attachment, ...] = ()


class Mailer(Protocol):
    """Sends a mail (SMTP), or keeps it (the outbox folder of the embedded default)."""

    def send(self, mail: Mail) -> str:
        """Deliver; where it went (``smtp://host:port`` or the outbox file). Raises ``OSError`` (or
        ``smtplib.SMTPException``) when it could not."""


class Recipients(Protocol):
    """Who gets a branch's reports."""

    def for_branch(self, org: str, branch_id: str) -> Sequence[str]: ...


@dataclass(frozen=True)
class ReportStores:
    """The ports the report use cases read."""

    master: MasterData
    plans: PlanRepository
    positions: PositionHistory
    events: StopEvents


__all__ = ["Attachment", "Mail", "Mailer", "ObjectStore", "Recipients", "ReportStores"]
