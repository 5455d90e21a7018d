"""After one offer changes, its score is merged into the stored top of each need it touches
(suggestions.merge_offer_change): the rows must be exactly those a fresh full recompute writes,
whether the offer enters a need's top, moves in it, is demoted within or out of it, is removed
or stops being a candidate, and with dismissed, snoozed and already-introduced pairs held back.
"""

import datetime
import random

import pytest

from matchmaking import services, suggestions
from matchmaking.models import IntroductionStatus, Suggestion
from partners import services as partner_services
from partners.models import Offer, Product, months_to_mask
from tests.factories import (
    NeedFactory,
    OfferFactory,
    ParticipationFactory,
    PartnerFactory,
    ProductFactory,
    ValueChainFactory,
)

FRESNO = (36.7378, -119.7871)
SUMMER = months_to_mask([6, 7, 8, 9, 10])
ALL_YEAR = months_to_mask(range(1, 13))
COLUMNS = suggestions.COLUMNS


def _partner(chains, name, km_north, rng):
    partner = PartnerFactory(
        name=name,
        latitude=round(FRESNO[0] + km_north / 111.2, 5),
        longitude=FRESNO[1],
        size=rng.choice(["small", "large", ""]),
        locally_owned=rng.random() < 0.5,
    )
    for chain in chains:
        ParticipationFactory(partner=partner, value_chain=chain)
    return partner


@pytest.fixture
def market(chain_a):
    """Needs for butternut (13 candidates: a full top and three outside), acorn squash (9: a
    top with room), squash itself (the parent: 19), pumpkin (3); a second chain shared by the
    butternut buyer and some of its suppliers. Offers differ at random (seeded)."""
    rng = random.Random(20)
    chain_b = ValueChainFactory(name="Valley Fresh Food")
    squash = ProductFactory(name="Squash")
    butternut = ProductFactory(name="Butternut squash", parent=squash)
    acorn = ProductFactory(name="Acorn squash", parent=squash)
    pumpkin = ProductFactory(name="Pumpkin")
    ProductFactory(name="Tomatoes")
    needs = {}
    for name, product, chains in [
        ("butternut", butternut, [chain_a, chain_b]),
        ("acorn", acorn, [chain_a]),
        ("squash", squash, [chain_a]),
        ("pumpkin", pumpkin, [chain_a]),
    ]:
        buyer = _partner(chains, f"Buyer of {name}", 0, rng)
        needs[name] = NeedFactory(
            partner=buyer, product=product, volume=1000, months=SUMMER, max_distance_km=300
        )
    for i, (product, count) in enumerate([(butternut, 10), (acorn, 6), (squash, 3), (pumpkin, 3)]):
        for j in range(count):
            chains = [chain_a, chain_b] if product == butternut and j % 2 else [chain_a]
            partner = _partner(chains, f"Farm {i}-{j}", rng.uniform(2, 250), rng)
            OfferFactory(
                partner=partner,
                product=product,
                volume=rng.choice([150, 400, 800, 1000, 3000]),
                period=rng.choice(["year", "month"]),
                months=rng.choice([SUMMER, months_to_mask([6, 7]), months_to_mask([8, 9, 10, 11])]),
                delivery_radius_km=rng.choice([None, 50, 200]),
            )
    suggestions.recompute_all()
    return {"needs": needs, "chain_b": chain_b}


def rows() -> list[tuple]:
    """Every stored suggestion, as a full recompute would write it (but its time)."""
    return sorted(Suggestion.objects.values_list(*COLUMNS))


def first_chain_id(need) -> int:
    return need.partner.participations.order_by("value_chain_id")[0].value_chain_id


def ranked(need, chain=None) -> list[int]:
    """The need's suggested offers, best first, in `chain` (by default its buyer's first)."""
    return list(
        Suggestion.objects.filter(
            need=need, value_chain_id=chain.pk if chain else first_chain_id(need)
        )
        .order_by("rank")
        .values_list("offer_id", flat=True)
    )


def outside_top(need) -> Offer:
    """A candidate of `need` not in its stored top."""
    top = ranked(need)
    assert len(top) == 10
    related = suggestions.related_product_ids([need.product_id])
    return (
        Offer.objects.filter(
            product_id__in=related, partner__participations__value_chain_id=first_chain_id(need)
        )
        .exclude(pk__in=top)
        .first()
    )


