"""A working group of chain A led by the `lead` persona, and its meeting."""

import datetime

import pytest
from django.utils import timezone

from convenings.models import Convening, Invitee, WorkingGroup


@pytest.fixture
def group(chain_a, lead, partner_a_user):
    group = WorkingGroup.objects.create(
        value_chain=chain_a,
        name="Drying kilns",
        problem="Sawmills lose a third of the timber to bad drying.",
        lead=lead.person,
        status="active",
    )
    group.members.add(lead.person, partner_a_user.person)
    return group


@pytest.fixture
def meeting(group, coordinator):
    start = timezone.now() + datetime.timedelta(days=7)
    return Convening.objects.create(
        value_chain=group.value_chain,
        working_group=group,
        kind="group_meeting",
        title="Kiln trial review",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        time_zone="Africa/Johannesburg",
        place="Amatola Sawmill boardroom",
        agenda="1. Trial results\n2. Next kiln",
        created_by=coordinator,
    )


@pytest.fixture
def workshop(chain_a, coordinator, partner_a_user):
    """A chain-wide workshop with no group: partner A's member is invited, the lead is not."""
    start = timezone.now() + datetime.timedelta(days=10)
    convening = Convening.objects.create(
        value_chain=chain_a,
        kind="workshop",
        title="Buyers' workshop",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        online_link="https://meet.example.org/buyers",
        created_by=coordinator,
    )
    Invitee.objects.create(convening=convening, person=partner_a_user.person)
    return convening
