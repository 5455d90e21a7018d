"""Journeys (issue 16, accounts): a forgotten password reset through the outbox, and a
coordinator setting up two-factor sign-in, then signing in with a code."""

import base64
import re
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from outbox.models import Kind, Message, State

from .conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def phone_shot(page, name: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, f"{name}-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, f"{name}-1280")


def test_password_reset_through_the_outbox(new_page, partner_a_user, partner_a):
    page = new_page()
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    phone_shot(page, "account-reset-ask")
    page.get_by_label("Email").fill("alice@amatola.example")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    phone_shot(page, "account-reset-sent")

    # The outbox delivered it (Celery runs in the server's thread in tests: sent on commit).
    message = Message.objects.get(kind=Kind.PASSWORD_RESET)
    assert message.state == State.SENT and message.to_address == "alice@amatola.example"
    link = re.search(r"http://\S+?(/accounts/password/reset/\S+/)", message.body_text).group(1)

    page.goto(link)
    expect(page.get_by_role("heading", name="Set a new password")).to_be_visible()
    phone_shot(page, "account-reset-set")
    page.fill("#id_new_password1", "Kiln-dry-2026!")
    page.fill("#id_new_password2", "Kiln-dry-2026!")
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("heading", name="Your password is set")).to_be_visible()

    page.get_by_role("link", name="Sign in").click()
    sign_in(page, "alice@amatola.example", "Kiln-dry-2026!")
    expect(page.get_by_role("heading", name="Amatola Sawmill")).to_be_visible()

    page.goto(link)  # used once: no more
    expect(page.get_by_role("heading", name="This reset link no longer works")).to_be_visible()


def code_for(secret: str, steps_ahead: int = 0) -> str:
    text = secret.replace(" ", "")
    key = base64.b32decode(text + "=" * (-len(text) % 8))
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def test_coordinator_sets_up_two_factor_and_signs_in_with_it(
    new_page, coordinator, chain_a, settings
):
    settings.VCC_REQUIRE_2FA_FOR_STAFF = True
    page = new_page()
    sign_in(page, coordinator.username)
    # Required of a coordinator: the set-up comes before any other page.
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    page.goto("/partners/")
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.locator(".qr-box svg")).to_be_visible()
    phone_shot(page, "account-2fa-setup")
    secret = page.locator("code.secret").inner_text()

    page.get_by_label("Code from the app").fill("000000")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_text("That code does not match")).to_be_visible()
    page.get_by_label("Code from the app").fill(code_for(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", name="Two-factor sign-in is on")).to_be_visible()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    phone_shot(page, "account-2fa-codes")
    page.get_by_role("link", name="I have kept them: go on").click()
    expect(page.get_by_role("heading", name="Partners")).to_be_visible()

    page.get_by_role("link", name=re.compile("Account")).click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    expect(page.get_by_text("10 recovery codes left")).to_be_visible()
    phone_shot(page, "account-page")
    page.get_by_role("button", name="Sign out").first.click()

    sign_in(page, coordinator.username)
    expect(page.get_by_role("heading", name="Your sign-in code")).to_be_visible()
    phone_shot(page, "account-2fa-code")
    page.get_by_label("Code").fill(code_for(secret, steps_ahead=1))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My day")).to_be_visible()


def test_account_pages_look_right(new_page, partner_a_user):
    page = new_page()
    sign_in(page, partner_a_user.username)
    page.goto("/accounts/account/")
    expect(page.get_by_text("Set up two-factor sign-in")).to_be_visible()
    phone_shot(page, "account-partner")
    page.get_by_role("link", name="Change email").click()
    expect(page.get_by_role("heading", name="Change your email")).to_be_visible()
    phone_shot(page, "account-change-email")
    page.goto("/accounts/account/password/")
    phone_shot(page, "account-change-password")


def test_coordinator_sees_whether_an_invitation_was_sent(new_page, coordinator, partner_a):
    from tests.factories import AffiliationFactory, PersonFactory

    person = PersonFactory(first_name="Zanele", last_name="Dube", email="zanele@amatola.example")
    AffiliationFactory(person=person, partner=partner_a)
    page = new_page()
    sign_in(page, coordinator.username)
    page.goto(f"/partners/{partner_a.pk}/invite/")
    page.get_by_role("button", name="Send invitation").click()
    expect(
        page.get_by_text("An invitation is on its way to zanele@amatola.example")
    ).to_be_visible()
    page.goto(person.get_absolute_url())
    section = page.locator("#sign-in-invitations")
    expect(section.get_by_text("Sent", exact=True)).to_be_visible()
    section.scroll_into_view_if_needed()
    phone_shot(page, "account-person-invitations")
