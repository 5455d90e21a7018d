"""Celery tasks of the outbox: take ids, claim the row, safe to run twice."""

from celery import shared_task
from django.conf import settings
from django.core.mail import get_connection

from . import services

# One SMTP connection per worker process, kept open between messages (reopened after an error).
_connection = None
_connection_for: tuple = ()


@shared_task(acks_late=True)
def send_message(message_id: int) -> bool:
    """Send one message if this task is the one that claims it."""
    return _send(message_id)


@shared_task(acks_late=True)
def send_messages(message_ids: list[int]) -> int:
    """Send a batch; each message is still claimed on its own, so a batch run twice, or
    overlapping another, sends each message once."""
    return sum(_send(pk) for pk in message_ids)


def _send(message_id: int) -> bool:
    global _connection, _connection_for
    wanted = (settings.EMAIL_BACKEND, getattr(settings, "EMAIL_HOST", ""), settings.EMAIL_PORT)
    if _connection is not None and _connection_for != wanted:
        _connection.close()
        _connection = None
    if _connection is None:
        _connection, _connection_for = get_connection(), wanted
        _connection.open()  # opened here, send() leaves it open
    sent = False
    try:
        sent = services.send_message(message_id, _connection)
    finally:
        if not sent:
            # Not delivered (or not ours): the next message starts on a fresh connection.
            _connection.close()
            _connection = None
    return sent


@shared_task
def dispatch_due() -> int:
    """Beat runs this every VCC_OUTBOX_SCAN_SECONDS: queue what is due."""
    return services.dispatch_due()


@shared_task
def schedule_periodic_followups() -> int:
    """Beat runs this hourly: action-item, commitment and digest messages for what came due."""
    from convenings.followups import schedule_periodic

    return schedule_periodic()
