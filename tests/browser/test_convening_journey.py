"""Journey (issue 5): a coordinator creates a working group with a lead and schedules its
meeting, inviting the group; the lead signs in and posts an action item; a partner RSVPs
from the link in the email, without signing in."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from convenings.models import ActionItem, Invitee, WorkingGroup
from outbox import services
from outbox.models import Kind, Message, State

from .conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_working_group_meeting_action_item_and_rsvp(
    new_page, coordinator, chain_a, lead, partner_a_user
):
    page = new_page()
    sign_in(page, coordinator.username)
    page.get_by_role("link", name="Convenings").click()
    expect(page.get_by_text("No upcoming convenings.")).to_be_visible()
    page.get_by_role("link", name="Working groups").click()
    page.get_by_role("link", name="New working group").click()
    # One chain: the group is in it, and its pickers list its people.
    expect(page.get_by_text("In Saligna Hardwood")).to_be_visible()
    page.fill("#id_name", "Drying kilns")
    page.fill("#id_problem", "Sawmills lose a third of the timber to bad drying.")
    page.select_option("#id_lead", value=str(lead.person.pk))
    page.select_option("#id_members", value=[str(lead.person.pk), str(partner_a_user.person.pk)])
    page.select_option("#id_status", "active")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Drying kilns")).to_be_visible()
    group = WorkingGroup.objects.get()
    assert group.lead == lead.person and group.members.count() == 2

    page.get_by_role("link", name="Schedule a meeting").click()
    page.fill("#id_title", "Kiln trial review")
    page.select_option("#id_time_zone", "Africa/Johannesburg")
    page.fill("#id_starts_at", "2027-03-02T09:00")
    page.fill("#id_ends_at", "2027-03-02T08:00")
    page.fill("#id_place", "Amatola Sawmill boardroom")
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_text("The end must be after the start.")).to_be_visible()
    page.fill("#id_ends_at", "2027-03-02T11:00")
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_role("heading", name="Kiln trial review")).to_be_visible()
    expect(page.get_by_text("Tuesday 2 March 2027, 09:00 – 11:00")).to_be_visible()
    page.get_by_role("link", name="Invite people").click()
    page.select_option("#id_groups", label="Drying kilns")
    page.get_by_role("button", name="Invite", exact=True).click()
    expect(page.get_by_text("2 invited.")).to_be_visible()
    expect(page.locator("#attendance").get_by_text(str(partner_a_user.person))).to_be_visible()
    screenshot(page, "convening-coordinator")

    lead_page = new_page()
    sign_in(lead_page, lead.username)
    lead_page.goto(group.get_absolute_url())
    expect(lead_page.get_by_role("heading", name="Drying kilns")).to_be_visible()
    lead_page.fill("#id_title", "Log kiln moisture daily")
    lead_page.select_option("#id_owner", value=str(partner_a_user.person.pk))
    lead_page.fill("#id_due_on", "2027-03-20")
    lead_page.get_by_role("button", name="Post", exact=True).click()
    expect(lead_page.get_by_text("Action item posted")).to_be_visible()
    expect(lead_page.locator("#actions").get_by_text("Log kiln moisture daily")).to_be_visible()
    assert ActionItem.objects.get().posted_by == lead
    screenshot(lead_page, "working-group-lead")

    invitation = next(
        m for m in mail.outbox if m.to == [partner_a_user.email] and "Invitation" in m.subject
    )
    link = re.search(r"Yes: (\S+)", invitation.body).group(1)
    partner_page = new_page()  # not signed in
    partner_page.goto(link.removeprefix("http://127.0.0.1:8000"))
    partner_page.get_by_role("button", name="Confirm “Yes”").click()
    expect(partner_page.get_by_role("heading", name="Thank you")).to_be_visible()
    screenshot(partner_page, "rsvp-partner")
    assert Invitee.objects.get(person=partner_a_user.person).rsvp == "yes"

    # The coordinator's outbox shows what went out, to whom; one invitation's worker died
    # after handing it to the mail server: unconfirmed, and sent again only on request.
    unconfirmed = Message.objects.filter(kind=Kind.INVITATION).order_by("pk").first()
    Message.objects.filter(pk=unconfirmed.pk).update(
        state=State.UNCONFIRMED, last_error=services.UNCONFIRMED_NOTE
    )
    page.goto("/followups/outbox/")
    expect(page.get_by_text("Invitation: Kiln trial review").first).to_be_visible()
    expect(page.get_by_text(partner_a_user.email).first).to_be_visible()
    rows = page.locator("#outbox-rows")
    expect(rows.get_by_text("Sent, unconfirmed")).to_be_visible()
    screenshot(page, "outbox-coordinator")
    before = len(mail.outbox)
    page.get_by_role("button", name="Send again").click()
    expect(page.get_by_text(f"Sending again to {unconfirmed.to_address}")).to_be_visible()
    expect(rows.get_by_text("Sent, unconfirmed")).to_have_count(0)
    assert [m.to for m in mail.outbox[before:]] == [[unconfirmed.to_address]]


def test_owner_page_lists_their_action_items(new_page, coordinator, chain_a, lead, partner_a_user):
    """The coordinator opens an owner's page: open items first, the overdue one flagged as on
    the group's page, the done one folded away until opened."""
    owner = partner_a_user.person
    group = WorkingGroup.objects.create(
        value_chain=chain_a, name="Drying kilns", problem="Bad drying.", lead=lead.person
    )
    today = timezone.localdate()
    for title, days, status in [
        ("Measure kiln moisture", -4, "open"),
        ("Order moisture sensors", 6, "in_progress"),
        ("Book the kiln trial", -12, "done"),
    ]:
        ActionItem.objects.create(
            value_chain=chain_a,
            working_group=group,
            title=title,
            owner=owner,
            due_on=today + datetime.timedelta(days=days),
            status=status,
        )
    page = new_page()
    sign_in(page, coordinator.username)
    page.goto(f"/people/{owner.pk}/")
    actions = page.locator("#person-actions")
    expect(actions.locator("tr.overdue").get_by_text("Measure kiln moisture")).to_be_visible()
    expect(actions.get_by_text("1 overdue")).to_be_visible()
    expect(actions.get_by_role("link", name="Drying kilns").first).to_be_visible()
    expect(actions.get_by_text("Book the kiln trial")).to_be_hidden()
    actions.get_by_text("Done (1)").click()
    expect(actions.get_by_text("Book the kiln trial")).to_be_visible()
    screenshot(page, "person-action-items")
