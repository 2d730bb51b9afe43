"""aiosmtpd handlers for the report mail tests (run in the SMTP server process the tests start)."""

from __future__ import annotations


class RefuseEveryone:
    """Refuses every recipient (550), as a server that does not relay for us would."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 5.7.1 relaying denied"
