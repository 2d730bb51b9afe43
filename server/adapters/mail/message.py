"""A report mail (``server.reports.ports.Mail``) as a MIME message, with its attachments."""

from __future__ import annotations

import email.utils
from email.message import EmailMessage

from server.reports.ports import Mail


def mime(mail: Mail, domain: str = "hakobu.local") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = mail.sender
    msg["To"] = ", ".join(mail.recipients)
    msg["Subject"] = mail.subject
    msg["Date"] = email.utils.formatdate(localtime=True)
    msg["Message-ID"] = email.utils.make_msgid(domain=domain)
    msg.set_content(mail.body)
    for a in mail.attachments:
        main, _, sub = a.content_type.partition(";")[0].strip().partition("/")
        msg.add_attachment(a.data, maintype=main or "application", subtype=sub or "octet-stream",
                           filename=a.filename)
    return msg
