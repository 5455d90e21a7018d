"""Convenings as a user meets them: scheduling, inviting, RSVP links, calendar files, minutes,
action items, and the follow-ups each change writes to the outbox."""

import datetime
import re

import icalendar
import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from convenings import emails as convening_emails
from convenings.models import ActionItem, CalendarFeed, Convening, Invitee
from followups.periodic import schedule_periodic
from matchmaking.models import Introduction, IntroductionStatus
from outbox import services as outbox
from outbox.models import Kind, Message, State
from tests.conftest import client_for
from tests.factories import AffiliationFactory, ParticipationFactory, PartnerFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _send_all():
    for pk in Message.objects.filter(state=State.PENDING).values_list("pk", flat=True):
        Message.objects.filter(pk=pk).update(due_at=timezone.now())
        outbox.send_message(pk)


def _parse_ics(text: str):
    """The one VEVENT, as icalendar reads it, of a calendar file that keeps RFC 5545's form:
    CRLF lines folded at 75 octets, VERSION and PRODID, and the properties every event needs."""
    assert text.endswith("\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    calendar = icalendar.Calendar.from_ical(text)
    assert calendar["VERSION"] == "2.0" and calendar.get("PRODID")
    (event,) = calendar.walk("VEVENT")
    for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "SUMMARY"):
        assert required in event
    assert event.decoded("DTSTART").utcoffset() == datetime.timedelta(0)
    return event


FORM = {
    "kind": "workshop",
    "title": "Kiln workshop",
    "time_zone": "Africa/Johannesburg",
    "starts_at": "2027-03-02T09:00",
    "ends_at": "2027-03-02T12:00",
    "place": "Stutterheim hall",
    "online_link": "",
    "agenda": "Drying schedules",
}


