"""Journey (issue 18): a coordinator schedules a convening, invites a partner, cancels it with
a message, and sees it cancelled on its page, in the list and in the outbox; the partner's
RSVP link then says it was cancelled."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from convenings.models import Convening
from outbox.models import Kind, Message

from .conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _both_widths(page, name: str) -> None:
    screenshot(page, f"{name}-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, f"{name}-390")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_schedule_invite_cancel_and_see_it_cancelled(
    new_page, coordinator, chain_a, partner_a, partner_a_user
):
    page = new_page()
    sign_in(page, coordinator.username)
    page.goto("/convenings/")
    page.get_by_role("link", name="Schedule a convening").click()
    page.select_option("#id_kind", "workshop")
    page.fill("#id_title", "Buyers' workshop")
    page.select_option("#id_time_zone", "Africa/Johannesburg")
    page.fill("#id_starts_at", "2027-03-02T09:00")
    page.fill("#id_ends_at", "2027-03-02T12:00")
    page.fill("#id_place", "Stutterheim hall")
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_role("heading", name="Buyers' workshop")).to_be_visible()
    page.get_by_role("link", name="Invite people").click()
    page.select_option("#id_partners", label="Amatola Sawmill")
    page.get_by_role("button", name="Invite", exact=True).click()
    expect(page.get_by_text("1 invited.")).to_be_visible()

    page.get_by_role("link", name="Cancel convening").click()
    expect(page.get_by_role("heading", name="Cancel this convening?")).to_be_visible()
    expect(page.get_by_text("1 person is invited.")).to_be_visible()
    page.fill("#id_note", "The hall flooded; we will set a new date in April.")
    _both_widths(page, "convening-cancel-confirm")
    page.get_by_role("button", name="Cancel the convening").click()
    expect(page.get_by_text("Convening cancelled; everyone invited is told.")).to_be_visible()
    expect(page.locator("h1 .badge", has_text="cancelled")).to_be_visible()
    expect(page.locator("h1 s.cancelled-title")).to_have_text("Buyers' workshop")
    expect(page.get_by_text("The hall flooded; we will set a new date in April.")).to_be_visible()
    expect(page.get_by_role("link", name="Invite people")).to_have_count(0)
    expect(page.get_by_role("link", name="Cancel convening")).to_have_count(0)
    _both_widths(page, "convening-cancelled")
    convening = Convening.objects.get()
    assert convening.is_cancelled and convening.sequence == 1

    page.goto("/convenings/")
    expect(page.locator("strong.cancelled-title", has_text="Buyers' workshop")).to_be_visible()
    page.goto("/followups/outbox/")
    expect(page.get_by_text("Cancelled: Buyers' workshop")).to_be_visible()
    expect(page.get_by_text(partner_a_user.email).first).to_be_visible()
    screenshot(page, "outbox-cancellation")
    cancellation = Message.objects.get(kind=Kind.CANCELLATION)
    assert "METHOD:CANCEL" in cancellation.attachments[0]["content"]
    sent = next(m for m in mail.outbox if m.subject == "Cancelled: Buyers' workshop")
    assert sent.to == [partner_a_user.email]

    # The partner's "Yes" link from the invitation now says it was cancelled.
    invitation = next(m for m in mail.outbox if m.subject == "Invitation: Buyers' workshop")
    link = re.search(r"Yes: (\S+)", invitation.body).group(1)
    partner_page = new_page()
    partner_page.goto(link.removeprefix("http://127.0.0.1:8000"))
    expect(partner_page.get_by_text("This convening was cancelled")).to_be_visible()
    expect(partner_page.get_by_role("button")).to_have_count(0)
    _both_widths(partner_page, "rsvp-cancelled")

    # Signed in, the partner sees it cancelled among their invitations, with nothing to answer.
    sign_in(partner_page, partner_a_user.username)
    partner_page.goto("/calendar/")
    row = partner_page.locator("tr", has_text="Buyers' workshop")
    expect(row.get_by_text("cancelled")).to_be_visible()
    expect(row.get_by_role("button")).to_have_count(0)
    expect(partner_page.get_by_role("link", name="Subscribe in my calendar app")).to_be_visible()
    _both_widths(partner_page, "my-calendar-cancelled")
