"""Server errors emailed to ADMINS through the outbox (settings.LOGGING's "mail_admins").

Django's own AdminEmailHandler talks SMTP in the failing request; this one writes an outbox
Message instead, so the report is retried like every other email and shows on the outbox page.
It writes in a transaction of its own, on a connection of its own (a short-lived thread), so a
request whose transaction is rolled back still reports (on SQLite, which has one writer, the
report waits for that rollback to free the database); one email per administrator per
distinct error an hour (the outbox's idempotency key), so an error storm is not a mail storm.
It never raises: a failure to report is printed to stderr.

The email carries the error, its traceback, the method, the URL pattern, the request id and
the user's id; not the request's cookies, headers or body (no personal data, no session ids).
"""

from __future__ import annotations

import hashlib
import logging
import sys
import threading
import time
import traceback

_reporting = threading.local()

SUBJECT_PREFIX = "[vcc] "
WAIT_SECONDS = 10.0
LOCKED_RETRY_SECONDS = 30.0


class ServerErrorEmailHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        if getattr(_reporting, "active", False):  # an error while reporting one
            return
        try:
            from django.conf import settings

            if not settings.ADMINS:
                return
            report = build_report(record)
        except Exception as error:
            print_failure(error)
            return
        worker = threading.Thread(
            target=_schedule_in_own_transaction, args=(report,), name="vcc-error-mail"
        )
        worker.daemon = True
        worker.start()
        if not sqlite_writer_busy():
            worker.join(WAIT_SECONDS)


def sqlite_writer_busy() -> bool:
    """SQLite has one writer: while this thread's transaction is open, the report's own
    transaction can only follow it (the worker retries until this one has rolled back)."""
    from django.db import connection

    return connection.vendor == "sqlite" and connection.in_atomic_block


def print_failure(error: BaseException) -> None:
    """What stopped a report, on stderr (where the process's supervisor keeps it)."""
    try:
        sys.stderr.write("--- The server error could not be queued for ADMINS ---\n")
        traceback.print_exception(error, file=sys.stderr)
    except Exception:  # stderr closed: nothing more to do
        pass


def build_report(record: logging.LogRecord) -> dict:
    from vcc.logs import route_of

    request = getattr(record, "request", None)
    lines = [record.getMessage(), ""]
    if request is not None:
        lines += [
            f"Request: {request.method} {route_of(request)}",
            f"Request id: {getattr(request, 'request_id', '-')}",
        ]
    lines += [
        f"User id: {getattr(record, 'user_id', None) or '-'}",
        f"Logger: {record.name} ({record.levelname})",
        f"Where: {record.pathname}:{record.lineno}",
    ]
    where = f"{record.name}:{record.pathname}:{record.lineno}"
    if record.exc_info and record.exc_info[0] is not None:
        error_type, error, _ = record.exc_info
        lines += ["", "".join(traceback.format_exception(*record.exc_info))]
        frames = traceback.extract_tb(record.exc_info[2])
        last = frames[-1] if frames else None
        where = f"{error_type.__qualname__}:{last.filename}:{last.lineno}" if last else where
        subject = f"{record.levelname}: {error_type.__name__}: {error}"
    else:
        subject = f"{record.levelname}: {record.getMessage()}"
    subject = SUBJECT_PREFIX + " ".join(subject.split())[:200]
    return {"subject": subject, "text": "\n".join(lines), "signature": where}


def _schedule_in_own_transaction(report: dict) -> None:
    from django.db import OperationalError, connections

    _reporting.active = True
    deadline = time.monotonic() + LOCKED_RETRY_SECONDS
    try:
        while True:
            try:
                schedule_report(**report)
                return
            except OperationalError as error:
                # SQLite: the failing request's write transaction still holds the database.
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                connections.close_all()
                time.sleep(0.1)
    except BaseException as error:
        print_failure(error)
    finally:
        connections.close_all()  # this thread's own connections


def schedule_report(*, subject: str, text: str, signature: str) -> int:
    """One outbox message per administrator; the number scheduled (0 when already reported
    this hour)."""
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from .models import Kind
    from .services import schedule

    now = timezone.now()
    digest = hashlib.sha256(signature.encode()).hexdigest()[:16]
    created = 0
    with transaction.atomic():
        for _name, address in settings.ADMINS:
            message = schedule(
                key=f"server-error:{address.lower()}:{digest}:{now:%Y%m%d%H}",
                kind=Kind.OTHER,
                subject=subject,
                template="outbox/email/plain",
                context={"text": text},
                due_at=now,
                address=address,
            )
            created += bool(message is not None and message.just_created)
    return created
