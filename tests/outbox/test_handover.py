"""A message is never sent twice, wherever its sender dies: against a real SMTP server on
loopback (aiosmtpd), the sender dies before the final "." (the server discards the message;
it goes out once after the lease), after it (the server has it; it is shown unconfirmed and
not sent again), or loses its claim (it does not send). Then the coordinator's "Send again"."""

import datetime
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from outbox import services
from outbox.models import Kind, Message, State
from tests.conftest import client_for
from tests.factories import PersonFactory

from .delivery import SmtpServer

pytestmark = pytest.mark.django_db


class WorkerDied(BaseException):
    """kill -9 at this point: nothing after it runs (not even `except Exception`)."""


@pytest.fixture
def smtp(settings):
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "outbox.handover.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.VCC_OUTBOX_LEASE_SECONDS = 60
        yield server.sink


def _message(chain=None, key="kiln", email="thandi@example.org") -> Message:
    # Due in an hour, so that scheduling queues nothing: each test sends when it means to.
    due = timezone.now() + datetime.timedelta(hours=1)
    message = services.schedule(
        key=key,
        kind=Kind.OTHER,
        subject="Kiln news",
        template="outbox/email/plain",
        context={"text": "The kiln is dry."},
        due_at=due,
        person=PersonFactory(email=email),
        value_chain=chain,
    )
    Message.objects.filter(pk=message.pk).update(due_at=timezone.now())
    return message


def _after_the_lease():
    """The scan, run by beat once the dead worker's lease is over."""
    return services.dispatch_due(now=timezone.now() + datetime.timedelta(seconds=61))


def test_dies_before_the_final_dot_then_goes_out_once(smtp, monkeypatch):
    message = _message()

    def die(self):
        raise WorkerDied

    with monkeypatch.context() as m:
        m.setattr(services._Handover, "__call__", die)
        with pytest.raises(WorkerDied):
            services.send_message(message.pk)
    assert smtp.ids == []  # the server had the content without its final ".": discarded
    message.refresh_from_db()
    assert (message.state, message.handed_at) == (State.SENDING, None)

    _after_the_lease()  # handed back, queued, sent (eager tasks)
    message.refresh_from_db()
    assert message.state == State.SENT and message.attempts == 2
    assert smtp.ids == [message.message_id]


def test_dies_after_the_final_dot_and_is_not_sent_again(
    smtp, monkeypatch, coordinator, chain_a, django_capture_on_commit_callbacks
):
    message = _message(chain_a)

    def die(message):
        raise WorkerDied

    with monkeypatch.context() as m:
        m.setattr(services, "_mark_sent", die)
        with pytest.raises(WorkerDied):
            services.send_message(message.pk)
    assert smtp.ids == [message.message_id]  # the server has it
    message.refresh_from_db()
    assert message.state == State.SENDING and message.handed_at is not None

    _after_the_lease()
    _after_the_lease()
    message.refresh_from_db()
    assert message.state == State.UNCONFIRMED
    assert message.sent_at == message.handed_at
    assert smtp.ids == [message.message_id]  # not sent again

    # The coordinator sees it, and why, and may send it again.
    client = client_for(coordinator)
    page = client.get(reverse("outbox:outbox")).content.decode()
    assert "Sent, unconfirmed" in page and "probably arrived" in page
    assert "Send again" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("outbox:send_again", args=[message.pk]), follow=True)
    assert "Sending again to thandi@example.org" in response.content.decode()
    message.refresh_from_db()
    assert message.state == State.SENT
    assert smtp.ids == [message.message_id] * 2  # same Message-ID: the receiver can tell


def test_server_refusing_the_message_is_retried_later(smtp):
    message = _message()
    smtp.reply = lambda m: "554 5.7.1 Message refused"
    assert services.send_message(message.pk) is False
    message.refresh_from_db()
    assert message.state == State.PENDING and message.handed_at is None
    assert "554" in message.last_error and message.due_at > timezone.now()
    assert smtp.ids == []


def test_connection_dropped_after_the_final_dot_is_unconfirmed(smtp):
    message = _message()
    smtp.reply = lambda m: "drop"
    assert services.send_message(message.pk) is False
    message.refresh_from_db()
    assert message.state == State.UNCONFIRMED
    assert "did not confirm" in message.last_error
    _after_the_lease()
    assert smtp.ids == [message.message_id]  # once


