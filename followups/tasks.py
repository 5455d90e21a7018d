"""Celery tasks of the outbox: take ids, claim the row, safe to run twice."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def send_message(message_id: int) -> bool:
    """Send one message if this task is the one that claims it."""
    return services.send_message(message_id)


@shared_task
def dispatch_due() -> int:
    """Beat runs this every VCC_OUTBOX_SCAN_SECONDS: queue what is due."""
    return services.dispatch_due()


@shared_task
def schedule_periodic_followups() -> int:
    """Beat runs this hourly: action-item, commitment and digest messages for what came due."""
    from convenings.followups import schedule_periodic

    return schedule_periodic()
