"""``Mailer`` that keeps each mail as an ``.eml`` file in a folder (written whole, then renamed)."""

from __future__ import annotations

import datetime
import uuid
from pathlib import Path

from server.adapters.mail.message import mime
from server.platform.files import write_atomically
from server.reports.ports import Mail


class OutboxMailer:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def send(self, mail: Mail) -> str:
        """Write the mail to ``<folder>/<time>-<id>.eml``; the file's path. ``OSError`` when the folder
        cannot take it (nothing half-written is left)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S")
        path = self.folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        write_atomically(path, mime(mail).as_bytes(), prefix=".mail-")
        return str(path)
