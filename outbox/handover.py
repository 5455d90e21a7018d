"""How the outbox never sends a message twice: the hand-over, at the level of the sockets.

In plain words. A mail server takes responsibility for a message when it receives the final
"." of the SMTP DATA command; its reply comes after. A sender killed between the two cannot
know whether the message arrived (RFC 1047): sent again, it may arrive twice; not sent again,
it may be lost. The outbox chooses never to send it twice. Together with the final "." it
writes on the message's row that the message was handed over, and a row so marked is never
sent again by itself: if the sender then dies, the outbox page shows the message as
"unconfirmed", and a coordinator may send it again.

The mark and the "." must leave together, so this module does two things at the socket level:

1. **SMTP** (`EmailBackend`, Django's SMTP backend with smtplib's DATA split in two): the
   message's content is written, then `on_handover` is called, then the "." goes in a write
   of its own.
2. **PostgreSQL** (`send_statement`): `on_handover` writes the mark's UPDATE to PostgreSQL's
   socket *corked* (Linux's TCP_CORK: held by the kernel, so PostgreSQL is not woken to take
   the CPU meanwhile) and returns a function that uncorks it and waits for the reply, called
   once the "." is written.

A sender killed between those two writes (microseconds apart) loses the message, which is
then still shown as unconfirmed, not as sent; killed after them, both arrive (the kernel
delivers what was written, corked or not, when it closes a dead process's sockets, and
PostgreSQL commits a statement it received). Waiting for PostgreSQL's reply before writing
the "." would widen that window to a round trip. On SQLite (and for the file and memory mail
backends) none of this applies: the statement simply runs, and nothing of psycopg is imported.
"""

from __future__ import annotations

import os
import re
import select
import smtplib
import socket
from collections.abc import Callable

from django.core.mail.backends.smtp import EmailBackend as SmtpEmailBackend
from django.db import DatabaseError, connection

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


# --- the mark, on PostgreSQL's socket ----------------------------------------------------------

# set_config(..., true) is transaction-local; in autocommit the transaction is the statement.
_NO_FLUSH_WAIT = "FROM (SELECT set_config('synchronous_commit', 'off', true)) AS no_flush_wait"


def send_statement(sql: str, params: list) -> Callable[[], int]:
    """Send one statement of the send (autocommit, see write_statement) and return a function that
    waits for it and says how many rows it changed. On PostgreSQL the statement is on its
    way when this returns, and the caller may write elsewhere before waiting; elsewhere it
    has run already."""
    if connection.vendor != "postgresql":
        changed = write_statement(sql, params)
        return lambda: changed
    connection.ensure_connection()
    from psycopg import pq  # PostgreSQL only: nothing of psycopg is imported on SQLite

    pgconn = connection.connection.pgconn
    no_wait = _NO_FLUSH_WAIT if not connection.in_atomic_block else ""
    query = sql.format(no_flush_wait=no_wait)
    for i in range(len(params)):
        query = query.replace("%s", f"${i + 1}", 1)  # libpq's placeholders
    corked = _cork(pgconn.socket)

    def uncork() -> None:
        if corked is not None:
            corked.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)  # goes now
            corked.close()  # a duplicate descriptor: the connection stays open

    try:
        pgconn.send_query_params(query.encode(), [str(p).encode() for p in params])
        while pgconn.flush():  # what the socket did not take yet (rare: the query is short)
            select.select([], [pgconn.socket], [])
    except BaseException:
        uncork()
        raise

    def wait() -> int:
        uncork()
        result = None
        while True:
            while pgconn.is_busy():
                select.select([pgconn.socket], [], [])
                pgconn.consume_input()
            last = pgconn.get_result()
            if last is None:
                break
            result = last
        if result is None or result.status != pq.ExecStatus.COMMAND_OK:
            message = result.error_message.decode() if result is not None else "no result"
            raise DatabaseError(message)
        return result.command_tuples or 0

    return wait


def _cork(fd: int) -> socket.socket | None:
    """Hold what is written to this TCP socket in the kernel until uncorked (Linux's
    TCP_CORK), so that sending the hand-over mark does not wake PostgreSQL, which on a busy
    machine can take the CPU from the sender before it writes the "." (a kill there loses
    the message). Held data still goes out if the sender dies: the kernel sends it when it
    closes the socket. None for other sockets (a Unix socket) or systems."""
    if not hasattr(socket, "TCP_CORK"):
        return None
    sock = socket.socket(fileno=os.dup(fd))
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        sock.close()
        return None
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
    return sock


def write_statement(sql: str, params: list) -> int:
    """One statement of the send, in autocommit; how many rows it changed.

    On PostgreSQL, outside a transaction, its commit does not wait for the WAL flush
    (synchronous_commit off for this statement only): the marks are two of the three
    statements of each message, and a flush can take a millisecond or more. A killed
    worker loses nothing by it: PostgreSQL commits a statement it received even if the
    worker dies while waiting for the reply. If PostgreSQL itself crashes, the last few
    hundred milliseconds of marks can be lost; a lost hand-over mark sends that message
    again, with the same Message-ID. A crash of the database, unlike a killed worker, is
    rare enough for that."""
    no_wait = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute(sql.format(no_flush_wait=_NO_FLUSH_WAIT if no_wait else ""), params)
        return cursor.rowcount
