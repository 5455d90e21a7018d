"""Journey (foundation issue): a coordinator creates a partner with an offer; a partner signs
in, edits their own profile and offer, and is refused another partner's edit page."""

import pytest
from playwright.sync_api import expect

from partners.models import Offer, Partner, mask_to_months
from tests.factories import OfferFactory, ProductFactory

from .conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_creates_partner_with_offer(new_page, coordinator, chain_a):
    ProductFactory(name="Kiln-dried saligna boards", unit="m³")
    page = new_page()
    sign_in(page, coordinator.username)
    expect(page.get_by_role("heading", name="My day")).to_be_visible()
    page.get_by_role("link", name="Partners", exact=True).click()
    page.get_by_role("link", name="Add a partner", exact=True).click()
    page.fill("#id_name", "Umzimkulu Growers")
    page.select_option("#id_kind", "cooperative")
    page.fill("#id_region", "KwaZulu-Natal")
    page.select_option("#id_p-value_chain", label="Saligna Hardwood")
    page.get_by_label("Saligna Hardwood: Grower").check()
    page.select_option("#id_p-chain_role", "producer")
    page.get_by_role("button", name="Add partner").click()
    expect(page.get_by_role("heading", name="Umzimkulu Growers")).to_be_visible()
    expect(page.get_by_text("1. Grower")).to_be_visible()

    page.get_by_role("tab", name="Offers & needs").click()
    expect(page.get_by_text("No offers yet.")).to_be_visible()
    url_before = page.url
    page.get_by_role("link", name="Add an offer").click()
    form = page.locator("#listing-form")
    form.get_by_label("Product", exact=True).select_option(label="Kiln-dried saligna boards")
    form.get_by_label("Volume").fill("0")
    form.get_by_role("button", name="Save offer").click()
    expect(form.get_by_text("The volume must be more than zero.")).to_be_visible()
    assert not Offer.objects.exists()

    page.locator("#listing-form").get_by_label("Volume").fill("40")
    # No month is ticked for the user: the boards come March to September.
    for month in ("Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep"):
        page.locator("#listing-form").get_by_label(month, exact=True).check()
    page.locator("#listing-form").get_by_role("button", name="Save offer").click()
    expect(
        page.locator("#tab").get_by_role("cell", name="Kiln-dried saligna boards")
    ).to_be_visible()
    expect(page.locator("#messages")).to_contain_text("Offer saved.")
    assert page.url == url_before  # htmx: no page load
    offer = Offer.objects.get()
    assert offer.partner.name == "Umzimkulu Growers" and offer.volume == 40
    assert offer.unit == "m³"
    assert mask_to_months(offer.months) == [3, 4, 5, 6, 7, 8, 9]
    screenshot(page, "partner-offers")

    # The directory finds the new partner by part of a word, with its kind, chain and role.
    page.goto("/partners/?q=umzim")
    expect(page.get_by_text("Offer saved.")).to_have_count(0)  # shown once, not again
    row = page.locator("table.data tbody tr").filter(has_text="Umzimkulu Growers")
    expect(row).to_contain_text("Cooperative")
    expect(row).to_contain_text("Saligna Hardwood")
    expect(row).to_contain_text("Producer")
    screenshot(page, "partner-directory")


def test_partner_edits_own_profile_and_offer_but_not_another(
    new_page, partner_a, partner_b, partner_a_user
):
    offer = OfferFactory(partner=partner_a, product=ProductFactory(name="Saligna logs"), volume=10)
    page = new_page()
    sign_in(page, partner_a_user.username)
    expect(page.get_by_role("heading", name="Amatola Sawmill")).to_be_visible()
    expect(page.get_by_role("link", name="Partners")).to_have_count(0)  # no directory

    page.get_by_role("link", name="Edit profile").click()
    page.fill("#id_description", "We mill saligna into metric boards.")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("We mill saligna into metric boards.")).to_be_visible()

    page.get_by_role("tab", name="Offers & needs").click()
    page.locator("#tab").get_by_role("link", name="Edit", exact=True).first.click()
    page.locator("#listing-form").get_by_label("Volume").fill("25")
    page.locator("#listing-form").get_by_role("button", name="Save offer").click()
    expect(page.locator("#tab").get_by_text("25 kg")).to_be_visible()
    offer.refresh_from_db()
    assert offer.volume == 25

    page.get_by_role("tab", name="Change history").click()
    expect(page.get_by_text("Profile edited")).to_be_visible()
    expect(page.get_by_text("Edited offer: Saligna logs")).to_be_visible()
    screenshot(page, "partner-history")

    response = page.goto(f"/partners/{partner_b.pk}/edit/")
    assert response.status == 404
    expect(page.get_by_text("There is nothing here.")).to_be_visible()
    assert Partner.objects.get(pk=partner_b.pk).description == ""
