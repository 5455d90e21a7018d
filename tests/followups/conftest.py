"""Tasks and the things they are about, in chain A (the `coordinator`'s) and chain B."""

import datetime

import pytest
from django.utils import timezone

from convenings.models import Convening
from followups.models import Task
from matchmaking.models import Introduction
from tests.factories import ParticipationFactory, PartnerFactory


@pytest.fixture
def today():
    return timezone.localdate()


def make_task(chain, assignee, *, title="Call Thandi about the trial order", due_on=None, **links):
    return Task.objects.create(
        value_chain=chain,
        title=title,
        due_on=due_on or timezone.localdate(),
        assignee=assignee,
        created_by=assignee,
        **links,
    )


@pytest.fixture
def task(chain_a, coordinator, partner_a):
    return make_task(chain_a, coordinator, partner=partner_a)


@pytest.fixture
def other_task(chain_b, other_coordinator, partner_b):
    return make_task(chain_b, other_coordinator, title="Chain B's own task", partner=partner_b)


@pytest.fixture
def buyer_a(chain_a):
    return ParticipationFactory(
        partner=PartnerFactory(name="Kuyasa Furniture"), value_chain=chain_a
    ).partner


@pytest.fixture
def introduction(chain_a, partner_a, buyer_a, coordinator):
    return Introduction.objects.create(
        value_chain=chain_a,
        partner_a=partner_a,
        partner_b=buyer_a,
        reason="Kuyasa needs kiln-dried boards.",
        created_by=coordinator,
    )


@pytest.fixture
def convening(chain_a, coordinator):
    start = timezone.now() + datetime.timedelta(days=2)
    return Convening.objects.create(
        value_chain=chain_a,
        kind="workshop",
        title="Buyers' workshop",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        place="Amatola Sawmill boardroom",
        created_by=coordinator,
    )
