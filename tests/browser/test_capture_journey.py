"""A coordinator clears the email review queue in a browser: the demo's captured mail, an
unknown address made into a person at a partner, the email added to the timeline with its
attachments, on a desktop and on a 390 px phone."""

import pytest
from playwright.sync_api import expect

from capture.models import CapturedMessage, CaptureStatus
from devdata.demo import DEMO_PASSWORD, build_demo_network
from devdata.demo_mail import capture_demo_mail
from partners.models import Partner, Person

from .conftest import screenshot, sign_in
from .test_phone_layout import OVERFLOW

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(db):
    build_demo_network()
    assert capture_demo_mail() == 4


def test_a_coordinator_files_an_email_from_the_review_queue(new_page, demo):
    page = new_page()
    sign_in(page, "coordinator@demo.vcc", DEMO_PASSWORD)
    page.get_by_role("link", name="Email", exact=True).click()
    expect(page.get_by_role("heading", name="Email to review")).to_be_visible()
    expect(page.get_by_text("procurement@valleyhospital.example").first).to_be_visible()
    page.get_by_role("link", name="Hospital kitchen: weekly produce").click()
    expect(page.get_by_text("Why it waits")).to_be_visible()
    # Adding the person with no partner chosen keeps the name and says what is missing.
    form = page.locator("form", has=page.get_by_role("button", name="Add the person"))
    form.get_by_label("First name").fill("Nomvula")
    form.get_by_label("Last name").fill("Sithole")
    form.get_by_role("button", name="Add the person").click()
    form = page.locator("form", has=page.get_by_role("button", name="Add the person"))
    expect(form.get_by_text("This field is required.")).to_be_visible()
    expect(form.get_by_label("First name")).to_have_value("Nomvula")
    form.get_by_label("Partner").select_option(label="Valley Food Hub")
    form.get_by_role("button", name="Add the person").click()
    expect(page.get_by_text("Added Nomvula Sithole at Valley Food Hub.")).to_be_visible()
    page.get_by_role("button", name="Add to the timeline").click()
    expect(page.get_by_text("The email is on the timeline.")).to_be_visible()
    message = CapturedMessage.objects.get(subject="Hospital kitchen: weekly produce")
    assert message.status == CaptureStatus.CAPTURED
    assert Person.objects.get(email="procurement@valleyhospital.example").full_name == (
        "Nomvula Sithole"
    )
    hub = Partner.objects.get(name="Valley Food Hub")
    page.goto(hub.get_absolute_url() + "?tab=timeline")
    expect(page.get_by_text("Hospital kitchen: weekly produce")).to_be_visible()
    screenshot(page, "capture-timeline-after-review")

    # The email with attachments on Riverbend's timeline; the file downloads.
    riverbend = Partner.objects.get(name="Riverbend Family Farm")
    page.goto(riverbend.get_absolute_url() + "?tab=timeline")
    with page.expect_download() as download:
        page.get_by_role("link", name="Price list 2027.pdf").click()
    assert download.value.suggested_filename == "Price list 2027.pdf"

    # Discarding one takes it out of the queue.
    page.goto("/capture/review/")
    page.get_by_role("link", name="Our new cold room is ready").click()
    page.get_by_role("button", name="Discard").click()
    expect(page.get_by_text("Discarded “Our new cold room is ready”.")).to_be_visible()
    expect(page.get_by_role("link", name="Our new cold room is ready")).to_have_count(0)


def test_the_queue_and_a_message_fit_a_phone(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, "coordinator@demo.vcc", DEMO_PASSWORD)
    waiting = CapturedMessage.objects.filter(status=CaptureStatus.REVIEW).first()
    riverbend = Partner.objects.get(name="Riverbend Family Farm")
    for path in [
        "/capture/review/",
        waiting.get_absolute_url(),
        f"{riverbend.get_absolute_url()}?tab=timeline",
    ]:
        assert page.goto(path).status == 200
        assert page.evaluate(OVERFLOW) is None, path
    context.close()
