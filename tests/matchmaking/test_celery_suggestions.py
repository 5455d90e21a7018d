"""A real Celery worker on real Redis recomputes suggestions: after an offer is saved, and for
the full recompute a coordinator asks for (its progress record ends done)."""

import time

import pytest
from django.urls import reverse

from matchmaking.models import RecomputeRun, Suggestion
from partners import services
from partners.models import Offer
from tests.conftest import client_for
from tests.factories import NeedFactory, OfferFactory, ParticipationFactory, PartnerFactory
from tests.test_celery_worker import redis_worker  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _wait_for(condition, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_saving_an_offer_recomputes_through_the_worker(redis_worker, chain_a, partner_a):  # noqa: F811
    need = NeedFactory(partner=partner_a)
    supplier = PartnerFactory(name="Kei Forestry")
    ParticipationFactory(partner=supplier, value_chain=chain_a)
    # Saved through the service, as the offer form does: its task is queued at the commit.
    offer = services.save_listing(
        supplier, kind=Offer, values={"product": need.product, "volume": 100, "unit": "kg"}, by=None
    )
    assert _wait_for(lambda: Suggestion.objects.filter(need=need, offer=offer).exists())
    services.delete_listing(offer, by=None)
    assert _wait_for(lambda: not Suggestion.objects.filter(need=need).exists())


def test_recompute_on_demand_runs_on_the_worker(redis_worker, coordinator, chain_a, partner_a):  # noqa: F811
    need = NeedFactory(partner=partner_a)
    supplier = PartnerFactory(name="Kei Forestry")
    ParticipationFactory(partner=supplier, value_chain=chain_a)
    OfferFactory(partner=supplier, product=need.product)  # written directly: no task queued
    client = client_for(coordinator)
    assert client.post(reverse("matchmaking:recompute")).status_code == 302
    run = RecomputeRun.objects.get()
    assert _wait_for(lambda: RecomputeRun.objects.get(pk=run.pk).status == "done")
    run.refresh_from_db()
    assert (run.total, run.done, run.suggestions) == (1, 1, 1)
    assert Suggestion.objects.filter(need=need).count() == 1
    html = client.get(reverse("matchmaking:recompute_progress", args=[run.pk])).content.decode()
    assert "1 need, 1 suggestion kept" in html
