"""Every email vcc sends links to the site it runs on: with SITE_URL on a port of its own (as
`make run PORT=8765` sets it), each kind of email is made, every link in its text, its HTML
and its calendar file starts with SITE_URL, and each one answers (a page, or the sign-in it
leads to), never a 404 or a 500."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from convenings import emails as convening_emails
from convenings import services as convenings
from convenings.models import ActionItem, Convening, Invitee
from followups.models import Task
from followups.periodic import schedule_periodic
from matchmaking import emails as matchmaking_emails
from matchmaking.models import Introduction
from outbox.models import Kind, Message
from partners import services as partners
from tests.conftest import client_for
from tests.factories import AffiliationFactory, CommitmentFactory, PartnerFactory, PersonFactory

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8765"
LINK = re.compile(r"""https?://[^\s"'<>]+""")
# Kinds with no email of their own to test: OTHER is the outbox's own, for tests and admins.
NOT_SENT_BY_VCC = {Kind.OTHER}


def _links(message: Message) -> set[str]:
    ics = "".join(a["content"] for a in message.attachments)
    unfolded = re.sub(r"\r\n[ \t]", "", ics)
    return set(LINK.findall(message.body_text) + LINK.findall(message.body_html)) | set(
        LINK.findall(unfolded)
    )


def _every_kind(meeting, group, coordinator, partner_a, partner_a_user, lead, chain_a):
    invitee = Invitee.objects.create(convening=meeting, person=partner_a_user.person)
    convening_emails.invitation(meeting, invitee)  # and its reminder, a day before
    meeting.sequence += 1
    meeting.save(update_fields=["sequence"])
    convening_emails.convening_changed(meeting)
    convenings.save_minutes(meeting, minutes="Trial went well", decisions="Buy", publish=True)
    item = ActionItem.objects.create(
        value_chain=chain_a,
        working_group=group,
        title="Log kiln moisture",
        owner=partner_a_user.person,
        due_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    convening_emails.action_item(item)  # due soon, and overdue
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
    monday = timezone.now() + datetime.timedelta(days=(7 - timezone.localdate().weekday()) % 7)
    CommitmentFactory(partner=partner_a, value_chain=chain_a, due_on=timezone.localdate(monday))
    Task.objects.create(
        value_chain=chain_a,
        title="Call Alice about the trial order",
        due_on=timezone.localdate(monday),
        assignee=coordinator,
        partner=partner_a,
    )
    schedule_periodic(monday)  # the commitment and task reminders, and the Monday digest
    called_off = Convening.objects.create(
        value_chain=chain_a,
        kind="workshop",
        title="Sawmill visit",
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        place="Amatola Sawmill",
        created_by=coordinator,
    )
    convenings.invite(called_off, [partner_a_user.person.pk])
    convenings.cancel_convening(convening=called_off, note="The road is flooded.")
    _account_emails(coordinator, partner_a, partner_a_user)


def _account_emails(coordinator, partner_a, partner_a_user):
    """The sign-in invitation, a password reset, and an email change's two messages."""
    from accounts import services as accounts
    from accounts.emails import OutboxPasswordResetForm
    from tests.factories import UserFactory

    newcomer = PersonFactory(first_name="Thandi", email="thandi@umvoti.example")
    AffiliationFactory(person=newcomer, partner=partner_a)
    partners.invite_person(newcomer, partner_a, by=coordinator)
    reset = OutboxPasswordResetForm({"email": partner_a_user.email})
    assert reset.is_valid()
    reset.save(domain_override="vcc")  # (the link is built from SITE_URL)
    accounts.request_email_change(user=partner_a_user, new_email="alice@new.example")
    mover = UserFactory(username="mover@old.example")
    accounts.confirm_email_change(user=mover, new_email="mover@new.example")


def test_every_email_links_to_site_url_and_every_link_answers(
    settings,
    django_capture_on_commit_callbacks,
    meeting,
    group,
    coordinator,
    partner_a,
    partner_a_user,
    lead,
    chain_a,
):
    settings.SITE_URL = SITE
    _every_kind(meeting, group, coordinator, partner_a, partner_a_user, lead, chain_a)
    messages = list(Message.objects.all())
    assert {m.kind for m in messages} == set(Kind) - NOT_SENT_BY_VCC
    bodies = [(m.kind, _links(m)) for m in messages]

    anonymous = client_for(None)
    followed = 0
    for kind, links in bodies:
        # Links to other sites (a convening's online meeting) are the coordinator's own.
        ours = {link for link in links if not link.startswith("https://meet.")}
        assert ours, f"{kind}: no link at all"
        for link in ours:
            assert link == SITE or link.startswith(SITE + "/"), f"{kind}: {link}"
            parts = urlsplit(link)
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            status = anonymous.get(path).status_code
            assert status in (200, 302), f"{kind}: {link} answered {status}"
            followed += 1
    assert followed >= 2 * len(bodies)