def test_sender_stalled_past_half_its_lease_does_not_send(smtp, settings, monkeypatch):
    """A worker stalled long enough for its lease to run out: the scan may have handed its
    row back and another worker claimed it. It gives the message up before its final "."."""
    settings.VCC_OUTBOX_LEASE_SECONDS = 0.2
    message = _message()
    build = services.build_email

    def stalled(message, connection=None):
        time.sleep(0.15)  # over half the lease
        Message.objects.filter(pk=message.pk).update(attempts=message.attempts + 1)  # claimed
        return build(message, connection)

    monkeypatch.setattr(services, "build_email", stalled)
    assert services.send_message(message.pk) is False
    assert smtp.ids == []
    message.refresh_from_db()
    assert message.state == State.SENDING and message.handed_at is None  # the other's claim


def test_long_batch_renews_its_claim(smtp, settings):
    """A batch that takes longer than the lease keeps its claim by renewing it as it goes:
    it sends every message, and the scan does not hand any back meanwhile."""
    settings.VCC_OUTBOX_LEASE_SECONDS = 1
    smtp_delay = 0.2
    messages = [_message(key=f"m{i}", email=f"m{i}@example.org") for i in range(8)]
    ids = [m.pk for m in messages]
    original = smtp.reply

    def slow_reply(m):
        time.sleep(smtp_delay)  # 1.6 s in all: longer than the lease
        return original(m) if original else None

    smtp.reply = slow_reply
    assert services.send_messages(ids) == 8
    assert sorted(smtp.ids) == sorted(m.message_id for m in Message.objects.filter(pk__in=ids))
    renewed = Message.objects.filter(pk=ids[-1]).values_list("claimed_at", flat=True).get()
    first = Message.objects.filter(pk=ids[0]).values_list("claimed_at", flat=True).get()
    assert renewed > first  # the last message's claim was renewed on the way


def test_a_batch_goes_on_after_one_message_is_refused(smtp):
    first, second = _message(key="a"), _message(key="b", email="sipho@example.org")
    smtp.reply = lambda m: "550 No such user" if m["To"] == "thandi@example.org" else None
    assert services.send_messages([first.pk, second.pk]) == 1
    assert smtp.ids == [Message.objects.get(pk=second.pk).message_id]
    states = dict(Message.objects.values_list("pk", "state"))
    assert states == {first.pk: State.PENDING, second.pk: State.SENT}


ROLES = [
    "anonymous",
    "partner_a",
    "partner_b",
    "coordinator",
    "other_coordinator",
    "lead",
    "observer",
]


def test_send_again_permissions(
    chain_a, coordinator, role_users, django_capture_on_commit_callbacks
):
    """Only a coordinator of the message's chain sends it again; others change nothing."""
    message = _message(chain_a)
    Message.objects.filter(pk=message.pk).update(state=State.UNCONFIRMED)
    url = reverse("outbox:send_again", args=[message.pk])
    got = {}
    for role in ROLES:
        if role == "coordinator":
            continue
        got[role] = client_for(role_users[role]).post(url).status_code
        assert Message.objects.get(pk=message.pk).state == State.UNCONFIRMED, role
    assert got == {
        "anonymous": 302,
        "partner_a": 403,
        "partner_b": 403,
        "other_coordinator": 404,
        "lead": 403,
        "observer": 403,
    }
    client = client_for(coordinator)
    assert client.get(url).status_code == 405  # a link followed does not send
    missing = reverse("outbox:send_again", args=[999999])
    assert client.post(missing).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert Message.objects.get(pk=message.pk).state == State.SENT  # queued on commit, sent


def test_sent_message_is_not_sent_again(chain_a, coordinator):
    message = _message(chain_a)
    services.send_message(message.pk)
    response = client_for(coordinator).post(
        reverse("outbox:send_again", args=[message.pk]), follow=True
    )
    assert "Only an unconfirmed or failed message" in response.content.decode()
    message.refresh_from_db()
    assert message.state == State.SENT and message.attempts == 1


def test_final_dot_is_not_held_back_by_nagle(smtp):
    """The "." goes in a write of its own: with Nagle's algorithm on, it would wait for the
    server's delayed acknowledgement of the content (40 ms a message on Linux, ten times
    the send itself)."""
    import socket

    from django.core.mail import get_connection

    messages = [_message(key=f"m{i}", email=f"m{i}@example.org") for i in range(3)]
    connection = get_connection()
    connection.open()
    try:
        assert services.send_messages([m.pk for m in messages], connection) == 3
        sock = connection.connection.sock
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        connection.close()
    assert len(smtp.ids) == 3


def test_database_connection_is_left_uncorked(smtp):
    """The hand-over mark is held in the kernel (corked) only until the "." is written:
    left corked, every later statement on the connection would wait 200 ms to go."""
    import os
    import socket

    from django.db import connection

    from tests.conftest import require

    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    message = _message()
    assert services.send_message(message.pk)
    sock = socket.socket(fileno=os.dup(connection.connection.pgconn.socket))
    try:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_CORK) == 0
    finally:
        sock.close()
    assert Message.objects.get(pk=message.pk).state == State.SENT
