"""Delivery with real parts: Celery workers on Redis, beat scanning the outbox, and an SMTP
server on loopback (aiosmtpd). A due message arrives exactly once: when its task is run
again, when the worker is killed (kill -9) mid-send and restarted, and when it fell due
while Redis was down."""

import datetime
import os

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.utils import timezone

from outbox import services
from outbox.models import Kind, Message, State
from outbox.tasks import send_message
from tests.conftest import require
from tests.factories import PersonFactory
from vcc.celery import app

from .delivery import SmtpServer, ThrowawayRedis, Worker, database_url, wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _require_services():
    require(os.environ.get("REDIS_URL", "").startswith("redis"), "Redis (REDIS_URL)")
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")


def _schedule(n: int, due_at=None) -> list[int]:
    people = PersonFactory.create_batch(n, email=factory_email())
    return [
        services.schedule(
            key=f"delivery-test:{p.pk}",
            kind=Kind.OTHER,
            subject="Kiln news",
            template="outbox/email/plain",
            context={"text": "The kiln is dry."},
            due_at=due_at or timezone.now(),
            person=p,
        ).pk
        for p in people
    ]


def factory_email():
    import factory

    return factory.Sequence(lambda n: f"member{n}@example.org")


@pytest.fixture
def smtp_settings(settings):
    def use(server):
        settings.EMAIL_BACKEND = "outbox.handover.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False

    return use


def test_delivered_once_even_when_the_task_runs_again(settings, smtp_settings):
    _require_services()
    with SmtpServer() as smtp:
        smtp_settings(smtp)
        app.conf.task_always_eager = False
        settings.CELERY_TASK_ALWAYS_EAGER = False
        try:
            with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
                [pk] = _schedule(1)  # due now: queued on commit
                assert wait_until(lambda: smtp.sink.count == 1, 15)
                # A retried or redelivered task, and another scan: nothing more is sent.
                send_message.delay(pk)
                send_message.delay(pk)
                services.dispatch_due()
                assert not wait_until(lambda: smtp.sink.count > 1, 3)
        finally:
            app.conf.task_always_eager = True
    message = Message.objects.get(pk=pk)
    assert message.state == State.SENT and message.attempts == 1
    assert smtp.sink.ids == [message.message_id]


def test_worker_killed_mid_send_then_restarted_delivers_each_once():
    _require_services()
    n = 30
    # Due in a second: the worker's beat finds them (nothing is queued from this process).
    ids = _schedule(n, due_at=timezone.now() + datetime.timedelta(seconds=1))
    database = database_url(connection.settings_dict)
    with ThrowawayRedis() as redis, SmtpServer(delay=0.2) as smtp:
        worker = Worker(database=database, redis=redis.url, smtp_port=smtp.port).start()
        try:
            assert wait_until(lambda: smtp.sink.count >= 5, 60), "the worker sent nothing"
            worker.kill()
            killed_at = smtp.sink.count
            assert killed_at < n
            worker = Worker(database=database, redis=redis.url, smtp_port=smtp.port).start()
            assert wait_until(lambda: smtp.sink.count >= n, 90), smtp.sink.count
            assert not wait_until(lambda: smtp.sink.count > n, 4)  # and nothing more
        finally:
            worker.stop()
    assert smtp.sink.duplicates() == 0
    rows = Message.objects.filter(pk__in=ids)
    assert sorted(smtp.sink.ids) == sorted(m.message_id for m in rows)  # each once
    # The one the worker was waiting on when killed: the server has it, unconfirmed.
    states = sorted(rows.values_list("state", flat=True))
    assert states == [State.SENT] * (n - 1) + [State.UNCONFIRMED], states


def test_message_due_while_redis_is_down_goes_out_when_it_is_back():
    _require_services()
    database = database_url(connection.settings_dict)
    redis = ThrowawayRedis().start()
    with SmtpServer() as smtp:
        worker = Worker(database=database, redis=redis.url, smtp_port=smtp.port).start()
        try:
            redis.stop()  # Redis goes down
            [pk] = _schedule(1, due_at=timezone.now() + datetime.timedelta(seconds=1))
            assert not wait_until(lambda: smtp.sink.count > 0, 3)  # due, but no broker
            assert Message.objects.get(pk=pk).state == State.PENDING
            redis.start()  # back, on the same port, empty
            assert wait_until(lambda: smtp.sink.count == 1, 60), "not sent after Redis returned"
            assert not wait_until(lambda: smtp.sink.count > 1, 3)
        finally:
            worker.stop()
            redis.stop()
    assert Message.objects.get(pk=pk).state == State.SENT
