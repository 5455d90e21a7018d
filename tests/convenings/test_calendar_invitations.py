"""Calendar invitations a calendar app can answer (icalendar parses every file here), and
cancelling a convening: what invitees receive, what their calendars and the pages show, and
what stops."""

import datetime

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from convenings import emails as convening_emails
from convenings import services
from convenings.models import CalendarFeed, Convening, Invitee
from outbox import services as outbox
from outbox.models import Kind, Message, State
from outcomes.dashboard import Scope, figure_convenings
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _event(ics_text: str, method: str | None):
    calendar = icalendar.Calendar.from_ical(ics_text)
    assert calendar.get("METHOD") == method
    (event,) = calendar.walk("VEVENT")
    return event


def _attendees(event) -> dict[str, dict]:
    found = event.get("ATTENDEE", [])
    found = found if isinstance(found, list) else [found]
    return {str(a).removeprefix("mailto:"): dict(a.params) for a in found}


def _send_all():
    for pk in Message.objects.filter(state=State.PENDING).values_list("pk", flat=True):
        Message.objects.filter(pk=pk).update(due_at=timezone.now())
        outbox.send_message(pk)


def test_invitation_is_an_itip_request_with_organiser_and_attendee(
    meeting, group, lead, partner_a_user, settings
):
    """A working-group meeting's invitation: the group's lead organises, the invitee is an
    attendee whose answer is needed; every property a calendar app reads is there."""
    settings.SITE_URL = "https://vcc.example.org"
    services.invite(meeting, [partner_a_user.person.pk])
    message = Message.objects.get(kind=Kind.INVITATION, person=partner_a_user.person)
    (attachment,) = message.attachments
    assert attachment["mimetype"] == "text/calendar; method=REQUEST"
    event = _event(attachment["content"], "REQUEST")
    assert str(event["UID"]) == f"{meeting.uid}@vcc"
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert event.decoded("DTSTART") == meeting.starts_at.replace(microsecond=0)
    assert event.decoded("DTEND") == meeting.ends_at.replace(microsecond=0)
    assert event.decoded("DTSTART").utcoffset() == datetime.timedelta(0)
    assert str(event["SUMMARY"]) == "Kiln trial review"
    assert str(event["LOCATION"]) == "Amatola Sawmill boardroom"
    assert str(event["DESCRIPTION"]) == "1. Trial results\n2. Next kiln"
    assert str(event["URL"]) == f"https://vcc.example.org/convenings/{meeting.pk}/"
    assert str(event["STATUS"]) == "CONFIRMED"
    organizer = event["ORGANIZER"]
    assert str(organizer) == "mailto:lead@amatola.example"
    assert organizer.params["CN"] == lead.person.full_name
    # Only the recipient: vcc does not show one partner the others it invited.
    assert _attendees(event) == {
        "alice@amatola.example": {
            "CN": partner_a_user.person.full_name,
            "ROLE": "REQ-PARTICIPANT",
            "PARTSTAT": "NEEDS-ACTION",
            "RSVP": "TRUE",
        }
    }


def test_workshop_is_organised_by_its_coordinator_or_the_capture_address(
    workshop, coordinator, partner_a_user, settings
):
    invitee = workshop.invitees.get()
    convening_emails.invitation(workshop, invitee)
    event = _event(Message.objects.get(kind=Kind.INVITATION).attachments[0]["content"], "REQUEST")
    assert str(event["ORGANIZER"]) == "mailto:coordinator@example.org"
    assert event["ORGANIZER"].params["CN"] == "Cora"
    assert str(event["LOCATION"]) == "https://meet.example.org/buyers"
    # With the capture mailbox configured, replies go to vcc, under the organiser's name.
    settings.VCC_CAPTURE_ADDRESS = "log@vcc.example.org"
    text = services.emails.ics.calendar([services.emails.ics.vevent(workshop, [invitee])])
    organizer = _event(text, "REQUEST")["ORGANIZER"]
    assert str(organizer) == "mailto:log@vcc.example.org" and organizer.params["CN"] == "Cora"


@pytest.mark.parametrize(
    "rsvp, partstat",
    [("pending", "NEEDS-ACTION"), ("yes", "ACCEPTED"), ("no", "DECLINED"), ("maybe", "TENTATIVE")],
)
def test_the_feed_carries_the_persons_answer(meeting, partner_a_user, rsvp, partstat):
    Invitee.objects.create(convening=meeting, person=partner_a_user.person, rsvp=rsvp)
    feed = CalendarFeed.objects.create(person=partner_a_user.person)
    response = client_for(None).get(reverse("convenings:feed", args=[feed.token]))
    calendar = icalendar.Calendar.from_ical(response.content)
    assert "METHOD" not in calendar and str(calendar["X-WR-CALNAME"]) == "vcc convenings"
    (event,) = calendar.walk("VEVENT")
    assert _attendees(event)["alice@amatola.example"]["PARTSTAT"] == partstat


