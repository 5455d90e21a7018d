"""Celery tasks of the periodic follow-ups: take no state, idempotent (beat runs them)."""

from celery import shared_task

from . import periodic


@shared_task
def schedule_periodic_followups() -> int:
    """Beat runs this hourly: commitment reminders and the Monday digest for what came due."""
    return periodic.schedule_periodic()
