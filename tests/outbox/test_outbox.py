"""The outbox with controlled time: scheduled in the caller's transaction, sent once when due,
retried on failure, handed back after a dead worker's lease, opted out per kind."""

import datetime

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outbox import services
from outbox.models import Kind, Message, OptOut, State
from tests.conftest import client_for, require
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def clock(monkeypatch):
    """timezone.now() under the test's control."""

    class Clock:
        now = T0

        def advance(self, **kwargs):
            self.now += datetime.timedelta(**kwargs)

    c = Clock()
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


def _schedule(person, key="k1", due_at=None, kind=Kind.OTHER, **extra):
    return services.schedule(
        key=key,
        kind=kind,
        subject="Hello",
        template="outbox/email/plain",
        context={"text": "The kiln trial went well."},
        due_at=due_at or T0,
        person=person,
        **extra,
    )


def test_schedule_is_idempotent_on_the_key(clock):
    person = PersonFactory(email="thandi@example.org")
    first = _schedule(person, due_at=T0 + datetime.timedelta(hours=1))
    second = _schedule(person, due_at=T0 + datetime.timedelta(hours=5))
    assert first.pk == second.pk
    assert Message.objects.count() == 1


def test_not_sent_before_due_then_sent_once(clock):
    person = PersonFactory(email="thandi@example.org")
    message = _schedule(person, due_at=T0 + datetime.timedelta(hours=1))
    assert services.dispatch_due() == 0
    assert services.send_message(message.pk) is False  # not due: the claim fails
    assert mail.outbox == []
    clock.advance(hours=1)
    assert services.dispatch_due() == 1  # eager tasks: the queued task sent it
    assert services.send_message(message.pk) is False  # a retried task changes nothing
    services.dispatch_due()
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.state == State.SENT
    assert message.sent_at == clock.now
    assert mail.outbox[0].extra_headers["Message-ID"] == message.message_id


@pytest.mark.django_db(transaction=True)
def test_sent_mark_does_not_wait_for_the_wal_flush_outside_a_transaction(clock):
    """Only the `sent` mark's own commit skips the flush wait: a caller's transaction keeps
    synchronous commit (the statement would otherwise turn it off for all of it)."""
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    person = PersonFactory(email="thandi@example.org")
    later = T0 + datetime.timedelta(hours=1)  # not sent on commit: due later
    first, second = (_schedule(person, key=k, due_at=later) for k in ("k1", "k2"))
    clock.advance(hours=1)
    with CaptureQueriesContext(connection) as queries:
        assert services.send_messages([first.pk]) == 1
    assert "set_config('synchronous_commit', 'off', true)" in queries[-1]["sql"]
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        assert services.send_messages([second.pk]) == 1
    assert "synchronous_commit" not in queries[-1]["sql"]
    states = Message.objects.filter(pk__in=[first.pk, second.pk]).values_list("state", flat=True)
    assert list(states) == [State.SENT, State.SENT]


def test_rolled_back_change_schedules_nothing(clock):
    person = PersonFactory(email="thandi@example.org")
    with pytest.raises(RuntimeError), transaction.atomic():
        _schedule(person)
        raise RuntimeError("the change failed")
    assert Message.objects.count() == 0
    assert mail.outbox == []


def test_due_now_is_sent_on_commit(clock, django_capture_on_commit_callbacks):
    person = PersonFactory(email="thandi@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        _schedule(person)
    assert [m.to for m in mail.outbox] == [["thandi@example.org"]]


def test_email_has_text_html_and_opt_out_link(clock):
    person = PersonFactory(email="thandi@example.org")
    message = _schedule(person)
    services.send_message(message.pk)
    email = mail.outbox[0]
    assert "The kiln trial went well." in email.body
    assert "/followups/opt-out/" in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html" and "/followups/opt-out/" in html


def test_person_without_email_is_flagged_not_sent(clock):
    person = PersonFactory(email="")
    message = _schedule(person)
    assert message.state == State.FAILED
    assert "No email address" in message.last_error
    services.dispatch_due()
    assert mail.outbox == []


def test_smtp_failure_is_retried_later_then_failed(clock, settings, monkeypatch):
    settings.VCC_OUTBOX_MAX_ATTEMPTS = 2
    person = PersonFactory(email="thandi@example.org")
    message = _schedule(person)

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    assert services.send_message(message.pk) is False
    message.refresh_from_db()
    assert message.state == State.PENDING
    assert message.due_at == T0 + datetime.timedelta(seconds=30)
    assert "SMTP server down" in message.last_error
    clock.advance(seconds=30)
    services.send_message(message.pk)
    message.refresh_from_db()
    assert (message.state, message.attempts) == (State.FAILED, 2)


def test_dead_workers_claim_is_handed_back_after_the_lease(clock, settings):
    settings.VCC_OUTBOX_LEASE_SECONDS = 60
    person = PersonFactory(email="thandi@example.org")
    message = _schedule(person)
    assert services.claim_batch([message.pk])  # a worker claimed it, then died (kill -9)
    services.dispatch_due()
    assert mail.outbox == []  # still inside the lease: nobody else sends it
    clock.advance(seconds=61)
    services.dispatch_due()
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert (message.state, message.attempts) == (State.SENT, 2)


def test_opt_out_link(clock):
    person = PersonFactory(email="Thandi@example.org")
    message = _schedule(person, kind=Kind.REMINDER, due_at=T0 + datetime.timedelta(days=1))
    url = services.opt_out_url(person.email, Kind.REMINDER).removeprefix("http://127.0.0.1:8000")
    client = client_for(None)
    page = client.get(url)
    assert page.status_code == 200 and "Convening reminder" in page.content.decode()
    assert not OptOut.objects.exists()  # a GET (a mail scanner) opts nobody out
    assert client.post(url).status_code == 200
    message.refresh_from_db()
    assert message.state == State.SUPPRESSED
    assert message.last_error == "Opted out of “Convening reminder” emails: not sent."
    later = _schedule(person, key="k2", kind=Kind.REMINDER)
    assert later.state == State.SUPPRESSED  # kept, with why, not sent
    assert _schedule(person, key="k3", kind=Kind.MINUTES).state == State.PENDING  # others come


def test_tampered_opt_out_link_is_refused(clock):
    url = services.opt_out_url("thandi@example.org", Kind.REMINDER)
    token = url.rstrip("/").rsplit("/", 1)[1]
    response = client_for(None).post(reverse("outbox:opt_out", args=[token[:-2] + "xx"]))
    assert response.status_code == 400
    assert "does not work" in response.content.decode()
    assert not OptOut.objects.exists()


def test_outbox_page_shows_what_failed_and_why(clock, coordinator, chain_a, chain_b):
    person = PersonFactory(email="", first_name="Sipho")
    _schedule(person, key="a", value_chain=chain_a)
    _schedule(PersonFactory(email="x@example.org"), key="b", value_chain=chain_b)
    page = client_for(coordinator).get(reverse("outbox:outbox")).content.decode()
    assert "Sipho" in page and "No email address" in page
    assert "x@example.org" not in page  # another chain's mail


@pytest.mark.parametrize("n", [3, 60])
def test_outbox_page_queries_constant(n, clock, coordinator, chain_a, django_assert_num_queries):
    for i in range(n):
        _schedule(PersonFactory(email=f"p{i}@example.org"), key=f"m{i}", value_chain=chain_a)
    client = client_for(coordinator)
    # session, user, the chain ids, one page of messages with their people
    with django_assert_num_queries(4):
        response = client.get(reverse("outbox:outbox"))
    assert response.status_code == 200