def test_feed_queries_constant(meeting, workshop, partner_a_user, django_assert_num_queries):
    Invitee.objects.create(convening=meeting, person=partner_a_user.person)
    feed = CalendarFeed.objects.create(person=partner_a_user.person)
    client = client_for(None)
    # The feed by its token; the person's invitations with convening, group lead, creator.
    with django_assert_num_queries(2):
        response = client.get(reverse("convenings:feed", args=[feed.token]))
    assert len(icalendar.Calendar.from_ical(response.content).walk("VEVENT")) == 2


def test_organisers_download_lists_everyone_an_invitees_only_themselves(
    meeting, as_coordinator, partner_a_user, lead
):
    services.invite(meeting, [partner_a_user.person.pk, lead.person.pk])
    url = reverse("convenings:ics", args=[meeting.pk])
    everyone = _attendees(_event(as_coordinator.get(url).text, "PUBLISH"))
    assert set(everyone) == {"alice@amatola.example", "lead@amatola.example"}
    own = _attendees(_event(client_for(partner_a_user).get(url).text, "PUBLISH"))
    assert set(own) == {"alice@amatola.example"}


# Cancelling ---------------------------------------------------------------------------------


@pytest.fixture
def invited(meeting, group, as_coordinator):
    """The group (the lead and partner A's member) invited to the meeting; invitations sent."""
    as_coordinator.post(reverse("convenings:invite", args=[meeting.pk]), {"groups": [group.pk]})
    outbox.dispatch_due()  # the invitations; the reminders wait for the day before
    assert len(mail.outbox) == 2
    mail.outbox.clear()
    meeting.refresh_from_db()
    return meeting


def test_confirmation_page_says_who_is_told(invited, as_coordinator):
    page = as_coordinator.get(reverse("convenings:cancel", args=[invited.pk])).content.decode()
    assert "Cancel this convening?" in page
    assert "2 people are invited" in page
    assert "Message to the invitees (optional)" in page
    invited.refresh_from_db()
    assert not invited.is_cancelled  # a GET changes nothing


def test_too_long_message_is_refused_beside_the_field_and_kept(invited, as_coordinator):
    note = "x" * 2001
    response = as_coordinator.post(reverse("convenings:cancel", args=[invited.pk]), {"note": note})
    assert response.status_code == 200
    page = response.content.decode()
    assert "at most 2000 characters" in page and note in page
    invited.refresh_from_db()
    assert not invited.is_cancelled


def test_cancelling_tells_everyone_with_a_cancel_ics_and_stops_reminders(
    invited, as_coordinator, partner_a_user, lead
):
    before = invited.sequence
    assert Message.objects.filter(kind=Kind.REMINDER, state=State.PENDING).count() == 2
    response = as_coordinator.post(
        reverse("convenings:cancel", args=[invited.pk]),
        {"note": "The kiln is being repaired; we meet in May."},
        follow=True,
    )
    page = response.content.decode()
    assert "Convening cancelled; everyone invited is told." in page
    assert "This convening was cancelled" in page and "cancelled-title" in page
    assert "The kiln is being repaired" in page
    assert "Invite people" not in page and ">Edit<" not in page
    invited.refresh_from_db()
    assert invited.is_cancelled and invited.sequence == before + 1
    # The reminders stop.
    reminders = Message.objects.filter(kind=Kind.REMINDER)
    assert {m.state for m in reminders} == {State.CANCELLED}
    _send_all()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([lead.email, partner_a_user.email])
    for sent in mail.outbox:
        assert sent.subject == "Cancelled: Kiln trial review"
        assert "This convening is cancelled" in sent.body
        assert "The kiln is being repaired; we meet in May." in sent.body
        (filename, content, mimetype) = sent.attachments[0]
        assert filename == "cancel.ics" and mimetype == "text/calendar; method=CANCEL"
        event = _event(content, "CANCEL")
        assert str(event["UID"]) == f"{invited.uid}@vcc"
        assert event["SEQUENCE"] == before + 1
        assert str(event["STATUS"]) == "CANCELLED"
        assert set(_attendees(event)) == {sent.to[0]}
    # Cancelling again tells nobody twice.
    as_coordinator.post(reverse("convenings:cancel", args=[invited.pk]), {"note": ""})
    assert Message.objects.filter(kind=Kind.CANCELLATION).count() == 2


