"""SMTP that tells the outbox the moment a message is handed over.

A mail server takes responsibility for a message when it receives the final "." of DATA;
its reply comes after. A sender killed between the two cannot know whether the message
arrived (RFC 1047): sent again, it may arrive twice; not sent again, it may be lost. The
outbox chooses never to send it twice: together with the final "." it records on the row
that the message was handed over (`on_handover`), and a row so marked is never sent again
automatically. If the sender then dies, the row is shown as "unconfirmed" on the outbox
page, where a coordinator can send it again.

The record and the "." must leave together: `on_handover` writes the record to
PostgreSQL's socket, corked (held by the kernel, so PostgreSQL is not woken to take the CPU
meanwhile), and returns a function that uncorks it and waits for the reply, which is called
once the "." is written. A sender killed between the two writes (microseconds) loses the
message, which is then still shown as unconfirmed, not as sent; killed after them, both
arrive (the kernel delivers what was written, corked or not, when it closes a dead
process's sockets, and PostgreSQL commits a statement it received). Waiting for
PostgreSQL's reply before writing the "." would widen that window to a round trip.
"""

from __future__ import annotations

import re
import smtplib
import socket
from collections.abc import Callable

from django.core.mail.backends.smtp import EmailBackend as SmtpEmailBackend

_LEADING_DOT = re.compile(rb"(?m)^\.")


class _HandoverData:
    """smtplib's DATA with a call between the content and the final "." (whose result, a
    function, is called once the "." is written). Without a callback it is smtplib's own."""

    on_handover: Callable[[], Callable[[], object]] | None = None

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
            settle = self.on_handover()
        except BaseException:
            # Without the final "." the server discards what it got; drop the connection,
            # which is mid-DATA and of no further use.
            self.close()
            raise
        try:
            self.send(b".\r\n")
        finally:
            settle()  # also if the "." could not be written: the mark's reply is read
        return self.getreply()


class HandoverSMTP(_HandoverData, smtplib.SMTP):
    pass


class HandoverSMTP_SSL(_HandoverData, smtplib.SMTP_SSL):  # noqa: N801 (smtplib's name)
    pass


class EmailBackend(SmtpEmailBackend):
    """Django's SMTP backend; while `on_handover` is set, each message calls it just before
    the final "." of its DATA (see _HandoverData)."""

    on_handover: Callable[[], Callable[[], object]] | None = None

    @property
    def connection_class(self):
        return HandoverSMTP_SSL if self.use_ssl else HandoverSMTP

    def _send(self, email_message):
        if self.connection is not None:
            self.connection.on_handover = self.on_handover
        return super()._send(email_message)
