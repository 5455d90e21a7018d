"""A partner who answers one of vcc's emails reaches a person: each kind carries Reply-To the
coordinator or lead who caused it, and none when nobody did (or it would be the recipient)."""

import datetime
from email.utils import getaddresses

import pytest
from django.core import mail
from django.utils import timezone

from convenings import emails as convening_emails
from convenings import services as convenings
from convenings.models import ActionItem
from followups.periodic import schedule_periodic
from matchmaking import emails as matchmaking_emails
from matchmaking.models import Introduction
from outbox import services as outbox
from outbox.models import Kind, Message, State
from tests.factories import AffiliationFactory, CommitmentFactory, PartnerFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _reply_to_of_sent(**filters) -> dict[str, list[tuple[str, str]]]:
    """Send the messages matching `filters`; {recipient: Reply-To (name, address) pairs} as
    a mail client reads the header."""
    mail.outbox.clear()
    for message in Message.objects.filter(state=State.PENDING, **filters):
        Message.objects.filter(pk=message.pk).update(due_at=timezone.now())
        assert outbox.send_message(message.pk)
    return {
        m.to[0]: getaddresses([m.message()["Reply-To"]]) if m.message()["Reply-To"] else []
        for m in mail.outbox
    }


def test_convening_emails_answer_to_the_groups_lead(meeting, lead, partner_a_user, coordinator):
    convenings.invite(meeting, [partner_a_user.person.pk, lead.person.pk])
    lead_pair = (lead.person.full_name, "lead@amatola.example")
    got = _reply_to_of_sent(kind=Kind.INVITATION)
    # The lead, invited to their own meeting, gets no Reply-To to themselves.
    assert got == {"alice@amatola.example": [lead_pair], "lead@amatola.example": []}
    convenings.save_minutes(meeting, minutes="Went well", decisions="", publish=True)
    assert _reply_to_of_sent(kind=Kind.MINUTES)["alice@amatola.example"] == [lead_pair]
    convenings.cancel_convening(convening=meeting)
    assert _reply_to_of_sent(kind=Kind.CANCELLATION)["alice@amatola.example"] == [lead_pair]


def test_workshop_emails_answer_to_the_coordinator_who_scheduled_it(workshop, partner_a_user):
    invitee = workshop.invitees.get()
    convening_emails.invitation(workshop, invitee)
    got = _reply_to_of_sent(kind=Kind.INVITATION)
    assert got == {"alice@amatola.example": [("Cora", "coordinator@example.org")]}
    reminder = Message.objects.get(kind=Kind.REMINDER)
    assert reminder.reply_to == "Cora <coordinator@example.org>"
    workshop.sequence += 1
    workshop.save(update_fields=["sequence"])
    convening_emails.convening_changed(workshop)
    got = _reply_to_of_sent(kind=Kind.UPDATE)
    assert got == {"alice@amatola.example": [("Cora", "coordinator@example.org")]}


def test_action_item_reminders_answer_to_whoever_posted_it(group, coordinator, partner_a_user):
    item = ActionItem.objects.create(
        value_chain=group.value_chain,
        working_group=group,
        title="Log kiln moisture",
        owner=partner_a_user.person,
        due_on=timezone.localdate() + datetime.timedelta(days=7),
        posted_by=coordinator,
    )
    convening_emails.action_item(item)
    got = _reply_to_of_sent(kind=Kind.ACTION_DUE)
    assert got == {"alice@amatola.example": [("Cora", "coordinator@example.org")]}


def test_introduction_followup_answers_to_the_introducer(
    chain_a, partner_a, partner_a_user, coordinator
):
    buyer = PartnerFactory(name="Coastal Furniture")
    contact = PersonFactory(first_name="Bongani", email="bongani@coastal.example")
    AffiliationFactory(person=contact, partner=buyer)
    introduction = Introduction.objects.create(
        value_chain=chain_a,
        partner_a=partner_a,
        partner_b=buyer,
        person_a=partner_a_user.person,
        person_b=contact,
        reason="Boards",
        created_by=coordinator,
    )
    matchmaking_emails.introduction_followup(introduction)
    got = _reply_to_of_sent(kind=Kind.INTRODUCTION)
    cora = [("Cora", "coordinator@example.org")]
    assert got == {"alice@amatola.example": cora, "bongani@coastal.example": cora}


def test_commitment_reminder_answers_to_the_chains_coordinators_the_digest_to_nobody(
    chain_a, partner_a, partner_a_user, coordinator
):
    monday = datetime.datetime(2026, 11, 23, 7, 0, tzinfo=datetime.UTC)
    CommitmentFactory(partner=partner_a, value_chain=chain_a, due_on=monday.date())
    schedule_periodic(monday)
    got = _reply_to_of_sent(kind=Kind.COMMITMENT)
    assert got == {"alice@amatola.example": [("Cora", "coordinator@example.org")]}
    # The digest goes to the coordinator themselves: no one else caused it.
    assert _reply_to_of_sent(kind=Kind.DIGEST) == {"coordinator@example.org": []}
