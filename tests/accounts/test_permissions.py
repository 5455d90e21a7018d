"""Every account page, for each role: the signed-in user's own account, or the sign-in page."""

import pytest
from django.urls import reverse

from accounts.models import public_id
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OWN_PAGES = [
    "accounts:account",
    "accounts:password_change",
    "accounts:change_email",
    "accounts:two_factor_setup",
]
ROLES = ["anonymous", "partner_a", "other_coordinator", "coordinator", "superuser"]


@pytest.fixture
def users(role_users):
    return {**role_users, "superuser": UserFactory(is_superuser=True, is_staff=True)}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", OWN_PAGES)
def test_own_account_pages(users, role, name):
    response = client_for(users[role]).get(reverse(name))
    if role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "name,args",
    [("accounts:end_other_sessions", []), ("accounts:new_recovery_codes", [])],
)
def test_posts_need_a_sign_in_and_refuse_get(users, role, name, args):
    client = client_for(users[role])
    if role == "anonymous":
        assert client.post(reverse(name, args=args)).status_code == 302
    else:
        assert client.get(reverse(name, args=args)).status_code == 405
        assert client.post(reverse(name, args=args)).status_code == 302


@pytest.mark.parametrize("role", ROLES[1:])
def test_a_session_of_someone_else_is_a_404_for_every_role(users, role):
    from tests.accounts.test_sessions import FIREFOX, signed_in

    victim = signed_in(UserFactory(username="victim@example.org"), FIREFOX)
    victim_id = public_id(victim.session.session_key)
    response = client_for(users[role]).post(reverse("accounts:end_session", args=[victim_id]))
    assert response.status_code == 404
    assert victim.get(reverse("accounts:account")).status_code == 200


@pytest.mark.parametrize(
    "name,args",
    [
        ("login", []),
        ("accounts:password_reset", []),
        ("accounts:password_reset_done", []),
        ("accounts:password_reset_complete", []),
    ],
)
def test_public_pages_answer_anonymous(client, name, args):
    assert client.get(reverse(name, args=args)).status_code == 200


def test_bad_links_are_400_not_500(client):
    assert client.get(reverse("accounts:confirm_email", args=["bad"])).status_code == 400
    assert client.get(reverse("accept_invitation", args=["MQ", "bad-token"])).status_code == 400
    reset = client.get(reverse("accounts:password_reset_confirm", args=["MQ", "bad-token"]))
    assert reset.status_code == 200 and "no longer works" in reset.content.decode()
