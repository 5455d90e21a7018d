"""manage.py generate_network: a synthetic network for benchmarks, written in bulk."""

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from devdata.generate import BENCH_USERNAME, generate_network
from partners.models import (
    Affiliation,
    Need,
    Offer,
    Participation,
    Partner,
    Person,
    Product,
    ValueChain,
)
from partners.permissions import is_coordinator
from partners.search import partner_search_documents, person_search_documents
from tests.conftest import require
from tests.factories import OfferFactory, PartnerFactory, PersonFactory

pytestmark = pytest.mark.django_db


def generate(*args: str) -> dict:
    out = StringIO()
    call_command("generate_network", *args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_generates_partners_people_listings_and_chains():
    summary = generate("--partners", "200", "--chains", "3", "--seed", "7")

    assert Partner.objects.count() == summary["partners"] == 200
    assert 500 <= Person.objects.count() == summary["people"] <= 700
    assert Affiliation.objects.count() == summary["affiliations"] == summary["people"]
    listings = Offer.objects.count() + Need.objects.count()
    assert 300 <= listings == summary["offers"] + summary["needs"] <= 500
    assert ValueChain.objects.count() == 3
    for chain in ValueChain.objects.all():
        assert 4 <= chain.stages.count() <= 6
        assert chain.participations.filter(stages__isnull=False).exists()
    assert Participation.objects.values("partner").distinct().count() == 200
    assert Product.objects.filter(parent__isnull=False).count() >= 200
    assert Partner.objects.filter(certifications__isnull=False).exists()
    assert summary["seconds"] >= 0


def test_search_documents_match_the_services():
    generate("--partners", "200")

    partners = dict(Partner.objects.values_list("pk", "search_document"))
    people = dict(Person.objects.values_list("pk", "search_document"))
    assert all(partners.values()) and all(people.values())
    # Same words as the service builds (the order of products may differ by collation).
    expected = partner_search_documents(partners)
    assert {pk: sorted(doc.split()) for pk, doc in partners.items()} == {
        pk: sorted(doc.split()) for pk, doc in expected.items()
    }
    assert people == person_search_documents(people)
    # Every word of the documents is in the search vocabulary (typos are corrected from it).
    from partners.models import SearchWord
    from partners.search import search_words

    vocabulary = set(SearchWord.objects.values_list("word", flat=True))
    assert set().union(*map(search_words, [*partners.values(), *people.values()])) <= vocabulary


def test_ids_continue_after_generation():
    PartnerFactory(name="Existing Partner")
    PersonFactory(email="someone@example.org")
    generate("--partners", "200")

    # The next rows the ORM creates get fresh ids: the sequences moved past the copied rows.
    partner = PartnerFactory(name="Added Later")
    person = PersonFactory()
    offer = OfferFactory(partner=partner)
    assert partner.pk > Partner.objects.exclude(pk=partner.pk).order_by("-pk").first().pk
    assert person.pk > Person.objects.exclude(pk=person.pk).order_by("-pk").first().pk
    assert offer.pk == Offer.objects.order_by("-pk").first().pk


def test_a_second_run_adds_new_chains_and_keeps_the_bench_user():
    generate("--partners", "50", "--chains", "2")
    generate("--partners", "50", "--chains", "2")

    assert Partner.objects.count() == 100
    assert ValueChain.objects.count() == 4
    bench = get_user_model().objects.get(username=BENCH_USERNAME)
    assert is_coordinator(bench) and not bench.is_staff
    assert bench.check_password("bench-pass-2026")
    assert bench.coordinated_chains.count() == 4
    assert Person.objects.values("email").distinct().count() == Person.objects.count()


def test_same_seed_same_network():
    generate("--partners", "30", "--seed", "3")
    first = list(Partner.objects.order_by("pk").values_list("name", "region", "kind"))
    Partner.objects.all().delete()

    generate("--partners", "30", "--seed", "3")

    assert list(Partner.objects.order_by("pk").values_list("name", "region", "kind")) == first


@pytest.mark.services
def test_bulk_load_restores_indexes_and_constraints():
    require(connection.vendor == "postgresql", "PostgreSQL")

    def structures():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename LIKE 'partners%%' ORDER BY 1"
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid::regclass::text LIKE 'partners%%' ORDER BY 1"
            )
            return indexes, cursor.fetchall()

    before = structures()
    summary = generate_network(100, chains=2, bulk_load=True)

    assert summary["partners"] == 100
    assert structures() == before
