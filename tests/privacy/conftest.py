"""A person present through every app: written through each app's own services where they exist."""

import datetime
from email.message import EmailMessage

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from capture import services as capture_services
from convenings.models import (
    ActionItem,
    ActionUpdate,
    CalendarFeed,
    Convening,
    Invitee,
    WorkingGroup,
)
from imports.models import ImportJob
from matchmaking.models import Introduction, IntroductionEvent
from outbox import services as outbox
from outbox.models import Kind, OptOut
from outcomes.models import OutcomeReport
from partners import services as partner_services
from partners.models import Person
from tests.factories import CommitmentFactory, UserFactory

FIRST, LAST = "Zanelethu", "Okwuosa-Vantreck"
EMAIL = "zanelethu.vantreck@kwezi-mail.example"
PHONE = "+27 82 555 0199"


@pytest.fixture
def everywhere(partner_a, partner_b, chain_a, coordinator):
    """The person, written through each app's own services where they exist."""
    user = UserFactory(username=EMAIL, email=EMAIL, first_name=FIRST, last_name=LAST)
    values = {
        "first_name": FIRST,
        "last_name": LAST,
        "email": EMAIL,
        "phone": PHONE,
        "consent_to_contact": True,
    }
    person = partner_services.add_person(
        partner_a, values=values, title="Kiln lead", by=coordinator
    )
    person.user = user
    person.save()
    partner_services.update_person(person, values={**values, "phone": PHONE + "1"}, by=coordinator)
    partner_services.update_person(person, values=values, by=coordinator)
    interaction = partner_services.log_interaction(
        partners=[partner_a],
        values={
            "kind": "call",
            "occurred_on": datetime.date(2026, 11, 2),
            "topic": f"Call with {FIRST} {LAST}",
            "notes": f"{FIRST} says the kiln is ready; call {PHONE} or write to {EMAIL}.",
            "visibility": "coordinators",
            "people": [person],
        },
        by=coordinator,
    )
    partner_a.description = f"Sawmill; ask for {FIRST} {LAST} at the gate."
    partner_a.save()
    CommitmentFactory(
        partner=partner_a, value_chain=chain_a, description=f"{FIRST} {LAST} delivers 20 m³."
    )
    introduction = Introduction.objects.create(
        value_chain=chain_a,
        partner_a=partner_a,
        partner_b=partner_b,
        person_a=person,
        reason=f"{FIRST} needs a buyer for kiln-dried timber.",
        created_by=coordinator,
    )
    IntroductionEvent.objects.create(
        introduction=introduction, status="proposed", note=f"Spoke to {LAST} first."
    )
    start = timezone.now() - datetime.timedelta(days=3)
    group = WorkingGroup.objects.create(
        value_chain=chain_a, name="Kilns", problem=f"Drying losses ({LAST}'s numbers).", lead=person
    )
    group.members.add(person)
    convening = Convening.objects.create(
        value_chain=chain_a,
        working_group=group,
        kind="group_meeting",
        title="Kiln review",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        time_zone="Africa/Johannesburg",
        place="Amatola",
        minutes=f"{FIRST} reported the trial. {FIRST} {LAST} to write it up.",
        created_by=coordinator,
    )
    Invitee.objects.create(convening=convening, person=person, rsvp="yes", attended=True)
    item = ActionItem.objects.create(
        value_chain=chain_a,
        working_group=group,
        title=f"{FIRST} writes up the trial",
        detail=f"Send to {EMAIL}",
        owner=person,
        due_on=datetime.date(2026, 12, 20),
        posted_by=coordinator,
    )
    ActionUpdate.objects.create(item=item, by=user, status="in_progress", note=f"{FIRST}: started")
    CalendarFeed.objects.create(person=person)
    outbox.schedule(
        key="k-to",
        kind=Kind.REMINDER,
        subject=f"Tomorrow, {FIRST}",
        template="outbox/email/plain",
        context={"text": f"Dear {FIRST} {LAST}, see you tomorrow."},
        due_at=timezone.now() + datetime.timedelta(days=1),
        person=person,
        value_chain=chain_a,
    )
    outbox.schedule(
        key="k-cc",
        kind=Kind.ACTION_DUE,
        subject="Due soon",
        template="outbox/email/plain",
        context={"text": "The kiln report."},
        due_at=timezone.now() + datetime.timedelta(days=1),
        address="other@example.org",
        cc=[EMAIL],
        value_chain=chain_a,
    )
    OptOut.objects.create(address=EMAIL, kind=Kind.DIGEST)
    ImportJob.objects.create(
        value_chain=chain_a,
        kind="people",
        uploaded_by=coordinator,
        filename="people.csv",
        data=f"First name,Last name,Email\n{FIRST},{LAST},{EMAIL}\n".encode(),
        preview=[{"row": 2, "values": {"First name": FIRST, "Last name": LAST, "Email": EMAIL}}],
    )
    OutcomeReport.objects.create(
        partner=partner_a,
        value_chain=chain_a,
        period_start=datetime.date(2026, 7, 1),
        period_end=datetime.date(2026, 9, 30),
        jobs_created=3,
        practices_adopted=f"Kiln schedules, trained by {FIRST} {LAST}",
        reported_by=user,
    )
    LogEntry.objects.create(
        user=coordinator,
        content_type=ContentType.objects.get_for_model(Person),
        object_id=str(person.pk),
        object_repr=f"{FIRST} {LAST}",
        action_flag=CHANGE,
        change_message=f"Changed email of {FIRST} {LAST}.",
    )
    # An email they sent to the capture mailbox, with an attachment that names them.
    mail = EmailMessage()
    mail["From"] = f"{FIRST} {LAST} <{EMAIL}>"
    mail["To"] = coordinator.email or "coordinator@example.org"
    mail["Subject"] = f"Kiln dates from {FIRST}"
    mail["Message-ID"] = "<kiln-dates@kwezi-mail.example>"
    mail.set_content(f"Regards, {FIRST} {LAST}, {PHONE}")
    mail.add_attachment(
        f"Contact: {EMAIL}".encode(), maintype="text", subtype="plain", filename="card.txt"
    )
    assert capture_services.capture_message(mail.as_bytes())
    return {"person": person, "user": user, "interaction": interaction, "convening": convening}
