"""A coordinator's recompute touches only the chains they coordinate; a superuser's (and the
nightly one) every chain. Runs on SQLite and, with DATABASE_URL, on PostgreSQL's COPY path."""

import pytest
from django.urls import reverse

from matchmaking import suggestions, tasks
from matchmaking.models import RecomputeRun, Suggestion
from tests.conftest import client_for
from tests.factories import (
    NeedFactory,
    OfferFactory,
    ParticipationFactory,
    PartnerFactory,
    ProductFactory,
    UserFactory,
)


def _supplier(chain, product, name):
    partner = PartnerFactory(name=name, latitude=36.8, longitude=-119.8)
    ParticipationFactory(partner=partner, value_chain=chain)
    return OfferFactory(partner=partner, product=product, delivery_radius_km=50)


@pytest.fixture
def two_chains(chain_a, chain_b, partner_a, partner_b):
    boards, apples = ProductFactory(name="Saligna boards"), ProductFactory(name="Apples")
    NeedFactory(partner=partner_a, product=boards)
    _supplier(chain_a, boards, "Eastern Cape Growers")
    NeedFactory(partner=partner_b, product=apples)
    _supplier(chain_b, apples, "Orchard Co")
    suggestions.recompute_all()
    return chain_a, chain_b


def _rows(chain):
    return set(Suggestion.objects.filter(value_chain=chain).values_list("pk", "computed_at"))


def test_a_coordinators_recompute_leaves_other_chains_untouched(
    as_coordinator, two_chains, django_capture_on_commit_callbacks
):
    chain_a, chain_b = two_chains
    before_a, before_b = _rows(chain_a), _rows(chain_b)
    assert before_a and before_b
    with django_capture_on_commit_callbacks(execute=True):
        response = as_coordinator.post(reverse("matchmaking:recompute"))
    assert response.status_code == 302
    after_a = _rows(chain_a)
    assert len(after_a) == len(before_a) and not after_a & before_a  # rewritten
    assert _rows(chain_b) == before_b  # untouched
    run = RecomputeRun.objects.get()
    assert run.status == "done" and not run.every_chain
    assert list(run.value_chains.all()) == [chain_a] and run.suggestions == len(after_a)
    page = as_coordinator.get(reverse("matchmaking:suggestions")).content.decode()
    assert "Last recompute of your chains: <strong>done</strong>" in page
    assert "Recompute my chains now" in page


def test_another_coordinators_run_is_not_shown(
    two_chains, other_coordinator, as_coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(other_coordinator).post(reverse("matchmaking:recompute"))
    page = as_coordinator.get(reverse("matchmaking:suggestions")).content.decode()
    assert "Last recompute" not in page


def test_a_superusers_recompute_rewrites_every_chain(
    two_chains, django_capture_on_commit_callbacks
):
    chain_a, chain_b = two_chains
    before = _rows(chain_a) | _rows(chain_b)
    admin = UserFactory(username="root@example.org", coordinator=True, is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(admin).post(reverse("matchmaking:recompute"))
    after = _rows(chain_a) | _rows(chain_b)
    assert len(after) == len(before) and not after & before
    assert RecomputeRun.objects.get().every_chain


def test_the_nightly_recompute_is_of_every_chain(two_chains):
    chain_a, chain_b = two_chains
    before = _rows(chain_a) | _rows(chain_b)
    assert tasks.recompute_all() is True
    after = _rows(chain_a) | _rows(chain_b)
    assert len(after) == len(before) and not after & before


def test_a_scoped_recompute_matches_a_full_one(two_chains):
    """The chain-scoped delete and insert keeps what a full recompute would compute."""
    chain_a, _ = two_chains
    fields = ("need_id", "offer_id", "value_chain_id", "rank", "score")
    full = set(Suggestion.objects.values_list(*fields))
    suggestions.recompute_all(chain_ids=[chain_a.pk])
    assert set(Suggestion.objects.values_list(*fields)) == full
