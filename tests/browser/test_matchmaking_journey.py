"""Journey (matchmaking issue): a coordinator opens a buyer's need, reads why the top supplier
ranks first, accepts it (the introduction appears on the board), and dismisses another with a
reason (it does not come back). The partner, once the chain shares suggestions, sees its own."""

import pytest
from playwright.sync_api import expect

from matchmaking import suggestions
from matchmaking.models import Dismissal, Introduction, MatchSettings
from partners.models import months_to_mask
from tests.factories import (
    NeedFactory,
    OfferFactory,
    ParticipationFactory,
    PartnerFactory,
    ProductFactory,
)

from .conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _supplier(chain, product, name, **offer):
    partner = PartnerFactory(
        name=name, latitude=-32.85, longitude=27.4, size="small", locally_owned=True
    )
    ParticipationFactory(partner=partner, value_chain=chain, chain_role="producer")
    return OfferFactory(partner=partner, product=product, delivery_radius_km=80, **offer)


def test_need_suggestions_accept_and_dismiss(
    new_page, coordinator, chain_a, partner_a, partner_a_user
):
    partner_a.latitude, partner_a.longitude = -32.9, 27.3
    partner_a.save()
    timber = ProductFactory(name="Saligna logs")
    winter = months_to_mask([5, 6, 7, 8])
    NeedFactory(
        partner=partner_a, product=timber, volume=400, unit="t", months=winter, max_distance_km=150
    )
    _supplier(chain_a, timber, "Eastern Cape Growers", volume=500, unit="t", months=winter)
    _supplier(
        chain_a, timber, "Hogsback Plantation", volume=120, unit="t", months=months_to_mask([5])
    )
    _supplier(chain_a, timber, "Kei Forestry", volume=90, unit="t", months=months_to_mask([6, 7]))
    suggestions.recompute_all()

    page = new_page()
    sign_in(page, coordinator.username)
    page.goto(f"/partners/{partner_a.pk}/")
    page.get_by_role("tab", name="Offers & needs").click()
    page.get_by_role("link", name="Suggested suppliers").click()
    cards = page.locator("#suggestions .suggestion")
    expect(cards).to_have_count(3)
    top = cards.first
    expect(top).to_contain_text("Eastern Cape Growers")
    expect(top).to_contain_text("Supplies Saligna logs, the product needed")
    expect(top).to_contain_text("Available in 4 of the 4 months needed")
    expect(top).to_contain_text("Can cover 100% of the volume")
    expect(cards.nth(1)).to_contain_text("Kei Forestry")
    expect(cards.nth(1)).to_contain_text("Available in 2 of the 4 months needed")
    screenshot(page, "matchmaking-need-coordinator")

    top.get_by_role("link", name="Accept: introduce").click()
    expect(page.get_by_label("Contact at Amatola Sawmill")).to_be_visible()
    page.get_by_role("button", name="Introduce them").click()
    expect(
        page.get_by_role("heading", name="Amatola Sawmill ↔ Eastern Cape Growers")
    ).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Introductions").click()
    expect(page.locator("#board .intro-card")).to_contain_text("Eastern Cape Growers")
    intro = Introduction.objects.get()
    assert intro.offer.partner.name == "Eastern Cape Growers" and intro.need.partner == partner_a

    page.go_back()
    page.go_back()
    page.go_back()  # board, introduction, accept form: back to the need's page
    page.reload()
    expect(cards).to_have_count(2)
    hogsback = page.locator(".suggestion", has_text="Hogsback Plantation")
    hogsback.locator("summary", has_text="Dismiss").click()
    hogsback.get_by_label("Reason").fill("Their logs are promised to the pulp mill")
    hogsback.get_by_role("button", name="Dismiss", exact=True).click()
    expect(page.locator(".suggestion", has_text="Hogsback Plantation")).to_have_count(0)
    assert Dismissal.objects.get().reason == "Their logs are promised to the pulp mill"
    suggestions.recompute_all()
    page.reload()
    expect(cards).to_have_count(1)
    expect(page.locator("#suggestions")).not_to_contain_text("Hogsback Plantation")

    page.goto(f"/chains/{chain_a.pk}/matchmaking/")
    # Without the season, Kei Forestry (2 of the 4 months) scores higher than its 68 now.
    expect(page.locator("#preview")).to_contain_text("change a weight")
    page.get_by_label("Season").fill("0")
    expect(page.locator("#preview")).not_to_contain_text("change a weight")
    expect(page.locator("#preview tbody tr").first).to_contain_text("74")
    screenshot(page, "matchmaking-weights-coordinator")
    page.goto("/suggestions/")
    screenshot(page, "matchmaking-overview-coordinator")

    MatchSettings.objects.update_or_create(value_chain=chain_a, defaults={"show_to_partners": True})
    partner = new_page()
    sign_in(partner, partner_a_user.username)
    partner.goto(f"/partners/{partner_a.pk}/?tab=offers")
    partner.get_by_role("link", name="Suggested suppliers").click()
    expect(partner.locator(".suggestion")).to_have_count(1)
    expect(partner.get_by_role("link", name="Accept: introduce")).to_have_count(0)
    screenshot(partner, "matchmaking-need-partner")
