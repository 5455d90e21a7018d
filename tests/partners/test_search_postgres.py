"""Typo-tolerant search: PostgreSQL trigram and full-text over GIN indexes."""

import pytest
from django.db import connection
from django.urls import reverse

from partners.services import refresh_search_documents
from tests.conftest import require
from tests.factories import AffiliationFactory, ParticipationFactory, PartnerFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def postgres_only():
    require(connection.vendor == "postgresql", "PostgreSQL")


@pytest.fixture
def network(chain_a, partner_a):
    for name in ["Kei River Timber", "Mthatha Furniture Works", "Coastal Exporters"]:
        ParticipationFactory(value_chain=chain_a, partner=PartnerFactory(name=name))
    person = PersonFactory(first_name="Nokuthula", last_name="Mahlangu")
    AffiliationFactory(person=person, partner=partner_a)
    refresh_search_documents(None, None)


@pytest.mark.parametrize(
    "q, expected",
    [
        ("amatolla", "Amatola Sawmill"),  # a letter too many
        ("mthata furnitur", "Mthatha Furniture Works"),  # two typos, partial word
        ("nokuthla", "Amatola Sawmill"),  # a person's name, misspelt
        ("exporter", "Coastal Exporters"),
    ],
)
def test_search_tolerates_typos(as_coordinator, network, q, expected):
    response = as_coordinator.get(reverse("partners:directory"), {"q": q, "sort": "relevance"})
    found = [p.name for p in response.context["page"].rows]
    assert found and found[0] == expected, found


def test_search_indexes_exist():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'partners_partner'"
        )
        indexes = dict(cursor.fetchall())
    assert "gin_trgm_ops" in indexes["partners_partner_search_trgm"]
    assert "to_tsvector" in indexes["partners_partner_search_fts"]


def names(response):
    return [p.name for p in response.context["page"].rows]


def test_a_match_in_the_name_ranks_before_one_in_the_address(as_coordinator, chain_a):
    ParticipationFactory(
        value_chain=chain_a, partner=PartnerFactory(name="Aardvark Traders", address="1 Kei Road")
    )
    ParticipationFactory(value_chain=chain_a, partner=PartnerFactory(name="Kei Valley Growers"))
    refresh_search_documents(None, None)
    response = as_coordinator.get(reverse("partners:directory"), {"q": "kei"})
    assert names(response) == ["Kei Valley Growers", "Aardvark Traders"]


def test_a_word_found_as_written_does_not_bring_in_look_alikes(as_coordinator, chain_a):
    for name in ["Karkloof Dairy", "Karoo Lamb"]:
        ParticipationFactory(value_chain=chain_a, partner=PartnerFactory(name=name))
    refresh_search_documents(None, None)
    assert names(as_coordinator.get(reverse("partners:directory"), {"q": "karkloof"})) == [
        "Karkloof Dairy"
    ]
    # Misspelt, it finds the nearest word instead.
    assert "Karkloof Dairy" in names(
        as_coordinator.get(reverse("partners:directory"), {"q": "karklof"})
    )


def test_search_results_sorted_by_name(as_coordinator, chain_a):
    for name in ["zebra timber", "Acacia Timber", "mopane timber", "Baobab Dairy"]:
        ParticipationFactory(value_chain=chain_a, partner=PartnerFactory(name=name))
    refresh_search_documents(None, None)
    url = reverse("partners:directory")
    assert names(as_coordinator.get(url, {"q": "timber", "sort": "name"})) == [
        "Acacia Timber",
        "mopane timber",
        "zebra timber",
    ]
    assert names(as_coordinator.get(url, {"q": "timber", "sort": "-name"}))[0] == "zebra timber"


def test_a_short_word_matches_the_start_of_a_word(as_coordinator, chain_a):
    for name in ["Ox Bow Farm", "Box Hill Packers"]:
        ParticipationFactory(value_chain=chain_a, partner=PartnerFactory(name=name))
    refresh_search_documents(None, None)
    assert names(as_coordinator.get(reverse("partners:directory"), {"q": "ox"})) == ["Ox Bow Farm"]


def test_a_typo_matches_through_the_vocabulary_and_a_new_name_joins_it(as_coordinator, chain_a):
    from partners.models import SearchWord

    ParticipationFactory(value_chain=chain_a, partner=PartnerFactory(name="Hlabisa Honey"))
    refresh_search_documents(None, None)
    assert SearchWord.objects.filter(word="hlabisa").exists()
    assert names(as_coordinator.get(reverse("partners:directory"), {"q": "hlabissa"})) == [
        "Hlabisa Honey"
    ]
    # A word like nothing in the network finds nothing, and says so.
    response = as_coordinator.get(reverse("partners:directory"), {"q": "xqzvw"})
    assert names(response) == [] and "No partner matches" in response.content.decode()