@pytest.fixture
def rescored(monkeypatch):
    """The needs rescored from all their candidates (the merge's fallback)."""
    calls: list[list[int]] = []
    real = suggestions._rescore

    def spy(needs, context):
        calls.append(sorted(needs.id.tolist()))
        return real(needs, context)

    monkeypatch.setattr(suggestions, "_rescore", spy)
    return calls


def save(offer, django_capture_on_commit_callbacks, **changes) -> None:
    """Change the offer as its page does (partners.services.save_listing): the service's
    hook queues the task (eager) on commit."""
    with django_capture_on_commit_callbacks(execute=True):
        partner_services.save_listing(
            offer.partner, kind=Offer, values=changes, listing=offer, by=None
        )


def remove(offer, django_capture_on_commit_callbacks) -> None:
    """Remove the offer as its page does (partners.services.delete_listing)."""
    with django_capture_on_commit_callbacks(execute=True):
        partner_services.delete_listing(offer, by=None)


def assert_as_full_recompute() -> None:
    merged = rows()
    suggestions.recompute_all()
    assert merged == rows()


def strong(offer, django_capture_on_commit_callbacks):
    save(
        offer,
        django_capture_on_commit_callbacks,
        volume=5000,
        period="year",
        months=ALL_YEAR,
        delivery_radius_km=400,
    )


def weak(offer, django_capture_on_commit_callbacks):
    save(offer, django_capture_on_commit_callbacks, volume=1, months=months_to_mask([1]))


def test_the_fixture_has_full_and_short_tops(market):
    needs = market["needs"]
    assert len(ranked(needs["butternut"])) == 10
    assert len(ranked(needs["squash"])) == 10
    assert 0 < len(ranked(needs["acorn"])) < 10
    assert len(ranked(needs["butternut"], market["chain_b"])) == 5


def test_an_offer_entering_a_top_is_merged_without_a_rescore(
    market, rescored, django_capture_on_commit_callbacks
):
    need = market["needs"]["butternut"]
    offer = outside_top(need)
    strong(offer, django_capture_on_commit_callbacks)
    assert offer.pk in ranked(need)
    assert rescored == []
    assert_as_full_recompute()


def test_an_offer_moving_up_or_saved_unchanged_is_merged_without_a_rescore(
    market, rescored, django_capture_on_commit_callbacks
):
    need = market["needs"]["butternut"]
    offer = Offer.objects.get(pk=ranked(need)[6])
    save(offer, django_capture_on_commit_callbacks, notes="Call before noon")
    assert_as_full_recompute()
    strong(offer, django_capture_on_commit_callbacks)
    assert_as_full_recompute()
    assert rescored == []


def test_demoted_within_the_top(market, rescored, django_capture_on_commit_callbacks):
    need = market["needs"]["butternut"]
    offer = Offer.objects.get(pk=ranked(need)[0])

    def score():
        return Suggestion.objects.get(
            need=need, offer=offer, value_chain_id=first_chain_id(need)
        ).score

    for volume in (950, 900, 850):  # a little less each time: still above the last
        before = score()
        save(offer, django_capture_on_commit_callbacks, volume=volume, period="year")
        assert score() < before and offer.pk in ranked(need)[:9]
        assert_as_full_recompute()
    assert rescored == []


def test_demoted_out_of_the_top_rescores_that_need(
    market, rescored, django_capture_on_commit_callbacks
):
    need = market["needs"]["butternut"]
    offer = Offer.objects.get(pk=ranked(need)[0])
    weak(offer, django_capture_on_commit_callbacks)
    assert offer.pk not in ranked(need) and len(ranked(need)) == 10
    assert need.pk in rescored[0]
    assert_as_full_recompute()


@pytest.mark.parametrize("noted", [True, False])
def test_removed_offer(market, noted, django_capture_on_commit_callbacks):
    """The needs it was suggested for are refilled: those noted before it went (by
    delete_listing's hook), or else (a task queued by an older release) those short of a
    full top."""
    needs = market["needs"]
    for need, left in ((needs["butternut"], 10), (needs["acorn"], len(ranked(needs["acorn"])) - 1)):
        offer = Offer.objects.get(pk=ranked(need)[1])
        if noted:
            remove(offer, django_capture_on_commit_callbacks)
        else:
            pk, product_id = offer.pk, offer.product_id
            offer.delete()  # its task is not run: on_commit callbacks are not captured
            suggestions.recompute_for_listing("offer", pk, product_id)
        assert len(ranked(need)) == left
        assert_as_full_recompute()


