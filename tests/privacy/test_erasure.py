"""The erasure: a person present through every app is erased, and afterwards no table of any
model (every text, JSON and binary column, on PostgreSQL) holds their name, email or phone;
their interactions, attendance and outcomes are still counted."""

import pytest
from django.apps import apps
from django.db import connection, models
from django.http import HttpRequest
from django.urls import reverse

from convenings.models import ActionItem, CalendarFeed, Convening, Invitee
from outbox.models import Message, State
from outcomes.models import OutcomeReport
from partners.models import ChangeRecord, Interaction, Person
from privacy import services
from privacy.models import PrivacyRequest
from tests.conftest import client_for, require

from .conftest import EMAIL, FIRST, LAST

pytestmark = pytest.mark.django_db

TRACES = [FIRST, LAST, "Okwuosa", "Vantreck", EMAIL, "555 0199"]


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
    assert not client.login(request=HttpRequest(), username=EMAIL, password="x")
    request = PrivacyRequest.objects.get(kind="erasure")
    assert request.by_the_person and request.asked_by_id == user.pk
    assert Interaction.objects.get().notes.startswith("a removed person says the kiln")
    assert not ChangeRecord.objects.filter(summary__icontains=FIRST).exists()
