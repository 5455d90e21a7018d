"""Email goes only to people who consented to that kind of contact: checked when a message is
scheduled and again when it is sent; a message withheld is kept as "suppressed", with why, and
shown so on the outbox page and where the sending is reported."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from outbox import services
from outbox.models import CONSENT_RULES, NO_CONSENT, Kind, Message, OptOut, State
from tests.factories import AffiliationFactory, PersonFactory

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        now = T0

        def advance(self, **kwargs):
            self.now += datetime.timedelta(**kwargs)

    c = Clock()
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


def _schedule(key="k1", kind=Kind.REMINDER, due_at=None, **extra):
    return services.schedule(
        key=key,
        kind=kind,
        subject="Tomorrow: kiln trial",
        template="outbox/email/plain",
        context={"text": "The kiln trial is tomorrow."},
        due_at=due_at or T0 + datetime.timedelta(hours=1),
        **extra,
    )


def _send_due(clock):
    clock.advance(hours=1)
    pks = list(Message.objects.filter(state=State.PENDING).values_list("pk", flat=True))
    return services.send_messages(pks)


def test_every_kind_says_whether_it_needs_consent():
    assert set(CONSENT_RULES) == set(Kind.values)


def test_no_consent_at_scheduling_is_kept_suppressed_and_never_sent(clock):
    person = PersonFactory(email="sipho@example.org", consent_to_contact=False)
    message = _schedule(person=person)
    assert message.state == State.SUPPRESSED
    assert message.last_error == NO_CONSENT
    assert _send_due(clock) == 0
    assert services.dispatch_due() == 0
    assert mail.outbox == []


def test_an_address_is_matched_to_its_person_whatever_its_case(clock):
    PersonFactory(email="Sipho@Example.org", consent_to_contact=False)
    message = _schedule(address="sipho@example.ORG")
    assert message.state == State.SUPPRESSED and message.last_error == NO_CONSENT


def test_an_address_of_nobody_in_the_directory_is_held_to_opt_outs_only(clock):
    """A coordinator's digest goes to their account's address, which no person has."""
    message = _schedule(address="coordinator@vcc.example", kind=Kind.DIGEST)
    assert message.state == State.PENDING
    OptOut.objects.create(address="coordinator@vcc.example", kind=Kind.DIGEST)
    assert _schedule(key="k2", address="coordinator@vcc.example", kind=Kind.DIGEST).state == (
        State.SUPPRESSED
    )


def test_consent_withdrawn_before_sending_is_not_sent(clock):
    person = PersonFactory(email="sipho@example.org")
    kept = PersonFactory(email="lindiwe@example.org")
    withdrawn = _schedule(person=person)
    other = _schedule(key="k2", person=kept)
    assert withdrawn.state == State.PENDING
    person.consent_to_contact = False
    person.save()
    assert _send_due(clock) == 1
    assert [m.to for m in mail.outbox] == [["lindiwe@example.org"]]
    withdrawn.refresh_from_db()
    other.refresh_from_db()
    assert (withdrawn.state, withdrawn.last_error) == (State.SUPPRESSED, NO_CONSENT)
    assert other.state == State.SENT


def test_opt_out_is_per_kind_at_scheduling_and_at_sending(clock):
    person = PersonFactory(email="sipho@example.org")
    reminder = _schedule(person=person, kind=Kind.REMINDER)
    minutes = _schedule(key="k2", person=person, kind=Kind.MINUTES)
    # Recorded since the messages were scheduled (e.g. by another process), not cancelled:
    OptOut.objects.create(address="sipho@example.org", kind=Kind.REMINDER)
    assert _send_due(clock) == 1
    assert mail.outbox[0].subject == "Tomorrow: kiln trial"
    assert mail.outbox[0].extra_headers["X-VCC-Kind"] == Kind.MINUTES
    reminder.refresh_from_db()
    minutes.refresh_from_db()
    assert reminder.state == State.SUPPRESSED
    assert reminder.last_error == "Opted out of “Convening reminder” emails: not sent."
    assert minutes.state == State.SENT
    later = _schedule(key="k3", person=person, kind=Kind.REMINDER)
    assert later.state == State.SUPPRESSED


def test_a_copied_address_without_consent_is_dropped_from_the_copy(clock):
    owner = PersonFactory(email="owner@example.org")
    PersonFactory(email="lead@example.org", consent_to_contact=False)
    _schedule(person=owner, kind=Kind.ACTION_DUE, cc=["lead@example.org", "other@example.org"])
    assert _send_due(clock) == 1
    assert mail.outbox[0].to == ["owner@example.org"]
    assert mail.outbox[0].cc == ["other@example.org"]


@pytest.mark.parametrize("size", [4, 40])
def test_the_batch_check_costs_the_same_whatever_the_batch(clock, size, django_assert_num_queries):
    people = [PersonFactory(consent_to_contact=bool(i % 2)) for i in range(size)]
    for i, person in enumerate(people):
        _schedule(key=f"k{i}", person=person, due_at=T0)
    Message.objects.update(state=State.PENDING)  # as if consent had been withdrawn since
    OptOut.objects.create(address=people[1].email, kind=Kind.REMINDER)
    batch = list(Message.objects.all())
    Message.objects.update(state=State.SENDING)
    # 1 the people addressed, 2 their opt-outs, 3-4 one update per reason withheld.
    with django_assert_num_queries(4):
        kept = services.suppress_withheld(batch)
    assert len(kept) == size // 2 - 1
    assert Message.objects.filter(state=State.SUPPRESSED).count() == size // 2 + 1


def test_the_outbox_page_shows_suppressed_with_why(clock, as_coordinator, chain_a):
    person = PersonFactory(first_name="Sipho", last_name="Ndlovu", consent_to_contact=False)
    _schedule(person=person, value_chain=chain_a)
    page = as_coordinator.get(reverse("outbox:outbox")).content.decode()
    assert "Sipho Ndlovu" in page
    assert "Suppressed" in page and "No consent to contact: not sent." in page
    filtered = as_coordinator.get(reverse("outbox:outbox") + "?state=suppressed")
    assert "Sipho Ndlovu" in filtered.content.decode()
    assert (
        "Sipho Ndlovu"
        not in as_coordinator.get(reverse("outbox:outbox") + "?state=sent").content.decode()
    )


def test_convening_invitations_report_who_was_not_emailed_and_why(
    as_coordinator, partner_a, partner_a_user, chain_a, coordinator
):
    from convenings.models import Convening

    start = timezone.now() + datetime.timedelta(days=7)
    meeting = Convening.objects.create(
        value_chain=chain_a,
        kind="workshop",
        title="Kiln trial review",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        time_zone="Africa/Johannesburg",
        place="Amatola Sawmill",
        created_by=coordinator,
    )
    unwilling = PersonFactory(first_name="Sipho", last_name="Ndlovu", consent_to_contact=False)
    AffiliationFactory(person=unwilling, partner=partner_a)
    response = as_coordinator.post(
        reverse("convenings:invite", args=[meeting.pk]), {"partners": [partner_a.pk]}, follow=True
    )
    page = response.content.decode()
    assert "2 invited, 1 not emailed." in page
    assert "No consent to contact, so not sent: Sipho Ndlovu." in page
    detail = as_coordinator.get(meeting.get_absolute_url()).content.decode()
    assert "No consent to contact, so no invitation was emailed: Sipho Ndlovu." in detail
    invitation = Message.objects.get(person=unwilling, kind=Kind.INVITATION)
    assert invitation.state == State.SUPPRESSED


def test_published_minutes_say_whom_they_did_not_reach(
    as_coordinator, partner_a, chain_a, coordinator
):
    from convenings.models import Convening, Invitee

    start = timezone.now() - datetime.timedelta(days=1)
    meeting = Convening.objects.create(
        value_chain=chain_a,
        kind="workshop",
        title="Kiln trial review",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        time_zone="Africa/Johannesburg",
        place="Amatola Sawmill",
        created_by=coordinator,
    )
    willing = PersonFactory(first_name="Lindiwe", last_name="Dube")
    unwilling = PersonFactory(first_name="Sipho", last_name="Ndlovu", consent_to_contact=False)
    for person in (willing, unwilling):
        Invitee.objects.create(convening=meeting, person=person, attended=True)
    response = as_coordinator.post(
        reverse("convenings:minutes", args=[meeting.pk]),
        {"minutes": "The trial worked.", "decisions": "Build a second kiln.", "publish": "1"},
        follow=True,
    )
    page = response.content.decode()
    assert "Minutes published and sent." in page
    assert "No consent to contact, so the minutes were not sent to: Sipho Ndlovu." in page
    sent = Message.objects.get(kind=Kind.MINUTES, person=willing)
    assert sent.state in (State.PENDING, State.SENT)
