"""``Mailer`` over SMTP (``smtp://[user:password@]host:port[?starttls=1]`` or ``smtps://…``)."""

from __future__ import annotations

import smtplib
import ssl
from urllib.parse import parse_qs, unquote, urlsplit

from server.adapters.mail.message import mime
from server.reports.ports import Mail


class SmtpMailer:
    def __init__(self, url: str, timeout: float = 30.0) -> None:
        u = urlsplit(url)
        if u.scheme not in ("smtp", "smtps") or not u.hostname:
            raise ValueError(f"SMTP の URL が不正です / not an smtp:// or smtps:// URL: {url!r}")
        self.tls = u.scheme == "smtps"
        self.host = u.hostname
        self.port = u.port or (465 if self.tls else 25)
        self.user = unquote(u.username) if u.username else None
        self.password = unquote(u.password) if u.password else None
        self.starttls = parse_qs(u.query).get("starttls", ["0"])[0] in ("1", "true", "yes")
        self.timeout = timeout

    @property
    def where(self) -> str:
        return f"{'smtps' if self.tls else 'smtp'}://{self.host}:{self.port}"

    def send(self, mail: Mail) -> str:
        """Deliver ``mail``; raises ``OSError`` or ``smtplib.SMTPException`` when it could not."""
        msg = mime(mail)
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self.tls:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if self.starttls:
                smtp.starttls(context=context)
            if self.user:
                smtp.login(self.user, self.password or "")
            refused = smtp.send_message(msg, from_addr=mail.sender, to_addrs=list(mail.recipients))
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)
        return self.where
