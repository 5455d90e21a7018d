"""Journey (relationships issue): a coordinator logs a call from a partner page, makes an
introduction, moves it to trading with a sales figure, and opens the network map; a partner
signs in and sees that introduction but not the coordinator-only notes."""

import pytest
from playwright.sync_api import expect

from matchmaking.models import Introduction
from partners.models import Interaction, Relationship
from partners.search import refresh_search_documents
from tests.factories import ParticipationFactory, PartnerFactory

from .conftest import screenshot, sign_in, wait_for_js

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_call_introduction_trading_and_map(
    new_page, coordinator, chain_a, partner_a, partner_a_user
):
    buyer = ParticipationFactory(
        value_chain=chain_a, chain_role="buyer", partner=PartnerFactory(name="Coastal Exporters")
    ).partner
    refresh_search_documents([buyer.pk], [])
    Relationship.objects.create(source=buyer, target=partner_a, kind="buyer_supplier")

    page = new_page()
    sign_in(page, coordinator.username)
    page.goto(f"/partners/{partner_a.pk}/")
    page.get_by_role("tab", name="Timeline").click()
    form = page.locator("#quick-log")
    form.get_by_label("Kind").select_option("call")
    form.get_by_label("Topic").fill("Pricing for the export order")
    form.get_by_label("Who sees it").select_option("coordinators")
    form.get_by_label("Notes").fill("Worried about the exchange rate")
    form.get_by_role("button", name="Log interaction").click()
    expect(page.locator(".timeline").get_by_text("Pricing for the export order")).to_be_visible()
    assert Interaction.objects.get().visibility == "coordinators"

    page.get_by_role("link", name="Introduce", exact=True).click()
    page.fill("#id_q", "coastal")
    page.get_by_role("button", name="Find").click()
    page.select_option("#id_partner_b", label="Coastal Exporters · Eastern Cape")
    page.fill("#id_reason", "They buy kiln-dried boards for export")
    page.get_by_role("button", name="Make the introduction").click()
    expect(page.get_by_role("heading", name="Amatola Sawmill ↔ Coastal Exporters")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Introductions").click()
    card = page.locator("#board .column[data-status=proposed] .intro-card")
    expect(card).to_have_count(1)
    for step in ["Introduced", "Talking", "Trial order"]:
        page.locator("#board .intro-card").get_by_role("button", name=f"→ {step}").click()
        expect(
            page.locator(
                f"#board .column[data-status={step.lower().replace(' ', '_')}] .intro-card"
            )
        ).to_have_count(1)
    page.locator("#board .intro-card").get_by_role("button", name="→ Trading").click()
    # Trading needs the sales figure: the full form opens.
    expect(page.get_by_role("heading", name="Move it along")).to_be_visible()
    page.select_option("#id_status", "trading")
    page.fill("#id_annual_sales_value", "180000")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("R 180,000.00", exact=False).first).to_be_visible()
    introduction = Introduction.objects.get()
    assert introduction.status == "trading" and introduction.annual_sales_value == 180000

    page.goto(f"/chains/{chain_a.pk}/network/")
    wait_for_js(page, "window.vccNetwork && window.vccNetwork.nodes().length === 2")
    expect(page.get_by_text("2 partners, 1 relationship.")).to_be_visible()
    path = screenshot(page, "network-map")
    assert path.stat().st_size > 10_000

    partner = new_page()
    sign_in(partner, partner_a_user.username)
    partner.get_by_role("tab", name="Relationships").click()
    expect(partner.get_by_role("link", name="Coastal Exporters")).to_be_visible()
    partner.get_by_role("tab", name="Timeline").click()
    expect(partner.get_by_text("No interactions yet.")).to_be_visible()
    assert "exchange rate" not in partner.content()
    partner.goto(introduction.get_absolute_url())
    expect(partner.get_by_role("heading", name="How is it going?")).to_be_visible()
