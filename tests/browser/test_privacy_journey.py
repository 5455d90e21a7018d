"""A partner member downloads their data from "My data"; the coordinator sees the request on
the person's page and erases them after confirming; on a phone both pages fit the screen."""

import io
import zipfile

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from partners.models import Person

from .conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_download_my_data_then_the_coordinator_erases(new_page, partner_a_user, coordinator, lead):
    page = new_page()
    sign_in(page, partner_a_user.username)
    page.get_by_role("link", name="My data").first.click()
    expect(page.get_by_role("heading", name="My data")).to_be_visible()
    screenshot(page, "privacy-my-data-1280")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data").click()
    archive = zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read()))
    assert "partners/person.json" in archive.namelist()
    page.reload()
    expect(page.get_by_text("Data export on")).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "privacy-my-data-390")

    person = partner_a_user.person
    page = new_page()
    sign_in(page, coordinator.username)
    page.goto(reverse("partners:person", args=[person.pk]))
    expect(page.get_by_text("by the person themself")).to_be_visible()
    screenshot(page, "privacy-person-page-1280")
    page.get_by_role("link", name="Erase…").click()
    page.get_by_role("button", name=f"Erase {person.full_name}").click()
    expect(page.get_by_text("Tick the box to confirm the erasure.")).to_be_visible()
    screenshot(page, "privacy-erase-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "privacy-erase-390")
    page.get_by_label("I understand: this cannot be undone").check()
    page.get_by_role("button", name=f"Erase {person.full_name}").click()
    expect(page.get_by_text("Erased: the person is now")).to_be_visible()
    expect(page.get_by_role("heading", name="A removed person", exact=True)).to_be_visible()
    screenshot(page, "privacy-erased-person-390")
    assert Person.objects.get(pk=person.pk).email == ""


def test_invitations_without_consent_show_as_suppressed(new_page, coordinator, partner_a, chain_a):
    import datetime

    from django.utils import timezone

    from convenings.models import Convening
    from tests.factories import AffiliationFactory, PersonFactory

    start = timezone.now() + datetime.timedelta(days=7)
    meeting = Convening.objects.create(
        value_chain=chain_a,
        kind="workshop",
        title="Kiln trial review",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        time_zone="Africa/Johannesburg",
        place="Amatola Sawmill",
        created_by=coordinator,
    )
    for first, consent in (("Sipho", False), ("Lindiwe", True), ("Ayanda", False)):
        AffiliationFactory(
            person=PersonFactory(first_name=first, last_name="Dlamini", consent_to_contact=consent),
            partner=partner_a,
        )
    page = new_page()
    sign_in(page, coordinator.username)
    page.goto(reverse("convenings:invite", args=[meeting.pk]))
    page.select_option("#id_partners", label="Amatola Sawmill")
    page.get_by_role("button", name="Invite", exact=True).click()
    expect(page.get_by_text("3 invited, 2 not emailed.")).to_be_visible()
    expect(page.get_by_text("No consent to contact, so no invitation was emailed")).to_be_visible()
    screenshot(page, "consent-convening-1280")
    page.goto(reverse("outbox:outbox"))
    expect(page.get_by_text("No consent to contact: not sent.").first).to_be_visible()
    screenshot(page, "consent-outbox-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "consent-outbox-390")
    page.goto(meeting.get_absolute_url())
    screenshot(page, "consent-convening-390")
