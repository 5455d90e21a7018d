"""Sign-in resists password guessing (django-axes): after too many wrong passwords an account is
paused with a page that says so, the right password is refused while it lasts, and a
coordinator of the person's chain can lift it from the person's page."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse

from partners.models import ChangeRecord

from ..conftest import client_for
from ..factories import UserFactory

LOGIN = "/accounts/login/"
PASSWORD = "pass-2026-word"  # the factories' password


def sign_in(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, follow=False
    )


def lock(username: str, address: str = "10.0.0.1", times: int = 30) -> list[int]:
    client = Client()
    return [sign_in(client, username, "wrong-guess", address).status_code for _ in range(times)]


@pytest.fixture
def alice(partner_a_user):
    return partner_a_user


def test_thirty_wrong_passwords_lock_the_account_until_a_coordinator_unlocks_it(alice, coordinator):
    statuses = lock(alice.username)
    limit = settings.AXES_FAILURE_LIMIT
    # The form answers the first wrong passwords, then the lockout page every time after.
    assert statuses[: limit - 1] == [200] * (limit - 1)
    assert set(statuses[limit:]) == {429}

    page = sign_in(Client(), alice.username, PASSWORD)
    assert page.status_code == 429, "the right password is refused while locked"
    text = page.content.decode()
    assert "Too many attempts with a wrong password" in text
    assert "Try again in 15 minutes" in text and "ask your coordinator" in text
    assert "_auth_user_id" not in Client().session

    # The coordinator sees the lock on the person's page and lifts it.
    person_url = reverse("partners:person", args=[alice.person.pk])
    as_coordinator = client_for(coordinator)
    assert "paused: too many wrong passwords" in as_coordinator.get(person_url).content.decode()
    response = as_coordinator.post(
        reverse("partners:person_unlock", args=[alice.person.pk]), follow=True
    )
    assert f"{alice.person.full_name} can sign in again." in response.content.decode()
    assert "Unlock sign-in" not in response.content.decode()
    assert ChangeRecord.objects.filter(summary__startswith="Unlocked the sign-in").exists()

    client = Client()
    response = sign_in(client, alice.username, PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_a_lock_is_per_account_from_any_address(alice, partner_b_user):
    lock(alice.username, address="10.0.0.1", times=settings.AXES_FAILURE_LIMIT)
    # Alice from elsewhere is refused too: the guesses were against her account.
    assert sign_in(Client(), alice.username, PASSWORD, address="10.9.9.9").status_code == 429
    # Bob, from another address, signs in as usual.
    assert sign_in(Client(), partner_b_user.username, PASSWORD, "10.9.9.9").status_code == 302


def test_an_address_trying_many_accounts_is_locked(alice, partner_b_user):
    client = Client()
    for i in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, f"nobody{i}@example.org", "guess", address="10.6.6.6")
    # From that address even a right password for another account waits.
    assert sign_in(Client(), partner_b_user.username, PASSWORD, "10.6.6.6").status_code == 429
    assert sign_in(Client(), partner_b_user.username, PASSWORD, "10.7.7.7").status_code == 302


def test_signing_in_to_an_own_account_does_not_wipe_an_addresss_count(alice, partner_b_user):
    """A guesser with an account of their own cannot sign in now and then to start over."""
    client = Client()
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, f"nobody{i}@example.org", "guess", address="10.6.6.6")
    assert sign_in(Client(), partner_b_user.username, PASSWORD, "10.6.6.6").status_code == 302
    sign_in(client, "nobody-else@example.org", "guess", address="10.6.6.6")
    assert sign_in(Client(), alice.username, PASSWORD, "10.6.6.6").status_code == 429


def test_behind_the_proxy_the_forwarded_address_counts(alice, partner_b_user, settings):
    settings.VCC_BEHIND_PROXY = True
    client = Client()
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN,
            {"username": f"nobody{i}@example.org", "password": "guess"},
            REMOTE_ADDR="172.16.0.2",
            HTTP_X_FORWARDED_FOR="forged, 203.0.113.5",
        )
    other = Client().post(
        LOGIN,
        {"username": partner_b_user.username, "password": PASSWORD},
        REMOTE_ADDR="172.16.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert other.status_code == 302, "a different client behind the same proxy is not locked"


@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", 302),  # to sign in
        ("partner_a", 404),  # a colleague at partner A (the person themself: see below)
        ("partner_b", 404),
        ("other_coordinator", 404),
        ("coordinator", 302),
        ("superuser", 302),
    ],
)
def test_unlock_permissions(role, expected, role_users, alice, lead):
    user = role_users.get(role)
    if role == "superuser":
        user = UserFactory(username="root@example.org", is_superuser=True, is_staff=True)
    target = lead.person  # a person of partner A who is not the one asking
    lock(lead.username, times=settings.AXES_FAILURE_LIMIT)
    response = client_for(user).post(reverse("partners:person_unlock", args=[target.pk]))
    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    still_locked = AccessAttempt.objects.filter(username=lead.username).exists()
    assert still_locked is (role not in {"coordinator", "superuser"})


def test_a_person_cannot_unlock_their_own_account(alice):
    response = client_for(alice).post(reverse("partners:person_unlock", args=[alice.person.pk]))
    assert response.status_code == 403


def test_unlock_is_post_only(coordinator, alice):
    response = client_for(coordinator).get(
        reverse("partners:person_unlock", args=[alice.person.pk])
    )
    assert response.status_code == 405


def test_a_missing_person_is_404(coordinator):
    response = client_for(coordinator).post(reverse("partners:person_unlock", args=[999999]))
    assert response.status_code == 404
