"""A person's data export: everything vcc holds about them in one zip, asked by the person
("Download my data") or by a coordinator of their chain, and recorded."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from privacy.models import PrivacyRequest
from tests.conftest import client_for

from .conftest import EMAIL, FIRST

pytestmark = pytest.mark.django_db


def _files(response) -> dict:
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="vcc-person-')
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return {
        name: archive.read(name).decode()
        if name.endswith(".txt")
        else json.loads(archive.read(name))
        for name in archive.namelist()
    }


def test_a_coordinator_exports_everything_held_about_the_person(
    everywhere, as_coordinator, coordinator
):
    person = everywhere["person"]
    files = _files(as_coordinator.post(reverse("privacy:export", args=[person.pk])))
    assert files["partners/person.json"][0]["email"] == EMAIL
    assert files["partners/affiliations.json"][0]["partner__name"] == "Amatola Sawmill"
    assert files["partners/interactions.json"][0]["notes"].startswith(f"{FIRST} says the kiln")
    assert any("Edited person" in c["summary"] for c in files["partners/change_history.json"])
    account = files["partners/user_account.json"][0]
    assert account["username"] == EMAIL and "password" not in account
    assert files["matchmaking/introductions.json"][0]["reason"].startswith(FIRST)
    assert files["matchmaking/introduction_history.json"][0]["note"]
    invitation = files["convenings/convening_invitations.json"][0]
    assert invitation["convening__title"] == "Kiln review" and invitation["attended"] is True
    assert files["convenings/working_groups.json"] == [
        {"name": "Kilns", "value_chain": "Saligna Hardwood", "lead": True}
    ]
    assert files["convenings/action_items.json"][0]["title"] == f"{FIRST} writes up the trial"
    assert files["convenings/action_item_updates.json"][0]["status"] == "in_progress"
    assert {m["subject"] for m in files["outbox/messages.json"]} == {f"Tomorrow, {FIRST}"}
    assert files["outbox/opt_outs.json"][0]["kind"] == "digest"
    assert files["imports/import_records.json"][0]["filename"] == "people.csv"
    assert files["outcomes/outcome_reports.json"][0]["jobs_created"] == 3
    assert "partners/interactions.json: 1 record" in files["README.txt"]
    logged = PrivacyRequest.objects.get()
    assert (logged.kind, logged.asked_by, logged.by_the_person) == ("export", coordinator, False)
    # The person's page shows the record.
    page = as_coordinator.get(reverse("partners:person", args=[person.pk])).content.decode()
    assert "Data export on" in page and "by Cora" in page


def test_the_person_downloads_their_own_data(partner_a_user):
    client = client_for(partner_a_user)
    page = client.get(reverse("privacy:mine")).content.decode()
    assert "Download my data" in page and "Erase me" in page
    person = partner_a_user.person
    files = _files(client.post(reverse("privacy:export", args=[person.pk])))
    assert files["partners/person.json"][0]["email"] == partner_a_user.email
    assert PrivacyRequest.objects.get().by_the_person
    assert "by the person themself" in client.get(reverse("privacy:mine")).content.decode()


def test_an_account_without_a_person_is_told_so(coordinator):
    page = client_for(coordinator).get(reverse("privacy:mine")).content.decode()
    assert "vcc holds no person record for your account." in page


def test_the_export_is_refused_by_get(partner_a_user):
    """A download is a POST: it is recorded, and a link followed by a scanner records nothing."""
    url = reverse("privacy:export", args=[partner_a_user.person.pk])
    assert client_for(partner_a_user).get(url).status_code == 405
    assert not PrivacyRequest.objects.exists()


def test_the_export_costs_the_same_queries_however_much_is_held(
    partner_a, partner_a_user, coordinator
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from partners import services as partner_services
    from privacy import services

    person = partner_a_user.person

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            services.export_person(person=person, by=coordinator)
        return len(captured)

    def log(n):
        for i in range(n):
            partner_services.log_interaction(
                partners=[partner_a],
                values={"kind": "call", "topic": f"Call {i}", "people": [person]},
                by=coordinator,
            )

    log(2)
    few = queries()
    log(20)
    assert queries() == few


def test_the_record_outlives_a_deleted_person(partner_a_user, coordinator):
    """An import undone deletes the people it added: their record of requests stays."""
    from privacy import services

    person = partner_a_user.person
    services.export_person(person=person, by=coordinator)
    pk = person.pk
    person.delete()
    record = PrivacyRequest.objects.get()
    assert record.person is None and record.person_ref == pk
