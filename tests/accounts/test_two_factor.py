"""Two-factor sign-in: set-up with an authenticator app, the code after the password,
recovery codes that work once, turning it off, and who must have it."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.twofactor import requires_2fa
from accounts.views import SETUP_KEY
from tests.conftest import client_for
from tests.factories import UserFactory

from .helpers import PASSWORD, totp_code

pytestmark = pytest.mark.django_db


def set_up(client) -> tuple[str, list[str]]:
    """Walk the set-up page; the device key and the recovery codes shown."""
    page = client.get(reverse("accounts:two_factor_setup"))
    assert page.status_code == 200
    key = client.session[SETUP_KEY]
    done = client.post(reverse("accounts:two_factor_setup"), {"code": totp_code(key)})
    return key, done.context["codes"]


def password_step(client, user, **extra):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD, **extra})


def test_set_up_shows_a_qr_code_and_confirms_a_code(partner_a_user):
    client = client_for(partner_a_user)
    page = client.get(reverse("accounts:two_factor_setup")).content.decode()
    assert '<svg class="qr"' in page and "style=" not in page and "<script>" not in page
    wrong = client.post(reverse("accounts:two_factor_setup"), {"code": "000000"})
    assert "That code does not match" in wrong.content.decode()
    assert not TOTPDevice.objects.exists()  # nothing kept until a code matches
    key, codes = set_up(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    device = TOTPDevice.objects.get(user=partner_a_user)
    assert device.confirmed and device.key == key
    # Shown once: the Account page says how many are left, never the codes.
    account = client.get(reverse("accounts:account")).content.decode()
    assert "10 recovery codes left" in account and codes[0] not in account


def test_sign_in_asks_for_the_code_after_the_password(partner_a_user, client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # (a wrong code holds the next back a second)
    key, _ = set_up(client_for(partner_a_user))
    response = password_step(client, partner_a_user, next="/convenings/")
    assert response["Location"].startswith(reverse("accounts:login_code"))
    assert "_auth_user_id" not in client.session  # not signed in yet
    assert client.get(reverse("accounts:account")).status_code == 302
    code_page = client.get(response["Location"])
    assert "Your sign-in code" in code_page.content.decode()
    wrong = client.post(reverse("accounts:login_code"), {"code": "123456"})
    assert "That code is not right" in wrong.content.decode()
    done = client.post(
        reverse("accounts:login_code"),
        {"code": totp_code(key, steps_ahead=1), "next": "/convenings/"},
    )
    assert done["Location"] == "/convenings/"
    assert client.get(reverse("accounts:account")).status_code == 200


def test_a_recovery_code_works_once(partner_a_user, client):
    _, codes = set_up(client_for(partner_a_user))
    password_step(client, partner_a_user)
    done = client.post(reverse("accounts:login_code"), {"code": codes[3]}, follow=True)
    assert "You signed in with a recovery code; 9 left." in done.content.decode()
    assert not StaticToken.objects.filter(token=codes[3]).exists()

    again = client_for(None)
    password_step(again, partner_a_user)
    refused = again.post(reverse("accounts:login_code"), {"code": codes[3]})
    assert "That code is not right, or was used already" in refused.content.decode()


def test_without_a_device_the_password_signs_in(partner_a_user, client):
    assert password_step(client, partner_a_user)["Location"] == "/"


def test_the_code_page_without_a_password_first_goes_to_sign_in(client):
    assert client.get(reverse("accounts:login_code"))["Location"] == reverse("login")


def test_turn_off_needs_the_password(partner_a_user):
    client = client_for(partner_a_user)
    set_up(client)
    wrong = client.post(reverse("accounts:two_factor_disable"), {"password": "nope"})
    assert "That is not your current password." in wrong.content.decode()
    assert TOTPDevice.objects.exists()
    client.post(reverse("accounts:two_factor_disable"), {"password": PASSWORD})
    assert not TOTPDevice.objects.exists() and not StaticToken.objects.exists()


def test_new_recovery_codes_replace_the_old(partner_a_user):
    client = client_for(partner_a_user)
    _, old = set_up(client)
    page = client.post(reverse("accounts:new_recovery_codes"), {"password": PASSWORD})
    new = page.context["codes"]
    assert len(new) == 10 and not set(old) & set(new)
    assert not StaticToken.objects.filter(token__in=old).exists()


# --- who must have it -------------------------------------------------------------------------


@pytest.fixture
def required(settings):
    settings.VCC_REQUIRE_2FA_FOR_STAFF = True


def test_requires_2fa_for_coordinators_and_administrators(
    required, coordinator, partner_a_user, settings
):
    admin = UserFactory(is_superuser=True, is_staff=True)
    assert requires_2fa(coordinator) and requires_2fa(admin)
    assert not requires_2fa(partner_a_user)
    settings.VCC_REQUIRE_2FA_FOR_STAFF = False
    assert not requires_2fa(coordinator)


def test_a_coordinator_without_a_device_is_sent_to_set_up_first(required, coordinator):
    client = client_for(coordinator)
    for url in ("/", reverse("partners:directory"), "/admin/", reverse("accounts:account")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:two_factor_setup"))
    assert client.get("/static/vcc/vcc.css").status_code in (200, 404)  # not redirected
    key, _ = set_up(client)
    assert client.get(reverse("partners:directory")).status_code == 200


def test_a_coordinator_with_a_device_but_no_code_gives_it_first(required, coordinator):
    services.confirm_totp_device(user=coordinator, key="ab" * 20, last_t=0)
    client = client_for(coordinator)  # a session from before the device
    response = client.get(reverse("partners:directory"))
    assert response["Location"].startswith(reverse("accounts:login_code"))
    done = client.post(
        reverse("accounts:login_code"), {"code": totp_code("ab" * 20), "next": "/partners/"}
    )
    assert done["Location"] == "/partners/"
    assert client.get(reverse("partners:directory")).status_code == 200


def test_partners_are_not_required(required, partner_a_user):
    assert client_for(partner_a_user).get("/").status_code == 302  # to their organisation
    response = client_for(partner_a_user).get(reverse("partners:my_organisation"))
    assert not response["Location"].startswith("/accounts/")


def test_off_when_the_setting_is_off(coordinator):
    assert client_for(coordinator).get(reverse("partners:directory")).status_code == 200


def test_setting_up_signs_out_the_sessions_that_gave_no_code(partner_a_user):
    here, elsewhere = client_for(partner_a_user), client_for(partner_a_user)
    set_up(here)
    assert elsewhere.get(reverse("accounts:account")).status_code == 302
    assert here.get(reverse("accounts:account")).status_code == 200


def test_the_admin_signs_in_through_the_code_asking_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=/admin/"


def test_a_coordinator_replacing_the_app_sets_up_the_new_one_next(required, coordinator):
    client = client_for(coordinator)
    set_up(client)
    response = client.post(reverse("accounts:two_factor_disable"), {"password": PASSWORD})
    assert response["Location"] == reverse("accounts:two_factor_setup")
    assert client.get(reverse("partners:directory"))["Location"].startswith(
        reverse("accounts:two_factor_setup")
    )
