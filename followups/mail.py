"""SMTP that tells the outbox the moment a message is handed over.

A mail server takes responsibility for a message when it receives the final "." of DATA;
its reply comes after. A sender killed between the two cannot know whether the message
arrived (RFC 1047): sent again, it may arrive twice; not sent again, it may be lost. The
outbox chooses never to send it twice: just before the final "." it records on the row
that the message is being handed over (`on_handover`), and a row so marked is never sent
again automatically. If the sender then dies, the row is shown as "unconfirmed" on the
outbox page, where a coordinator can send it again.

Only the moment between that record and the "." leaving the socket (a few microseconds)
can lose a message, and then it is still shown as unconfirmed, not as sent.
"""

from __future__ import annotations

import re
import smtplib
import socket
from collections.abc import Callable

from django.core.mail.backends.smtp import EmailBackend as SmtpEmailBackend

_LEADING_DOT = re.compile(rb"(?m)^\.")


class _HandoverData:
    """smtplib's DATA with a call between the content and the final ".". Without a
    callback it is smtplib's own."""

    on_handover: Callable[[], None] | None = None

    def data(self, msg):
        if self.on_handover is None:
            return super().data(msg)
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        if isinstance(msg, str):
            msg = smtplib._fix_eols(msg).encode("ascii")
        content = _LEADING_DOT.sub(b"..", msg)
        if not content.endswith(b"\r\n"):
            content += b"\r\n"
        # The "." goes in a write of its own, right after the content's: without NODELAY,
        # Nagle's algorithm holds it until the server acknowledges the content, and the
        # server delays that acknowledgement (up to 40 ms on Linux) for every message.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.send(content)
        try:
            self.on_handover()
        except BaseException:
            # Without the final "." the server discards what it got; drop the connection,
            # which is mid-DATA and of no further use.
            self.close()
            raise
        self.send(b".\r\n")
        return self.getreply()


class HandoverSMTP(_HandoverData, smtplib.SMTP):
    pass


class HandoverSMTP_SSL(_HandoverData, smtplib.SMTP_SSL):  # noqa: N801 (smtplib's name)
    pass


class EmailBackend(SmtpEmailBackend):
    """Django's SMTP backend; while `on_handover` is set, each message calls it just before
    the final "." of its DATA."""

    on_handover: Callable[[], None] | None = None

    @property
    def connection_class(self):
        return HandoverSMTP_SSL if self.use_ssl else HandoverSMTP

    def _send(self, email_message):
        if self.connection is not None:
            self.connection.on_handover = self.on_handover
        return super()._send(email_message)
