"""Exports: the directories as filtered on screen, and the coordinator's full zip."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse

from partners.models import Interaction, InteractionPartner
from partners.search import refresh_search_documents
from tests.conftest import client_for
from tests.factories import (
    AffiliationFactory,
    OfferFactory,
    ParticipationFactory,
    PartnerFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

DIRECTORY_CSV = reverse("partners:directory_csv")
PEOPLE_CSV = reverse("partners:people_csv")
EXPORT = reverse("outcomes:export")


def rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_directory_csv_has_every_page_with_the_filters(
    as_coordinator, chain_a, partner_a, settings
):
    settings.VCC_PAGE_SIZE = 2
    for i in range(5):
        ParticipationFactory(
            value_chain=chain_a, partner=PartnerFactory(name=f"Co-op {i}", kind="cooperative")
        )
    response = as_coordinator.get(DIRECTORY_CSV, {"kind": "cooperative", "sort": "-name"})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="vcc-partners-' in response["Content-Disposition"]
    table = rows(response)
    assert table[0][:3] == ["Name", "Kind", "Region"]
    # All five (the screen shows two per page), sorted as asked, Amatola (a business) left out.
    assert [r[0] for r in table[1:]] == [f"Co-op {i}" for i in (4, 3, 2, 1, 0)]
    chains = table[0].index("Value chains")
    assert (
        table[1][chains] == "Saligna Hardwood (Producer, Engaged)"
        or "Saligna Hardwood" in table[1][chains]
    )


def test_directory_page_links_to_its_csv_with_the_filters(as_coordinator, partner_a):
    body = as_coordinator.get(reverse("partners:directory"), {"kind": "business"}).content.decode()
    assert f'href="{DIRECTORY_CSV}?kind=business"' in body


def test_text_a_spreadsheet_would_run_is_made_inert(as_coordinator, chain_a):
    ParticipationFactory(
        value_chain=chain_a, partner=PartnerFactory(name='=HYPERLINK("http://x","y")')
    )
    table = rows(as_coordinator.get(DIRECTORY_CSV))
    assert table[1][0] == '\'=HYPERLINK("http://x","y")'


def test_people_csv_follows_the_search(as_coordinator, partner_a):
    for first in ["Thandi", "Sipho"]:
        AffiliationFactory(
            partner=partner_a, title="Manager", person=PersonFactory(first_name=first)
        )
    refresh_search_documents(None, None)
    table = rows(as_coordinator.get(PEOPLE_CSV, {"q": "thandi"}))
    assert [r[0] for r in table[1:]] == ["Thandi"]
    assert table[1][4:6] == ["Amatola Sawmill", "Manager"]


def test_exports_are_for_coordinators_of_their_own_chains(
    partner_a, partner_b, partner_a_user, other_coordinator, coordinator
):
    for url in (DIRECTORY_CSV, PEOPLE_CSV, EXPORT):
        assert client_for(None).get(url).status_code == 302
        assert client_for(partner_a_user).get(url).status_code == 403
    assert client_for(partner_a_user).post(EXPORT).status_code == 403
    others = [r[0] for r in rows(client_for(other_coordinator).get(DIRECTORY_CSV))[1:]]
    assert others == ["Riverbend Farm"]


@pytest.mark.parametrize("count", [5, 40])
def test_directory_csv_queries_constant(as_coordinator, chain_a, count, django_assert_num_queries):
    for _ in range(count):
        ParticipationFactory(value_chain=chain_a)
    # session, user, my chain ids, the rows; for the chunk: their chains, those chains'
    # stages, their certifications = 7
    with django_assert_num_queries(7):
        assert len(rows(as_coordinator.get(DIRECTORY_CSV))) == count + 1


def test_full_export_zips_every_table_of_my_chains_only(
    as_coordinator, other_coordinator, partner_a, partner_b, coordinator
):
    OfferFactory(partner=partner_a)
    note = Interaction.objects.create(
        kind="call", topic="Prices", notes="Cash flow is tight", visibility="coordinators"
    )
    InteractionPartner.objects.create(
        interaction=note, partner=partner_a, occurred_on=note.occurred_on
    )
    page = as_coordinator.get(EXPORT)
    assert (
        "Download the zip" in page.content.decode() and "Saligna Hardwood" in page.content.decode()
    )

    response = as_coordinator.post(EXPORT)
    assert response["Content-Disposition"].startswith('attachment; filename="vcc-export-')
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    # Every table (tests/outcomes/test_export_registry.py checks the whole list).
    assert set(archive.namelist()) >= {
        *("partners.csv", "people.csv", "participations.csv", "offers.csv", "needs.csv"),
        *("interactions.csv", "introductions.csv", "relationships.csv", "commitments.csv"),
        *("interests.csv", "convenings.csv", "outcome_reports.csv", "change_history.csv"),
    }
    partners = archive.read("partners.csv").decode("utf-8-sig")
    assert "Amatola Sawmill" in partners and "Riverbend Farm" not in partners
    assert "Cash flow is tight" in archive.read("interactions.csv").decode("utf-8-sig")
    assert "Amatola Sawmill" in archive.read("offers.csv").decode("utf-8-sig")

    theirs = zipfile.ZipFile(
        io.BytesIO(b"".join(client_for(other_coordinator).post(EXPORT).streaming_content))
    )
    assert "Cash flow is tight" not in theirs.read("interactions.csv").decode("utf-8-sig")
    assert "Riverbend Farm" in theirs.read("partners.csv").decode("utf-8-sig")
