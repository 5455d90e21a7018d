from __future__ import annotations

import contextlib
import logging

from celery import shared_task
from django.db import connection

from . import mailbox, services

log = logging.getLogger(__name__)

# One poll reads at most this many messages; the next minute's poll goes on.
POLL_LIMIT = 2000
LOCK_KEY = 0x7663_6361  # "vcca": this poller's PostgreSQL advisory lock


@contextlib.contextmanager
def _single_poller():
    """On PostgreSQL, one poll at a time (a slow poll and the next minute's would only read
    the same messages twice, harmlessly); the lock goes with the connection if we die."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        got = cursor.fetchone()[0]
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


@shared_task
def poll_mailbox() -> int:
    """Capture what is new in the mailbox (VCC_CAPTURE_IMAP_URL); nothing when it is unset."""
    config = mailbox.configured()
    if config is None:
        return 0
    with _single_poller() as mine:
        if not mine:
            return 0
        result = services.poll_mailbox(config, limit=POLL_LIMIT)
    if result.seen:
        log.info("capture: %s new, %s already captured", result.captured, result.duplicates)
    return result.captured
