"""Celery tasks of the outbox: take ids, claim the rows, safe to run twice."""

import time

from celery import shared_task
from django.conf import settings
from django.core.mail import get_connection

from . import services

# One SMTP connection per worker process, kept open between messages (reopened after an error,
# and after IDLE_SECONDS without use, before the server drops it under us).
IDLE_SECONDS = 30
_connection = None
_connection_for: tuple = ()
_used_at = 0.0


@shared_task(acks_late=True)
def send_message(message_id: int) -> bool:
    """Send one message if this task is the one that claims it."""
    return services.send_message(message_id, _smtp())


@shared_task(acks_late=True)
def send_messages(message_ids: list[int]) -> int:
    """Send a batch over the worker's SMTP connection. The batch is claimed in one UPDATE
    that takes only rows still pending, so a batch run twice, or overlapping another,
    sends each message once."""
    return services.send_messages(message_ids, _smtp())


def _smtp():
    """The worker process's SMTP connection, kept between tasks (services reopen it after a
    failure); a new one when the mail settings changed."""
    global _connection, _connection_for, _used_at
    wanted = (settings.EMAIL_BACKEND, getattr(settings, "EMAIL_HOST", ""), settings.EMAIL_PORT)
    now = time.monotonic()
    if _connection is not None and (_connection_for != wanted or now - _used_at > IDLE_SECONDS):
        _connection.close()
        _connection = None
    if _connection is None:
        _connection, _connection_for = get_connection(), wanted
    _used_at = now
    return _connection


@shared_task
def dispatch_due() -> int:
    """Beat runs this every VCC_OUTBOX_SCAN_SECONDS: queue what is due."""
    return services.dispatch_due()