def test_offer_no_longer_a_candidate(market, django_capture_on_commit_callbacks):
    needs = market["needs"]
    tomatoes = Product.objects.get(name="Tomatoes")
    for need in (needs["butternut"], needs["acorn"]):
        offer = Offer.objects.get(pk=ranked(need)[0])
        save(offer, django_capture_on_commit_callbacks, product=tomatoes)
        assert offer.pk not in ranked(need)
        assert_as_full_recompute()


def test_a_top_with_room(market, rescored, django_capture_on_commit_callbacks):
    need = market["needs"]["acorn"]
    offers = Offer.objects.filter(product=need.product)
    strong(offers[0], django_capture_on_commit_callbacks)
    assert_as_full_recompute()
    weak(offers[0], django_capture_on_commit_callbacks)
    assert_as_full_recompute()
    # Only the parent product's need, whose full top the offer fell out of, was rescored.
    assert rescored == [[market["needs"]["squash"].pk]]


def test_a_parent_product_offer_touches_every_need_below(
    market, django_capture_on_commit_callbacks
):
    squash = Offer.objects.filter(product__name="Squash").first()
    strong(squash, django_capture_on_commit_callbacks)
    needs = market["needs"]
    assert squash.pk in ranked(needs["butternut"]) and squash.pk in ranked(needs["acorn"])
    assert_as_full_recompute()
    weak(squash, django_capture_on_commit_callbacks)
    assert_as_full_recompute()


def test_a_tie_ranks_the_lower_offer_first(market, chain_a, django_capture_on_commit_callbacks):
    need = market["needs"]["butternut"]
    first = Offer.objects.get(pk=ranked(need)[0])
    twin_partner = PartnerFactory(
        name="Twin Farm",
        latitude=first.partner.latitude,
        longitude=first.partner.longitude,
        size=first.partner.size,
        locally_owned=first.partner.locally_owned,
    )
    ParticipationFactory(partner=twin_partner, value_chain=chain_a)
    twin = OfferFactory(partner=twin_partner, product=need.product, volume=1)
    suggestions.recompute_all()
    fields = ["volume", "period", "months", "delivery_radius_km", "unit"]
    save(twin, django_capture_on_commit_callbacks, **{f: getattr(first, f) for f in fields})
    top = ranked(need)
    assert top[:2] == sorted([first.pk, twin.pk])
    assert_as_full_recompute()


@pytest.mark.parametrize("how", ["dismissed", "snoozed", "introduced"])
def test_held_back_pairs_stay_out(market, coordinator, how, django_capture_on_commit_callbacks):
    need = market["needs"]["butternut"]
    suggestion = Suggestion.objects.get(need=need, value_chain_id=first_chain_id(need), rank=2)
    offer = suggestion.offer
    with django_capture_on_commit_callbacks(execute=True):
        if how == "dismissed":
            services.dismiss_suggestion(suggestion, "Sells only at the market", by=coordinator)
        elif how == "snoozed":
            tomorrow = datetime.date.today() + datetime.timedelta(days=1)
            services.snooze_suggestion(suggestion, tomorrow, by=coordinator)
        else:
            introduction = services.accept_suggestion(suggestion, by=coordinator)
            services.move_introduction(introduction, IntroductionStatus.TRADING, by=coordinator)
    # The need's top was refilled from the next offers.
    assert offer.pk not in ranked(need) and len(ranked(need)) == 10
    assert_as_full_recompute()
    strong(offer, django_capture_on_commit_callbacks)
    assert offer.pk not in ranked(need)
    assert_as_full_recompute()


@pytest.mark.parametrize("seed", range(4))
def test_random_changes_equal_a_full_recompute(market, seed, django_capture_on_commit_callbacks):
    rng = random.Random(seed)
    products = list(Product.objects.all())
    for _ in range(12):
        offer = rng.choice(list(Offer.objects.all()))
        change = rng.choice(["volume", "months", "radius", "product", "strong", "weak", "remove"])
        if change == "remove":
            remove(offer, django_capture_on_commit_callbacks)
        elif change == "strong":
            strong(offer, django_capture_on_commit_callbacks)
        elif change == "weak":
            weak(offer, django_capture_on_commit_callbacks)
        else:
            value = {
                "volume": lambda: rng.choice([1, 300, 1000, 2500, 10000]),
                "months": lambda: rng.randrange(1, 1 << 12),
                "radius": lambda: rng.choice([None, 10, 60, 500]),
                "product": lambda: rng.choice(products),
            }[change]()
            field = {"radius": "delivery_radius_km"}.get(change, change)
            save(offer, django_capture_on_commit_callbacks, **{field: value})
        assert_as_full_recompute()
