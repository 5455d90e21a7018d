"""Suggestions on a hand-built chain with known right answers: the right supplier ranks first,
each component moves the ranking the way it should, hard filters exclude."""

import datetime

import pytest

from matchmaking import services, suggestions
from matchmaking.explain import reasons
from matchmaking.models import (
    Dismissal,
    Introduction,
    IntroductionStatus,
    MatchSettings,
    Suggestion,
)
from partners.models import Certification, Product, months_to_mask
from tests.factories import (
    NeedFactory,
    OfferFactory,
    ParticipationFactory,
    PartnerFactory,
    ProductFactory,
    ValueChainFactory,
)

# Fresno, and points about 12, 150 and 300 km north of it.
FRESNO = (36.7378, -119.7871)
KM_12 = (36.8457, -119.7871)
KM_150 = (38.0868, -119.7871)
KM_300 = (39.4358, -119.7871)
SUMMER = months_to_mask([6, 7, 8, 9, 10])


def _partner(chain, name, where=KM_12, **facts):
    lat, lon = where if where else (None, None)
    partner = PartnerFactory(name=name, latitude=lat, longitude=lon, **facts)
    ParticipationFactory(partner=partner, value_chain=chain)
    return partner


@pytest.fixture
def market(db):
    """A buyer's need for butternut squash and suppliers that each differ from the best one
    in one way."""
    chain = ValueChainFactory(name="Valley Fresh Food")
    organic = Certification.objects.create(name="Organic")
    vegetables = ProductFactory(name="Vegetables")
    squash = ProductFactory(name="Squash", parent=vegetables)
    butternut = ProductFactory(name="Butternut squash", parent=squash)
    ProductFactory(name="Tomatoes", parent=vegetables)
    buyer = _partner(chain, "Fresno Unified Schools", FRESNO)
    need = NeedFactory(
        partner=buyer, product=butternut, volume=1000, months=SUMMER, max_distance_km=200
    )
    need.required_certifications.add(organic)

    def supplier(name, *, where=KM_12, product=butternut, volume=1000, months=SUMMER, **facts):
        partner = _partner(chain, name, where, **facts)
        offer = OfferFactory(
            partner=partner,
            product=product,
            volume=volume,
            months=months,
            delivery_radius_km=50,
        )
        partner.certifications.add(organic)
        return offer

    offers = {
        "best": supplier("Riverbend Farm", size="small", locally_owned=True),
        "short_season": supplier(
            "June Farm", months=months_to_mask([6]), size="small", locally_owned=True
        ),
        "far": supplier("Far Farm", where=KM_150, size="small", locally_owned=True),
        "parent_product": supplier("Squash Co", product=squash, size="small", locally_owned=True),
        "small_volume": supplier("Tiny Farm", volume=200, size="small", locally_owned=True),
        "no_values": supplier("Big Agri", size="large"),
        "unknown_location": supplier("Nowhere Farm", where=None, size="small", locally_owned=True),
        "too_far": supplier("Oregon Farm", where=KM_300, size="small", locally_owned=True),
        "tomatoes": supplier("Tomato Farm", product=Product.objects.get(name="Tomatoes")),
    }
    uncertified = _partner(chain, "Uncertified Farm", size="small", locally_owned=True)
    offers["uncertified"] = OfferFactory(
        partner=uncertified, product=butternut, volume=1000, months=SUMMER
    )
    offers["own"] = OfferFactory(partner=buyer, product=butternut, volume=1000, months=SUMMER)
    return {"chain": chain, "need": need, "buyer": buyer, "offers": offers}


def ranked(need):
    return list(
        Suggestion.objects.filter(need=need).order_by("rank").values_list("offer_id", flat=True)
    )


def test_the_right_supplier_ranks_first_and_each_component_moves_the_ranking(market):
    suggestions.recompute_all()
    offers, order = market["offers"], ranked(market["need"])
    assert order[0] == offers["best"].pk
    for weaker in (
        "short_season",
        "far",
        "parent_product",
        "small_volume",
        "no_values",
        "unknown_location",
    ):
        assert order.index(offers["best"].pk) < order.index(offers[weaker].pk), weaker


def test_hard_filters_exclude(market):
    suggestions.recompute_all()
    order, offers = ranked(market["need"]), market["offers"]
    for excluded in ("too_far", "uncertified", "own", "tomatoes"):
        assert offers[excluded].pk not in order, excluded


def test_components_and_sentences(market):
    suggestions.recompute_all()
    offers = market["offers"]
    best = Suggestion.objects.get(offer=offers["best"])
    assert best.rank == 1 and 0 < best.score <= 1
    assert best.product_fit == 1 and best.season == 1 and best.volume == 1
    assert 11 < best.distance_km < 13
    said = {r.component: r.sentence for r in reasons(best, MatchSettings())}
    assert said["product"] == "Supplies Butternut squash, the product needed"
    assert said["season"] == "Available in 5 of the 5 months needed"
    assert said["distance"].startswith("12 km away, within the 50 km delivery radius")
    assert said["values"] == "Small producer, locally owned"
    june = Suggestion.objects.get(offer=offers["short_season"])
    assert reasons(june, MatchSettings())[1].sentence.startswith(
        "Available in 1 of the 5 months needed"
    )
    nowhere = Suggestion.objects.get(offer=offers["unknown_location"])
    assert nowhere.distance_km is None and nowhere.distance == 0.5
    assert reasons(nowhere, MatchSettings())[4].sentence == "Location unknown"


