"""Server errors emailed to ADMINS through the outbox (settings.LOGGING's "mail_admins").

Django's own AdminEmailHandler talks SMTP in the failing request; this one writes an outbox
Message instead, so the report is retried like every other email and shows on the outbox page.
It writes in a transaction of its own, on a connection of its own (a short-lived thread), so a
request whose transaction is rolled back still reports; one email per administrator per
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
import traceback

_reporting = threading.local()

SUBJECT_PREFIX = "[vcc] "
WAIT_SECONDS = 10.0


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
        failures: list[BaseException] = []
        worker = threading.Thread(
            target=_schedule_in_own_transaction,
            args=(report, failures),
            name="vcc-error-mail",
            daemon=True,
        )
        worker.start()
        worker.join(WAIT_SECONDS)
        if failures:
            print_failure(failures[0])


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


def _schedule_in_own_transaction(report: dict, failures: list[BaseException]) -> None:
    from django.db import connections

    _reporting.active = True
    try:
        schedule_report(**report)
    except BaseException as error:  # reported by the handler's handleError
        failures.append(error)
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
