"""An intake form from set-up to accepted record, in a browser: a coordinator creates a form
for the Saligna chain, a visitor with no sign-in fills it in (a mistake first, then right),
the coordinator accepts the answers and finds the new partner in the directory; the public
form and the review queue on a desktop and on a 390 px phone."""

import pytest
from playwright.sync_api import expect

from devdata.demo import DEMO_PASSWORD, SALIGNA, build_demo_network
from intake.models import IntakeForm, IntakeSubmission, SubmissionStatus
from partners.models import ChangeRecord, Partner

from .conftest import screenshot, sign_in
from .test_phone_layout import OVERFLOW

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(db):
    build_demo_network()


def test_an_intake_form_from_submission_to_accepted_record(browser, new_page, live_server, demo):
    coordinator = new_page()
    sign_in(coordinator, "coordinator@demo.vcc", DEMO_PASSWORD)
    coordinator.get_by_role("link", name="Intake", exact=True).click()
    expect(coordinator.get_by_text("No intake form yet.")).to_be_visible()
    coordinator.get_by_role("link", name="New form").click()
    coordinator.get_by_label("Value chain").select_option(label=SALIGNA)
    coordinator.get_by_label("Title").fill("Join the Saligna network")
    coordinator.get_by_label("Introduction").fill(
        "Grow, saw or make with Saligna? Tell us who you are and what you offer."
    )
    for section in [
        "Region",
        "A contact person (name, email, phone)",
        "An offer (product, volume, unit)",
    ]:
        coordinator.get_by_label(section).check()
    coordinator.get_by_role("button", name="Create the form").click()
    expect(coordinator.get_by_text("Form created. Share its link below.")).to_be_visible()
    link = coordinator.locator("#public-url").inner_text()
    form = IntakeForm.objects.get()
    assert link.endswith(f"/join/{form.token}/")

    # A visitor: no sign-in, a fresh browser context.
    visitor = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = visitor.new_page()
    page.goto(form.public_path())
    expect(page.get_by_role("heading", name="Join the Saligna network")).to_be_visible()
    expect(page.get_by_role("link", name="Sign out")).to_have_count(0)
    page.get_by_label("Organisation's name").fill("Kwena Timber Co-op")
    page.get_by_label("Region").fill("Limpopo")
    page.get_by_label("Your first name").fill("Thandi")
    page.get_by_label("Your last name").fill("Mokoena")
    page.get_by_label("Your email").fill("thandi@kwena")  # a typo
    page.get_by_label("What you offer").fill("Saligna logs")
    page.get_by_label("How much").fill("120")
    page.get_by_label("Unit").fill("t")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#field-email").get_by_text("Enter a valid email address.")).to_be_visible()
    expect(page.get_by_label("Organisation's name")).to_have_value("Kwena Timber Co-op")
    expect(page.get_by_label("What you offer")).to_have_value("Saligna logs")
    screenshot(page, "intake-public-form-errors")
    page.get_by_label("Your email").fill("thandi@kwena.example")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert not Partner.objects.filter(name="Kwena Timber Co-op").exists()
    page.goto(form.public_path())
    screenshot(page, "intake-public-form-1280")
    visitor.close()

    # The coordinator reviews and accepts.
    coordinator.goto("/intake/")
    expect(coordinator.get_by_text("1 to review")).to_be_visible()
    screenshot(coordinator, "intake-review-queue-1280")
    coordinator.get_by_role("link", name="Kwena Timber Co-op").click()
    expect(coordinator.get_by_text("thandi@kwena.example")).to_be_visible()
    coordinator.get_by_label("Role in the chain (for a new partner)").select_option(
        label="Producer"
    )
    coordinator.get_by_role("button", name="Accept into the directory").click()
    expect(
        coordinator.get_by_text("Accepted: Kwena Timber Co-op is in the directory.")
    ).to_be_visible()
    submission = IntakeSubmission.objects.get()
    assert submission.status == SubmissionStatus.ACCEPTED
    partner = Partner.objects.get(name="Kwena Timber Co-op")
    assert partner.participations.get().value_chain.name == SALIGNA
    assert ChangeRecord.objects.filter(
        partner=partner, summary="Added person Thandi Mokoena"
    ).exists()

    coordinator.get_by_role("navigation", name="Main").get_by_role("link", name="Partners").click()
    coordinator.locator("#id_q").fill("Kwena Timber")
    coordinator.keyboard.press("Enter")
    expect(
        coordinator.locator("main").get_by_role("link", name="Kwena Timber Co-op")
    ).to_be_visible()
    screenshot(coordinator, "intake-accepted-in-directory")


def test_the_public_form_and_the_queue_fit_a_phone(browser, live_server, demo):
    from django.contrib.auth import get_user_model

    from intake import services
    from partners.models import ValueChain

    user = get_user_model().objects.get(username="coordinator@demo.vcc")
    chain = ValueChain.objects.get(name=SALIGNA)
    form = services.create_form(
        chain=chain,
        values={
            "title": "Offers and needs for the 2027 season",
            "intro": "What will you grow, saw or need next season?",
            "sections": ["kind", "website", "person", "offer", "need"],
        },
        by=user,
    )
    services.submit_answers(form=form, values={"partner_name": "Amatola Sawmill Holdings"})
    services.submit_answers(form=form, values={"partner_name": "Tzaneen Timber Growers"})
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(form.public_path())
    assert page.evaluate(OVERFLOW) is None
    expect(page.locator("#field-nickname")).not_to_be_in_viewport()
    screenshot(page, "intake-public-form-390")
    sign_in(page, "coordinator@demo.vcc", DEMO_PASSWORD)
    for path, name in [
        ("/intake/", "intake-review-queue-390"),
        (form.get_absolute_url(), "intake-form-page-390"),
        (IntakeSubmission.objects.first().get_absolute_url(), "intake-answers-390"),
    ]:
        page.goto(path)
        assert page.evaluate(OVERFLOW) is None, path
        screenshot(page, name)
    context.close()
