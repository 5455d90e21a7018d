"""A real Celery worker on real Redis delivers the invitation email, once."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.urls import reverse

from outbox.models import Kind, Message, State
from partners.models import Invitation
from tests.conftest import client_for, require
from tests.factories import AffiliationFactory, PersonFactory
from vcc.celery import app


@pytest.fixture
def redis_worker(settings):
    require(os.environ.get("REDIS_URL", "").startswith("redis"), "Redis (REDIS_URL)")
    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield
    app.conf.task_always_eager = True


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_worker_sends_invitation_through_redis(redis_worker, partner_a, coordinator):
    assert app.conf.broker_url.startswith("redis")
    person = PersonFactory(first_name="Ayanda", email="ayanda@amatola.example")
    AffiliationFactory(person=person, partner=partner_a)
    response = client_for(coordinator).post(
        reverse("partners:invite", args=[partner_a.pk]), {"person": person.pk}
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    # The invitation is an outbox message, which the worker sends.
    message = Message.objects.get(kind=Kind.ACCOUNT_INVITATION, person=invitation.person)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        message.refresh_from_db()
        if message.state == State.SENT and mail.outbox:
            break
        time.sleep(0.1)
    assert message.state == State.SENT
    assert [m.to for m in mail.outbox] == [["ayanda@amatola.example"]]
