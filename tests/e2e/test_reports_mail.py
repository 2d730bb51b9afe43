"""Report delivery: stored through the object store, mailed to a real SMTP server process (aiosmtpd)
with the PDF and CSV attached, retried, and kept in the outbox when the server is down or refuses."""

from __future__ import annotations

import datetime
import email
import mailbox
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.adapters.mail.outbox import OutboxMailer
from server.adapters.mail.smtp import SmtpMailer
from server.adapters.objects.local import LocalObjects
from server.reports.delivery import MailConfig, deliver_day
from tests.unit.reports.fakes import stores_of
from tests.unit.reports.recorded import DATE, ORG, at, recorded_day

ROOT = Path(__file__).resolve().parents[2]
NOW = at(6, day=DATE + datetime.timedelta(days=1))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_smtp(tmp: Path, handler: str, *args: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", handler, *args],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the SMTP server did not start")


@pytest.fixture
def smtp_maildir(tmp_path) -> Iterator[tuple[int, Path]]:
    box = tmp_path / "maildir"
    proc, port = start_smtp(tmp_path, "aiosmtpd.handlers.Mailbox", str(box))
    yield port, box
    proc.terminate()
    proc.wait(10)


def config(url: str, outbox: Path, recipients=None, slept=None) -> MailConfig:
    return MailConfig(SmtpMailer(url, timeout=5), OutboxMailer(outbox), "hakobu@example.jp",
                      recipients if recipients is not None else {"BR-NRM": ["nerima@example.jp"],
                                                                 "*": ["hq@example.jp"]},
                      attempts=3, backoff=0.5, sleep=(slept.append if slept is not None else lambda s: None))


def test_reports_are_stored_and_mailed_with_attachments(smtp_maildir, tmp_path):
    port, box = smtp_maildir
    objects = LocalObjects(tmp_path / "objects")
    mail = config(f"smtp://127.0.0.1:{port}", tmp_path / "outbox")
    out = deliver_day(stores_of(recorded_day()), objects, mail, ORG, DATE, NOW)
    assert [(d.branch_id, d.outcome, d.mailed) for d in out] == [
        ("BR-NRM", "delivered", f"smtp://127.0.0.1:{port}")]
    keys = [f"reports/{ORG}/BR-NRM/2026/12/01/daily-BR-NRM-2026-12-01.{x}" for x in ("pdf", "csv")]
    assert list(out[0].stored) == [(tmp_path / "objects" / k).as_uri() for k in keys]
    assert objects.get(keys[0]).startswith(b"%PDF")
    (msg,) = list(mailbox.Maildir(box, factory=None))
    msg = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert msg["To"] == "nerima@example.jp, hq@example.jp"
    assert "日次報告 練馬営業所 2026-12-01" in msg["Subject"]
    parts = {p.get_filename(): p.get_content() for p in msg.iter_attachments()}
    assert set(parts) == {"daily-BR-NRM-2026-12-01.pdf", "daily-BR-NRM-2026-12-01.csv"}
    assert parts["daily-BR-NRM-2026-12-01.pdf"] == objects.get(keys[0])
    assert not (tmp_path / "outbox").exists()


def test_a_server_that_is_down_is_retried_then_the_mail_goes_to_the_outbox(tmp_path):
    slept: list[float] = []
    port = free_port()  # nothing listens there
    objects = LocalObjects(tmp_path / "objects")
    out = deliver_day(stores_of(recorded_day()), objects,
                      config(f"smtp://127.0.0.1:{port}", tmp_path / "outbox", slept=slept), ORG, DATE, NOW)
    assert out[0].outcome == "outbox" and slept == [0.5, 1.0]
    (eml,) = (tmp_path / "outbox").glob("*.eml")
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert {p.get_filename() for p in msg.iter_attachments()} == {
        "daily-BR-NRM-2026-12-01.pdf", "daily-BR-NRM-2026-12-01.csv"}
    assert len(out[0].stored) == 2  # the reports are kept whatever happens to the mail


def test_a_server_that_refuses_the_recipients(tmp_path):
    proc, port = start_smtp(tmp_path, "tests.e2e.smtp_handlers.RefuseEveryone")
    try:
        out = deliver_day(stores_of(recorded_day()), LocalObjects(tmp_path / "objects"),
                          config(f"smtp://127.0.0.1:{port}", tmp_path / "outbox"), ORG, DATE, NOW)
    finally:
        proc.terminate()
        proc.wait(10)
    assert out[0].outcome == "outbox" and "550" in out[0].mailed
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1


def test_the_embedded_default_writes_the_mail_to_the_outbox(tmp_path):
    outbox = OutboxMailer(tmp_path / "outbox")
    mail = MailConfig(outbox, outbox, "hakobu@localhost", {"BR-NRM": ["a@example.jp"]})
    out = deliver_day(stores_of(recorded_day()), LocalObjects(tmp_path / "objects"), mail, ORG, DATE, NOW)
    assert out[0].outcome == "delivered" and out[0].mailed.endswith(".eml")
    assert not list((tmp_path / "outbox").glob(".mail-*"))  # nothing half-written


def test_no_recipients_no_plan_and_a_read_only_store(tmp_path):
    stores = stores_of(recorded_day())
    objects = LocalObjects(tmp_path / "objects")
    out = deliver_day(stores, objects, None, ORG, DATE, NOW)
    assert [(d.outcome, len(d.stored)) for d in out] == [("stored", 2)]
    before = deliver_day(stores, objects, None, ORG, DATE, NOW, branches=["BR-NRM"])
    assert before[0].outcome == "stored"
    earlier = DATE - datetime.timedelta(days=3)
    none = deliver_day(stores, objects, None, ORG, earlier, NOW, branches=["BR-NRM"])
    assert none[0].outcome == "skipped" and "配送計画がありません" in none[0].message
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")  # even root cannot make folders under a file
    failed = deliver_day(stores, LocalObjects(blocked / "objects"), None, ORG, DATE, NOW)
    assert failed[0].outcome == "failed" and "cannot store" in failed[0].message