def test_end_before_start_is_refused_beside_the_field(as_coordinator, chain_a):
    data = {**FORM, "ends_at": "2027-03-02T08:00"}
    response = as_coordinator.post(reverse("convenings:create") + f"?chain={chain_a.pk}", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The end must be after the start." in page
    assert 'value="Kiln workshop"' in page  # nothing typed is lost
    assert not Convening.objects.exists()


def test_schedule_in_its_time_zone(as_coordinator, chain_a):
    response = as_coordinator.post(reverse("convenings:create") + f"?chain={chain_a.pk}", FORM)
    convening = Convening.objects.get()
    assert response["Location"] == convening.get_absolute_url()
    # 09:00 in Johannesburg (UTC+2) is 07:00 UTC.
    assert convening.starts_at == datetime.datetime(2027, 3, 2, 7, 0, tzinfo=datetime.UTC)
    page = as_coordinator.get(convening.get_absolute_url()).content.decode()
    assert "Tuesday 2 March 2027, 09:00 – 11:00" not in page  # (the form's end was 12:00)
    assert "Tuesday 2 March 2027, 09:00 – 12:00" in page


def test_place_or_link_required(as_coordinator, chain_a):
    data = {**FORM, "place": ""}
    response = as_coordinator.post(reverse("convenings:create") + f"?chain={chain_a.pk}", data)
    assert "Give a place or an online link." in response.content.decode()


def test_invite_by_group_and_by_partner_flags_no_email(
    as_coordinator, meeting, group, partner_a, partner_a_user, lead
):
    no_email = PersonFactory(first_name="Nomsa", last_name="Dube", email="")
    AffiliationFactory(person=no_email, partner=partner_a)
    response = as_coordinator.post(
        reverse("convenings:invite", args=[meeting.pk]),
        {"groups": [group.pk], "partners": [partner_a.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "3 invited, 1 not emailed." in page
    assert "No email address, so not sent: Nomsa Dube." in page
    _send_all()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [partner_a_user.email, lead.email] * 2  # the invitation and (a week ahead) the reminder
    )
    invitation = next(m for m in mail.outbox if m.subject.startswith("Invitation"))
    filename, content, mimetype = invitation.attachments[0]
    assert filename == "invite.ics" and mimetype.startswith("text/calendar")
    assert _parse_ics(content)["UID"] == f"{meeting.uid}@vcc"
    failed = Message.objects.get(person=no_email)
    assert failed.state == State.FAILED
    # Inviting again invites nobody twice.
    as_coordinator.post(reverse("convenings:invite", args=[meeting.pk]), {"groups": [group.pk]})
    assert meeting.invitees.count() == 3


def test_reminder_is_due_a_day_before(as_coordinator, meeting, group):
    as_coordinator.post(reverse("convenings:invite", args=[meeting.pk]), {"groups": [group.pk]})
    reminders = Message.objects.filter(kind=Kind.REMINDER)
    assert reminders.count() == 2
    assert {m.due_at for m in reminders} == {meeting.starts_at - datetime.timedelta(days=1)}
    outbox.dispatch_due()  # sends the invitations; the reminders are not due yet
    assert set(reminders.values_list("state", flat=True)) == {State.PENDING}
    assert [m.subject for m in mail.outbox] == ["Invitation: Kiln trial review"] * 2


def test_rsvp_from_the_email_link_without_signing_in(meeting, partner_a_user):
    invitee = Invitee.objects.create(convening=meeting, person=partner_a_user.person)
    convening_emails.invitation(meeting, invitee)
    _send_all()
    body = mail.outbox[0].body
    maybe = re.search(r"Maybe: (\S+)", body).group(1).removeprefix("http://127.0.0.1:8000")
    anonymous = client_for(None)
    confirm = anonymous.get(maybe)
    assert confirm.status_code == 200 and "Confirm “Maybe”" in confirm.content.decode()
    done = anonymous.post(maybe)
    assert "Thank you" in done.content.decode()
    invitee.refresh_from_db()
    assert invitee.rsvp == "maybe"


def test_tampered_or_expired_rsvp_link_changes_nothing(meeting, partner_a_user, monkeypatch):
    invitee = Invitee.objects.create(convening=meeting, person=partner_a_user.person)
    token = convening_emails.rsvp_token(invitee, "yes")
    anonymous = client_for(None)
    forged = signing.dumps({"i": invitee.pk, "a": "yes"}, salt="another-salt")
    for bad in (token[:-3] + "abc", forged):
        response = anonymous.post(reverse("convenings:rsvp_link", args=[bad]))
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
    later = timezone.now() + convening_emails.LINK_MAX_AGE + datetime.timedelta(days=1)
    monkeypatch.setattr("time.time", lambda: later.timestamp())
    response = anonymous.post(reverse("convenings:rsvp_link", args=[token]))
    assert response.status_code == 400
    invitee.refresh_from_db()
    assert invitee.rsvp == "pending"


def test_rsvp_from_the_partners_own_page(meeting, partner_a_user):
    Invitee.objects.create(convening=meeting, person=partner_a_user.person)
    client = client_for(partner_a_user)
    page = client.get(reverse("convenings:my_calendar")).content.decode()
    assert "Kiln trial review" in page
    client.post(reverse("convenings:rsvp", args=[meeting.pk]), {"rsvp": "no"})
    assert Invitee.objects.get().rsvp == "no"


def test_change_sends_update_same_uid_higher_sequence(as_coordinator, meeting, group):
    as_coordinator.post(reverse("convenings:invite", args=[meeting.pk]), {"groups": [group.pk]})
    before = _parse_ics(as_coordinator.get(reverse("convenings:ics", args=[meeting.pk])).text)
    data = {
        **FORM,
        "kind": "group_meeting",
        "title": "Kiln trial review (moved)",
        "starts_at": "2027-04-01T10:00",
        "ends_at": "2027-04-01T12:00",
    }
    as_coordinator.post(reverse("convenings:edit", args=[meeting.pk]), data)
    after = _parse_ics(as_coordinator.get(reverse("convenings:ics", args=[meeting.pk])).text)
    assert after["UID"] == before["UID"]
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after.decoded("DTSTART") == datetime.datetime(2027, 4, 1, 8, 0, tzinfo=datetime.UTC)
    updates = Message.objects.filter(kind=Kind.UPDATE)
    assert updates.count() == 2
    assert all("SEQUENCE:1" in m.attachments[0]["content"] for m in updates)
    # The old reminders are cancelled, new ones are due a day before the new time.
    reminders = Message.objects.filter(kind=Kind.REMINDER)
    assert {m.state for m in reminders if m.idempotency_key.count(":0:")} == {State.CANCELLED}
    pending = reminders.filter(state=State.PENDING)
    assert pending.count() == 2
    assert {m.due_at.isoformat() for m in pending} == {"2027-03-31T08:00:00+00:00"}


def test_attendance_checklist_with_htmx(as_coordinator, meeting, partner_a_user, htmx):
    invitee = Invitee.objects.create(convening=meeting, person=partner_a_user.person)
    url = reverse("convenings:attendance", args=[meeting.pk, invitee.pk])
    response = as_coordinator.post(url, {"attended": "on"}, **htmx)
    assert response.status_code == 200
    assert f'id="invitee-{invitee.pk}"' in response.content.decode()
    assert "checked" in response.content.decode()
    invitee.refresh_from_db()
    assert invitee.attended


def test_publishing_minutes_sends_to_attendees_and_those_who_missed(
    as_coordinator, meeting, partner_a_user, lead
):
    Invitee.objects.create(convening=meeting, person=partner_a_user.person, attended=True)
    Invitee.objects.create(convening=meeting, person=lead.person, attended=False)
    ActionItem.objects.create(
        value_chain=meeting.value_chain,
        convening=meeting,
        title="Send the moisture log",
        owner=lead.person,
        due_on=timezone.localdate() + datetime.timedelta(days=10),
    )
    url = reverse("convenings:minutes", args=[meeting.pk])
    as_coordinator.post(url, {"minutes": "Trial went well", "decisions": "Buy a meter", "save": ""})
    assert not Message.objects.filter(kind=Kind.MINUTES).exists()  # a draft sends nothing
    data = {"minutes": "Trial went well", "decisions": "Buy a meter", "publish": ""}
    as_coordinator.post(url, data)
    _send_all()
    by_address = {m.to[0]: m.body for m in mail.outbox if m.subject.startswith("Minutes")}
    assert set(by_address) == {partner_a_user.email, lead.email}
    assert "Thank you for coming" in by_address[partner_a_user.email]
    assert "missed it" in by_address[lead.email]
    assert "Send the moisture log" in by_address[lead.email]


def test_lead_posts_action_item_reminders_go_to_owner_with_lead_in_copy(
    group, lead, partner_a_user
):
    client = client_for(lead)
    due = timezone.localdate() + datetime.timedelta(days=7)
    response = client.post(
        reverse("convenings:group_action", args=[group.pk]),
        {
            "title": "Log kiln moisture",
            "owner": partner_a_user.person.pk,
            "due_on": due,
            "status": "open",
        },
    )
    assert response.status_code == 302
    item = ActionItem.objects.get()
    assert item.posted_by == lead
    messages = {m.kind: m for m in Message.objects.filter(about_type="actionitem")}
    assert set(messages) == {Kind.ACTION_DUE, Kind.ACTION_OVERDUE}
    assert messages[Kind.ACTION_DUE].to_address == partner_a_user.email
    assert messages[Kind.ACTION_DUE].cc == lead.email
    assert messages[Kind.ACTION_DUE].due_at.date() == due - datetime.timedelta(days=2)
    assert messages[Kind.ACTION_OVERDUE].due_at.date() == due + datetime.timedelta(days=1)
    # Done: the overdue reminder is cancelled.
    client_for(partner_a_user).post(item.get_absolute_url(), {"status": "done", "note": "Logged"})
    assert Message.objects.get(kind=Kind.ACTION_OVERDUE).state == State.CANCELLED
    assert [u.status for u in item.updates.all()] == ["open", "done"]


def test_action_item_without_owner_is_refused_beside_the_field(group, lead):
    response = client_for(lead).post(
        reverse("convenings:group_action", args=[group.pk]), {"title": "Log", "status": "open"}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert 'value="Log"' in response.content.decode()


def test_overdue_flagged_on_group_owner_page_and_coordinator_view(
    group, partner_a_user, as_coordinator
):
    ActionItem.objects.create(
        value_chain=group.value_chain,
        working_group=group,
        title="Late report",
        owner=partner_a_user.person,
        due_on=timezone.localdate() - datetime.timedelta(days=3),
    )
    for client, url in (
        (as_coordinator, group.get_absolute_url()),
        (client_for(partner_a_user), reverse("convenings:my_actions")),
        (as_coordinator, reverse("convenings:overdue")),
    ):
        page = client.get(url).content.decode()
        assert "Late report" in page and "overdue" in page, url


def test_introduction_followup_scheduled_in_the_same_transaction_and_answered(
    as_coordinator, partner_a, partner_a_user, chain_a, settings
):
    settings.VCC_INTRODUCTION_FOLLOWUP_DAYS = 14
    buyer = ParticipationFactory(
        value_chain=chain_a, partner=PartnerFactory(name="Coastal")
    ).partner
    contact = PersonFactory(first_name="Bongani", email="bongani@coastal.example")
    AffiliationFactory(person=contact, partner=buyer)
    as_coordinator.post(
        reverse("matchmaking:introduce", args=[partner_a.pk]),
        {
            "value_chain": chain_a.pk,
            "partner_b": buyer.pk,
            "person_a": partner_a_user.person.pk,
            "person_b": contact.pk,
            "reason": "Boards",
        },
    )
    introduction = Introduction.objects.get()
    followups = Message.objects.filter(kind=Kind.INTRODUCTION)
    assert {m.to_address for m in followups} == {partner_a_user.email, contact.email}
    expected = introduction.created_at + datetime.timedelta(days=14)
    assert all(abs((m.due_at - expected).total_seconds()) < 5 for m in followups)
    _send_all()
    body = next(m.body for m in mail.outbox if m.to == [contact.email])
    link = re.search(r"We are talking: (\S+)", body).group(1).removeprefix("http://127.0.0.1:8000")
    client_for(None).post(link)
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.TALKING
    # A tampered answer changes nothing.
    response = client_for(None).post(link[:-4] + "xyz/")
    assert response.status_code == 400


def test_calendar_feed_and_reset(meeting, partner_a_user):
    Invitee.objects.create(convening=meeting, person=partner_a_user.person)
    client = client_for(partner_a_user)
    client.get(reverse("convenings:my_calendar"))
    token = CalendarFeed.objects.get().token
    feed = client_for(None).get(reverse("convenings:feed", args=[token]))
    assert _parse_ics(feed.content.decode())["SUMMARY"] == "Kiln trial review"
    client.post(reverse("convenings:my_calendar"))
    assert client_for(None).get(reverse("convenings:feed", args=[token])).status_code == 404


def test_weekly_digest_to_the_coordinator(group, partner_a_user, coordinator):
    ActionItem.objects.create(
        value_chain=group.value_chain,
        working_group=group,
        title="Late report",
        owner=partner_a_user.person,
        due_on=datetime.date(2026, 11, 1),
    )
    monday = datetime.datetime(2026, 11, 23, 7, 0, tzinfo=datetime.UTC)
    assert schedule_periodic(monday) == 1
    assert schedule_periodic(monday) == 0  # hourly runs: once a week
    digest = Message.objects.get(kind=Kind.DIGEST)
    assert digest.to_address == coordinator.email
    assert "Late report" in digest.body_text and "Amatola Sawmill" in digest.body_text
    tuesday = monday + datetime.timedelta(days=1)
    assert schedule_periodic(tuesday) == 0


@pytest.mark.parametrize("n", [5, 60])
def test_convening_page_queries_constant(
    n, as_coordinator, meeting, partner_a, django_assert_num_queries
):
    people = [PersonFactory(email=f"p{i}@example.org") for i in range(n)]
    for person in people:
        AffiliationFactory(person=person, partner=partner_a)
    Invitee.objects.bulk_create([Invitee(convening=meeting, person=p) for p in people])
    # session, user, convening with rights, own invitee, invitees, their affiliations,
    # invitations suppressed (no consent, opted out), actions, and the invite form's menus
    # (partners, stages, groups, people)
    with django_assert_num_queries(8):
        response = as_coordinator.get(meeting.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count('name="attended"') == n


@pytest.mark.parametrize("n", [2, 40])
def test_group_page_queries_constant(
    n, as_coordinator, group, partner_a_user, django_assert_num_queries
):
    ActionItem.objects.bulk_create(
        ActionItem(
            value_chain=group.value_chain,
            working_group=group,
            title=f"Item {i}",
            owner=partner_a_user.person,
            due_on=datetime.date(2027, 1, 1),
        )
        for i in range(n)
    )
    # ... and the action form's owner picker: the chain's people, then their organisations.
    with django_assert_num_queries(8):
        response = as_coordinator.get(group.get_absolute_url())
    assert response.content.decode().count("Item ") >= n


@pytest.mark.parametrize("n", [2, 30])
def test_convening_list_queries_constant(n, as_coordinator, chain_a, django_assert_num_queries):
    start = timezone.now() + datetime.timedelta(days=1)
    Convening.objects.bulk_create(
        Convening(
            value_chain=chain_a,
            kind="webinar",
            title=f"W{i}",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            online_link="https://x.example",
        )
        for i in range(n)
    )
    with django_assert_num_queries(5):
        response = as_coordinator.get(reverse("convenings:list"))
    assert response.status_code == 200


def test_the_ics_part_names_its_charset_once(meeting, partner_a_user):
    """The calendar attachment as a mail client parses it: text/calendar, method REQUEST,
    charset utf-8 once in its Content-Type header."""
    import email

    from convenings import ics
    from outbox.models import Message
    from outbox.services import build_email

    invitee = Invitee.objects.create(convening=meeting, person=partner_a_user.person)
    message = Message(
        to_address="zanele@amatola.example",
        kind="invitation",
        subject="Invitation",
        body_text="Hello",
        attachments=[ics.attachment(meeting, invitee)],
        idempotency_key="ics-charset",
    )
    parsed = email.message_from_bytes(build_email(message).message().as_bytes())
    (part,) = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    header = part["Content-Type"]
    assert header.lower().count("charset") == 1, header
    assert part.get_param("method") == "REQUEST"
    assert part.get_content_charset() == "utf-8"
    assert "BEGIN:VCALENDAR" in part.get_payload(decode=True).decode()
