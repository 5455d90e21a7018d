"""After an import, search, history and suggestions are what they would be had the rows been
typed in on the pages (issue 14): the import uses the same services."""

import pytest
from django.urls import reverse

from imports import services
from imports.models import DuplicateAction
from matchmaking.models import Suggestion
from partners.models import Need, Offer
from partners.search import partner_search_documents, person_search_documents
from tests.conftest import client_for
from tests.factories import (
    NeedFactory,
    ParticipationFactory,
    PartnerFactory,
    ProductFactory,
    ValueChainFactory,
)

from .test_services import _run_queued_tasks, check, start  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def imported(coordinator, chain, kind, text):
    job = services.request_import(check(start(coordinator, chain, kind, text)), {})
    job.refresh_from_db()
    assert job.state == "imported", job.failure
    return job


def directory_names(coordinator, q):
    response = client_for(coordinator).get(reverse("partners:directory"), {"q": q})
    return [row["name"] for row in response.context["rows"]]


def test_an_imported_offer_is_found_by_its_product(coordinator, chain_a, partner_a):
    imported(
        coordinator,
        chain_a,
        "offers",
        "Supplier,Commodity,Qty,UOM\nAmatola Sawmill,Kiln-dried saligna,40,m³\n",
    )
    partner_a.refresh_from_db()
    assert partner_a.search_document == partner_search_documents([partner_a.pk])[partner_a.pk]
    assert directory_names(coordinator, "saligna") == ["Amatola Sawmill"]


def test_an_imported_person_is_found_with_their_organisation(coordinator, chain_a, partner_a):
    imported(
        coordinator,
        chain_a,
        "people",
        "First Name,Surname,E-mail,Organisation\nNomsa,Khumalo,nomsa@x.example,Amatola Sawmill\n",
    )
    partner_a.refresh_from_db()
    person = partner_a.affiliations.get().person
    assert person.search_document == person_search_documents([person.pk])[person.pk]
    assert "amatola sawmill" in person.search_document
    assert directory_names(coordinator, "khumalo") == ["Amatola Sawmill"]
    people = client_for(coordinator).get(reverse("partners:people"), {"q": "amatola"})
    assert [row["name"] for row in people.context["rows"]] == ["Nomsa Khumalo"]


def test_imports_write_history_on_each_partner_and_undo_notes_it(coordinator, chain_a, partner_a):
    job = imported(
        coordinator,
        chain_a,
        "offers",
        "Supplier,Commodity,Qty,UOM\nAmatola Sawmill,Pine poles,300,each\n",
    )
    change = partner_a.changes.get()
    assert change.summary == "Added offer: Pine poles, imported from list.csv"
    assert change.user == coordinator
    page = client_for(coordinator).get(f"/partners/{partner_a.pk}/?tab=history")
    assert "Added offer: Pine poles, imported from list.csv" in page.content.decode()
    services.request_undo(job)
    assert not Offer.objects.exists()
    assert partner_a.changes.first().summary == "Import of list.csv undone"
    partner_a.refresh_from_db()
    assert "pine" not in partner_a.search_document


def test_imported_partners_have_a_created_line(coordinator, chain_a):
    imported(coordinator, chain_a, "partners", "Company Name,Region\nKaroo Honey,Western Cape\n")
    assert directory_names(coordinator, "karoo") == ["Karoo Honey"]
    (summary,) = [c.summary for c in chain_a.participations.get().partner.changes.all()]
    assert summary == "Created Karoo Honey in Saligna Hardwood, imported from list.csv"


def test_imported_offers_and_needs_have_their_suggestions_at_once(coordinator, chain_a, partner_a):
    boards = ProductFactory(name="Saligna boards", unit="m³")
    buyer = ParticipationFactory(
        value_chain=chain_a, partner=PartnerFactory(name="Mthatha Furniture")
    ).partner
    need = NeedFactory(partner=buyer, product=boards, volume=100, unit="m³")
    imported(
        coordinator,
        chain_a,
        "offers",
        "Supplier,Commodity,Qty,UOM\nAmatola Sawmill,Saligna boards,400,m³\n",
    )
    offer = Offer.objects.get()
    assert Suggestion.objects.filter(need=need, offer=offer).exists()
    # And the other way: an imported need is matched with the offer already there.
    ParticipationFactory(value_chain=chain_a, partner=PartnerFactory(name="Coastal Joinery"))
    imported(
        coordinator,
        chain_a,
        "needs",
        "Organisation,Commodity,Qty,UOM\nCoastal Joinery,Saligna boards,50,m³\n",
    )
    new_need = Need.objects.exclude(pk=need.pk).get()
    assert Suggestion.objects.filter(need=new_need, offer=offer).exists()


def test_imported_partners_are_in_the_chains_directory_from_the_day_they_joined(
    coordinator, chain_a
):
    """The new partners bring their name to their participation; a partner of another chain
    that joins this one (found by its website, under another name) keeps its own name; both
    joined on the file's date, which is what "partners per stage over time" counts from."""
    other = ValueChainFactory(name="Honey")
    other.coordinators.add(coordinator)
    ParticipationFactory(
        value_chain=other, partner=PartnerFactory(name="Amatola Sawmill", website="amatola.example")
    )
    job = services.request_import(
        check(
            start(
                coordinator,
                chain_a,
                "partners",
                "Organisation,Web site,Joined\n"
                "Zuurberg Kilns,,2026-03-02\n"
                "Amatola Saw Mill (Pty) Ltd,https://www.amatola.example/,2026-04-05\n",
            ),
            action=DuplicateAction.MERGE,
        ),
        {},
    )
    job.refresh_from_db()
    assert job.state == "imported", job.failure
    response = client_for(coordinator).get(reverse("partners:directory"), {"chain": chain_a.pk})
    assert [row["name"] for row in response.context["rows"]] == [
        "Amatola Sawmill",
        "Zuurberg Kilns",
    ]
    joined = dict(chain_a.participations.values_list("partner__name", "joined_on"))
    assert {name: str(day) for name, day in joined.items()} == {
        "Zuurberg Kilns": "2026-03-02",
        "Amatola Sawmill": "2026-04-05",
    }