def test_after_cancelling_nothing_more_is_scheduled(invited, as_coordinator, partner_b_user):
    services.cancel_convening(convening=invited)
    count = Message.objects.count()
    # Inviting, editing and answering are refused with a note, and send nothing.
    response = as_coordinator.post(
        reverse("convenings:invite", args=[invited.pk]),
        {"people": [partner_b_user.person.pk]},
        follow=True,
    )
    assert "This convening was cancelled" in response.content.decode()
    assert services.invite(invited, [partner_b_user.person.pk]) == (0, {})
    response = as_coordinator.get(reverse("convenings:edit", args=[invited.pk]))
    assert response.status_code == 302
    with pytest.raises(ValueError):
        services.save_convening(values={"title": "Back on"}, convening=invited, by=None)
    convening_emails.convening_changed(invited)
    for invitee in invited.invitees.select_related("person"):
        convening_emails.invitation(invited, invitee)
    assert Message.objects.count() == count
    assert invited.invitees.count() == 2


def test_rsvp_links_answer_that_it_was_cancelled(invited, partner_a_user):
    invitee = invited.invitees.get(person=partner_a_user.person)
    token = convening_emails.rsvp_token(invitee, "yes")
    services.cancel_convening(convening=invited, note="Flooded road.")
    url = reverse("convenings:rsvp_link", args=[token])
    anonymous = client_for(None)
    for response in (anonymous.get(url), anonymous.post(url)):
        page = response.content.decode()
        assert response.status_code == 200
        assert "This convening was cancelled" in page and "Flooded road." in page
        assert "Confirm" not in page
    client = client_for(partner_a_user)
    response = client.post(reverse("convenings:rsvp", args=[invited.pk]), {"rsvp": "yes"})
    assert response.status_code == 302
    response = client.post(
        reverse("convenings:invitation_rsvp", args=[invitee.pk]), {"rsvp": "yes"}, follow=True
    )
    assert "was cancelled: no answer is needed" in response.content.decode()
    invitee.refresh_from_db()
    assert invitee.rsvp == "pending" and invitee.rsvp_at is None
    calendar = client.get(reverse("convenings:my_calendar")).content.decode()
    assert "cancelled-title" in calendar and "No answer needed." in calendar


def test_the_feed_shows_it_cancelled(invited, partner_a_user):
    feed = CalendarFeed.objects.create(person=partner_a_user.person)
    services.cancel_convening(convening=invited)
    response = client_for(None).get(reverse("convenings:feed", args=[feed.token]))
    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == invited.sequence


def test_pages_mark_it_cancelled(invited, as_coordinator, group):
    services.cancel_convening(convening=invited)
    listing = as_coordinator.get(reverse("convenings:list")).content.decode()
    assert 'class="cancelled-title">Kiln trial review' in listing
    assert 'badge bad">cancelled' in listing
    group_page = as_coordinator.get(reverse("convenings:group", args=[group.pk])).content.decode()
    assert 'badge bad">cancelled' in group_page


def test_a_past_convening_is_not_cancelled(meeting, as_coordinator):
    Convening.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(days=2),
        ends_at=timezone.now() - datetime.timedelta(days=2, hours=-2),
    )
    response = as_coordinator.post(reverse("convenings:cancel", args=[meeting.pk]), follow=True)
    assert "This convening is over" in response.content.decode()
    meeting.refresh_from_db()
    assert not meeting.is_cancelled


def test_the_dashboard_counts_only_convenings_that_happened(meeting, workshop, chain_a):
    past = timezone.now() - datetime.timedelta(days=3)
    for convening in (meeting, workshop):
        Convening.objects.filter(pk=convening.pk).update(
            starts_at=past, ends_at=past + datetime.timedelta(hours=2)
        )
    Convening.objects.filter(pk=workshop.pk).update(status="cancelled", cancelled_at=past)
    scope = Scope(chain_ids=(chain_a.pk,))
    figure = figure_convenings(scope)
    assert figure.lede.startswith("1 convening held")


@pytest.mark.parametrize("n", [1, 30])
def test_cancel_page_queries_constant(n, workshop, as_coordinator, django_assert_num_queries):
    from tests.factories import PersonFactory

    services.invite(workshop, [PersonFactory(email=f"p{i}@example.org").pk for i in range(n)])
    # Session, user; the convening with the user's rights; the user's own invitation; how
    # many are invited.
    with django_assert_num_queries(5):
        response = as_coordinator.get(reverse("convenings:cancel", args=[workshop.pk]))
    assert f"{n + 1} people are invited" in response.content.decode()
