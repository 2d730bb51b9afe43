"""Delivering a day's reports (the seed's 06:00 job for yesterday): for each branch with a plan that day,
make the daily report (PDF with the 運転日報, and CSV), store both through the object store, then mail
them to the branch's addresses. Storing comes first, so a failure to mail never loses a report; a mail
is retried, and after the last failure it is written to the outbox folder to be sent by hand."""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from server.plans.errors import RepositoryError
from server.reports.errors import NoActualsError, NoPlanError
from server.reports.files import ReportFile, daily_file
from server.reports.ports import Attachment, Mail, Mailer, ObjectStore, ReportStores
from server.reports.usecases import ReportRules, daily_report

log = logging.getLogger("hakobu.reports")


@dataclass(frozen=True)
class Delivery:
    """Where the reports of one branch and day went."""

    branch_id: str
    date: datetime.date
    outcome: str  # delivered, stored (no recipients), outbox (mail failed), skipped, failed
    stored: tuple[str, ...] = ()
    mailed: str = ""
    message: str = ""

    def line(self) -> str:
        where = f" → {self.mailed}" if self.mailed else ""
        return f"{self.branch_id} {self.date}: {self.outcome}{where} {self.message}".rstrip()


@dataclass(frozen=True)
class MailConfig:
    mailer: Mailer
    #: Where a mail goes after its last failed attempt (and every mail when there is no SMTP).
    outbox: Mailer
    sender: str
    #: branch id (or ``*`` for every branch) -> addresses.
    recipients: Mapping[str, Sequence[str]]
    attempts: int = 3
    backoff: float = 2.0
    sleep: Callable[[float], None] = time.sleep


def recipients_of(config: MailConfig, branch_id: str) -> tuple[str, ...]:
    found = [*config.recipients.get(branch_id, ()), *config.recipients.get("*", ())]
    return tuple(dict.fromkeys(found))


def object_key(org: str, f: ReportFile, branch_id: str, date: datetime.date) -> str:
    return f"reports/{org}/{branch_id}/{date:%Y/%m/%d}/{f.filename}"


def send_with_retries(config: MailConfig, mail: Mail) -> tuple[str, str]:
    """(outcome, where): ``delivered`` by the mailer, or ``outbox`` after ``attempts`` failures."""
    delay = config.backoff
    last: Exception | None = None
    for attempt in range(1, config.attempts + 1):
        try:
            return "delivered", config.mailer.send(mail)
        except (OSError, Exception) as exc:  # smtplib.SMTPException and socket errors alike
            last = exc
            log.warning("report mail failed", extra={"attempt": attempt, "error": str(exc),
                                                     "subject": mail.subject})
            if attempt < config.attempts:
                config.sleep(delay)
                delay *= 2
    return "outbox", config.outbox.send(mail) + f" (送信失敗 / not sent: {last})"


def deliver_day(
    stores: ReportStores,
    objects: ObjectStore,
    mail: MailConfig | None,
    org: str,
    date: datetime.date,
    now: datetime.datetime,
    rules: ReportRules | None = None,
    branches: Sequence[str] | None = None,
) -> list[Delivery]:
    """Each branch's reports of ``date`` (default: every branch with orders that day)."""
    out = []
    for branch_id in branches if branches is not None else stores.master.branches_with_orders(org, date):
        out.append(_deliver_branch(stores, objects, mail, org, branch_id, date, now, rules or ReportRules()))
        log.info(out[-1].line(), extra={"organization": org, "branch": branch_id, "date": date.isoformat(),
                                        "outcome": out[-1].outcome})
    return out


def _deliver_branch(
    stores: ReportStores, objects: ObjectStore, mail: MailConfig | None, org: str, branch_id: str,
    date: datetime.date, now: datetime.datetime, rules: ReportRules,
) -> Delivery:
    try:
        report = daily_report(stores, org, branch_id, date, now, rules)
    except (NoPlanError, NoActualsError) as exc:
        return Delivery(branch_id, date, "skipped", message=str(exc))
    except RepositoryError as exc:
        return Delivery(branch_id, date, "failed", message=str(exc))
    files = [daily_file(report, "pdf"), daily_file(report, "csv")]
    try:
        stored = tuple(
            objects.put(object_key(org, f, branch_id, date), f.data, f.content_type) for f in files
        )
    except OSError as exc:
        why = f"保存できません / cannot store the reports: {exc}"
        return Delivery(branch_id, date, "failed", message=why)
    to = recipients_of(mail, branch_id) if mail is not None else ()
    if mail is None or not to:
        return Delivery(branch_id, date, "stored", stored)
    state = "途中経過 " if report.provisional else ""
    body = (
        f"{report.branch_name} の {date} の日次報告と運転日報です。{state}\n"
        f"Daily report and driving diaries of {report.branch_name} for {date}.\n\n"
        + "\n".join(f"- {f.filename} ({uri})" for f, uri in zip(files, stored, strict=True))
    )
    message = Mail(mail.sender, to, f"[Hakobu] {state}日次報告 {report.branch_name} {date}", body,
                   tuple(Attachment(f.filename, f.content_type, f.data) for f in files))
    try:
        outcome, where = send_with_retries(mail, message)
    except OSError as exc:
        return Delivery(branch_id, date, "failed", stored,
                        message=f"送信も退避もできません / neither sent nor kept in the outbox: {exc}")
    return Delivery(branch_id, date, outcome, stored, where)
