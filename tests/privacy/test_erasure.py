"""The erasure: a person present through every app is erased, and afterwards no table of any
model (every text, JSON and binary column, on PostgreSQL) holds their name, email or phone;
their interactions, attendance and outcomes are still counted."""

import datetime

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.urls import reverse
from django.utils import timezone

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
from outbox.models import Kind, Message, OptOut, State
from outcomes.models import OutcomeReport
from partners import services as partner_services
from partners.models import ChangeRecord, Interaction, Person
from privacy import services
from privacy.models import PrivacyRequest
from tests.conftest import client_for, require
from tests.factories import CommitmentFactory, UserFactory

pytestmark = pytest.mark.django_db

FIRST, LAST = "Zanelethu", "Okwuosa-Vantreck"
EMAIL = "zanelethu.vantreck@kwezi-mail.example"
PHONE = "+27 82 555 0199"
TRACES = [FIRST, LAST, EMAIL, "555 0199"]


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
    return {"person": person, "user": user, "interaction": interaction, "convening": convening}


def _columns(model) -> list[tuple[str, bool]]:
    """(column, is binary) of every column that can hold text."""
    text = (models.CharField, models.TextField, models.JSONField, models.BinaryField)
    return [
        (f.column, isinstance(f, models.BinaryField))
        for f in model._meta.concrete_fields
        if isinstance(f, text)
    ]


def traces_left() -> list[str]:
    """Where any trace of the person still is: "table.column: text", over every model."""
    found = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = connection.ops.quote_name(model._meta.db_table)
            for column, binary in _columns(model):
                col = connection.ops.quote_name(column)
                for trace in TRACES:
                    if binary:
                        where, param = f"position(%s::bytea in {col}) > 0", trace.encode()
                    else:
                        where, param = f"{col}::text ILIKE %s", f"%{trace}%"
                    cursor.execute(f"SELECT count(*) FROM {table} WHERE {where}", [param])
                    if cursor.fetchone()[0]:
                        found.append(f"{model._meta.db_table}.{column}: {trace}")
    return found


@pytest.mark.services
def test_erasure_leaves_no_trace_in_any_table(everywhere, coordinator):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    person = everywhere["person"]
    services.export_person(person=person, by=coordinator)
    before = traces_left()
    # The fixture really put them everywhere (so the scan below can fail).
    for table in [
        "partners_person", "partners_interaction", "partners_changerecord", "partners_partner",
        "partners_commitment", "partners_searchword", "auth_user", "outbox_message",
        "outbox_optout", "matchmaking_introduction", "matchmaking_introductionevent",
        "convenings_convening", "convenings_workinggroup", "convenings_actionitem",
        "convenings_actionupdate", "imports_importjob", "outcomes_outcomereport",
        "django_admin_log",
    ]:  # fmt: skip
        assert any(t.startswith(table + ".") for t in before), table

    erasure = services.erase_person(person=person, by=coordinator)

    assert traces_left() == []
    person.refresh_from_db()
    assert person.full_name == "A removed person" and person.email == "" and person.user is None
    user = everywhere["user"]
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password() and user.email == ""
    # Counts and outcomes stay, with the person anonymised.
    assert person.interactions.count() == 1
    assert Invitee.objects.get(person=person).attended
    assert OutcomeReport.objects.get().jobs_created == 3
    assert ActionItem.objects.get().owner == person
    assert "a removed person reported the trial" in Convening.objects.get().minutes
    assert not CalendarFeed.objects.exists()
    # Nothing more goes to them; the message that copied them goes without them.
    to_them = Message.objects.get(idempotency_key="k-to")
    assert (to_them.state, to_them.to_address) == (State.SUPPRESSED, "")
    assert Message.objects.get(idempotency_key="k-cc").cc == ""
    # The record: who and when, and how much, never what.
    assert erasure.asked_by == coordinator and not erasure.by_the_person
    assert erasure.counts["partners.Interaction"] == 1
    assert list(PrivacyRequest.objects.values_list("kind", flat=True)) == ["erasure", "export"]


def test_erasure_by_the_person_closes_their_sign_in(everywhere):
    person, user = everywhere["person"], everywhere["user"]
    client = client_for(user)
    page = client.get(reverse("privacy:erase", args=[person.pk]))
    assert "Erase me" in page.content.decode()
    refused = client.post(reverse("privacy:erase", args=[person.pk]), {})
    assert "Tick the box to confirm the erasure." in refused.content.decode()
    assert Person.objects.get(pk=person.pk).first_name == FIRST  # nothing erased
    done = client.post(reverse("privacy:erase", args=[person.pk]), {"confirm": "on"})
    assert "You have been erased" in done.content.decode()
    assert client.get(reverse("privacy:mine")).status_code == 302  # signed out
    assert not client.login(username=EMAIL, password="x")
    request = PrivacyRequest.objects.get(kind="erasure")
    assert request.by_the_person and request.asked_by_id == user.pk
    assert Interaction.objects.get().notes.startswith("a removed person says the kiln")
    assert not ChangeRecord.objects.filter(summary__icontains=FIRST).exists()