def test_committed_volume_is_subtracted(market, coordinator):
    offers = market["offers"]
    other_buyer = _partner(market["chain"], "Hospital")
    Introduction.objects.create(
        value_chain=market["chain"],
        partner_a=other_buyer,
        partner_b=offers["best"].partner,
        reason="trading",
        offer=offers["best"],
        status=IntroductionStatus.TRADING,
        annual_volume=600,
    )
    suggestions.recompute_all()
    best = Suggestion.objects.get(offer=offers["best"])
    assert best.committed_volume == 600 and best.volume == pytest.approx(0.4)
    assert "Can cover 40% of the volume after 600 kg a year already committed" in [
        r.sentence for r in reasons(best, MatchSettings())
    ]


def test_pairs_already_introduced_are_not_suggested(market):
    offers = market["offers"]
    Introduction.objects.create(
        value_chain=market["chain"],
        partner_a=offers["best"].partner,
        partner_b=market["buyer"],
        reason="trading",
        status=IntroductionStatus.TRADING,
    )
    suggestions.recompute_all()
    assert offers["best"].pk not in ranked(market["need"])


def test_weights_move_the_ranking(market):
    chain, offers = market["chain"], market["offers"]
    settings = MatchSettings.objects.create(
        value_chain=chain,
        weight_product=0,
        weight_season=0,
        weight_volume=0,
        weight_certifications=0,
        weight_distance=1,
        weight_values=0,
    )
    suggestions.recompute_all()
    order = ranked(market["need"])
    # On distance alone, the close farms tie above the far one.
    assert order.index(offers["short_season"].pk) < order.index(offers["far"].pk)
    settings.weight_distance, settings.weight_season = 0, 1
    settings.save()
    suggestions.recompute_all()
    order = ranked(market["need"])
    assert order.index(offers["far"].pk) < order.index(offers["short_season"].pk)


def test_preferred_certifications_add(market):
    chain, offers = market["chain"], market["offers"]
    gap = Certification.objects.create(name="GAP")
    settings = MatchSettings.objects.create(value_chain=chain, weight_values=0)
    settings.preferred_certifications.add(gap)
    offers["no_values"].partner.certifications.add(gap)
    suggestions.recompute_all()
    big = Suggestion.objects.get(offer=offers["no_values"])
    june = Suggestion.objects.get(offer=offers["short_season"])
    assert big.certifications == 1 and june.certifications == 0
    assert big.rank < june.rank


def test_dismissed_pair_is_held_back_then_returns(market, coordinator):
    offers = market["offers"]
    suggestions.recompute_all()
    far = Suggestion.objects.get(offer=offers["far"])
    services.dismiss_suggestion(far, "They only sell at the farmers market", by=coordinator)
    assert offers["far"].pk not in ranked(market["need"])
    suggestions.recompute_all()
    assert offers["far"].pk not in ranked(market["need"])
    dismissal = Dismissal.objects.get()
    assert dismissal.reason == "They only sell at the farmers market"
    assert dismissal.until == datetime.date.today() + datetime.timedelta(days=90)
    Dismissal.objects.update(until=datetime.date.today() - datetime.timedelta(days=1))
    suggestions.recompute_all()
    assert offers["far"].pk in ranked(market["need"])


def test_snoozed_pair_comes_back_after_the_date(market, coordinator):
    offers = market["offers"]
    suggestions.recompute_all()
    june = Suggestion.objects.get(offer=offers["short_season"])
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    services.snooze_suggestion(june, tomorrow, by=coordinator)
    suggestions.recompute_all()
    assert offers["short_season"].pk not in ranked(market["need"])
    Dismissal.objects.update(until=datetime.date.today() - datetime.timedelta(days=1))
    suggestions.recompute_all()
    assert offers["short_season"].pk in ranked(market["need"])


def test_accept_makes_an_introduction_with_the_match_linked(market, coordinator):
    suggestions.recompute_all()
    best = Suggestion.objects.get(offer=market["offers"]["best"])
    introduction = services.accept_suggestion(best, by=coordinator)
    assert introduction.offer_id == best.offer_id and introduction.need_id == best.need_id
    assert introduction.partner_a == market["buyer"]
    assert introduction.events.count() == 1
    assert not Suggestion.objects.filter(offer=best.offer).exists()
    suggestions.recompute_all()
    assert market["offers"]["best"].pk not in ranked(market["need"])


def test_recompute_after_an_offer_change(market):
    suggestions.recompute_all()
    offers = market["offers"]
    june = offers["short_season"]
    june.months = SUMMER
    june.volume = 5000
    june.save()
    suggestions.recompute_for_listing("offer", june.pk, june.product_id)
    order = ranked(market["need"])
    assert order.index(june.pk) <= 1


def test_only_top_ten_per_need(market):
    chain, butternut = market["chain"], market["need"].product
    for i in range(12):
        partner = _partner(chain, f"Extra {i}")
        offer = OfferFactory(partner=partner, product=butternut, months=SUMMER)
        partner.certifications.add(*market["need"].required_certifications.all())
        assert offer
    suggestions.recompute_all()
    assert len(ranked(market["need"])) == 10
    assert ranked(market["need"])[0] == market["offers"]["best"].pk
