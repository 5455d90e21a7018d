"""A real poller process (`manage.py capture_mail`) killed with kill -9 mid-batch, then run
again: every message is captured once, none twice, none lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from capture import services
from capture.models import CapturedMessage
from partners.models import Interaction
from tests.conftest import require
from tests.outbox.delivery import database_url, wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def message(n: int) -> bytes:
    return (
        f"Message-ID: <kill-test-{n}@mail.example.org>\r\n"
        "Date: Tue, 01 Dec 2026 09:30:00 +0200\r\n"
        "From: Cora Coordinator <coordinator@example.org>\r\n"
        "To: Alice <alice@amatola.example>\r\n"
        f"Subject: Kiln report {n}\r\n"
        "Content-Type: text/plain; charset=UTF-8\r\n\r\n"
        f"Report number {n}.\r\n"
    ).encode()


def poller(imap) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "VCC_CAPTURE_IMAP_URL": imap.url,
        "VCC_CAPTURE_ADDRESS": "log@vcc.test",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "capture_mail"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_a_poller_killed_mid_batch_loses_nothing_and_doubles_nothing(
    imap, coordinator, partner_a_user
):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    total = 300
    imap.append_many([message(n) for n in range(total)])
    first = poller(imap)
    try:
        assert wait_until(lambda: CapturedMessage.objects.count() >= 40, timeout=60), (
            first.communicate(timeout=5)
        )
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    assert first.returncode == -signal.SIGKILL
    captured_before = CapturedMessage.objects.count()
    assert 40 <= captured_before < total, "killed too late to be mid-batch"
    assert imap.captured_flags() <= captured_before  # marked only once committed

    second = poller(imap)
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err.decode()
    assert CapturedMessage.objects.count() == total
    assert Interaction.objects.count() == total
    assert Interaction.objects.values("topic").distinct().count() == total
    assert imap.captured_flags() == total


def test_messages_committed_before_their_mark_are_not_captured_again(
    imap, coordinator, partner_a_user
):
    """The window a kill -9 leaves between a commit and the mailbox's mark, made on purpose:
    ten messages are in the database but unmarked in the mailbox."""
    imap.append_many([message(n) for n in range(30)])
    for n in range(10):
        assert services.capture_message(message(n), mailbox_address="log@vcc.test")
    result = services.poll_mailbox(imap.config)
    assert (result.captured, result.duplicates) == (20, 10)
    assert Interaction.objects.count() == 30
    assert imap.captured_flags() == 30
