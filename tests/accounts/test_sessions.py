"""The Account page lists where you are signed in; sign one session out, or all the others."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.models import UserSession, public_id
from accounts.services import SEEN_KEY

from .helpers import PASSWORD

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
ANDROID = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/131.0 Mobile"


def signed_in(user, agent: str, ip: str = "198.51.100.7") -> Client:
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)
    assert client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    return client


def test_account_page_lists_each_session_with_its_device(partner_a_user, django_assert_num_queries):
    laptop = signed_in(partner_a_user, FIREFOX)
    signed_in(partner_a_user, ANDROID, "203.0.113.9")
    # 1 session, 2 user, 3 the user's sessions, 4 their authenticator app, 5 recovery codes.
    with django_assert_num_queries(5):
        page = laptop.get(reverse("accounts:account"))
    body = page.content.decode()
    assert "Firefox on Windows" in body and "Chrome on Android" in body
    assert "203.0.113.9" in body and body.count("This session") == 1
    assert "Sign out everywhere else" in body


def test_sign_out_one_session(partner_a_user):
    laptop = signed_in(partner_a_user, FIREFOX)
    phone = signed_in(partner_a_user, ANDROID)
    phone_key = phone.session.session_key
    body = laptop.get(reverse("accounts:account")).content.decode()
    assert phone_key not in body  # a session's key would sign in whoever read it
    url = reverse("accounts:end_session", args=[public_id(phone_key)])
    response = laptop.post(url, follow=True)
    assert "That session is signed out." in response.content.decode()
    assert phone.get(reverse("accounts:account")).status_code == 302  # to the sign-in page
    assert laptop.get(reverse("accounts:account")).status_code == 200
    assert not Session.objects.filter(pk=phone_key).exists()


def test_someone_elses_session_is_a_404(partner_a_user, partner_b_user):
    mine = signed_in(partner_a_user, FIREFOX)
    theirs = signed_in(partner_b_user, ANDROID)
    theirs_id = public_id(theirs.session.session_key)
    assert mine.post(reverse("accounts:end_session", args=[theirs_id])).status_code == 404
    assert mine.post(reverse("accounts:end_session", args=["no-such-session"])).status_code == 404
    own_id = public_id(mine.session.session_key)  # this one is signed out with Sign out
    assert mine.post(reverse("accounts:end_session", args=[own_id])).status_code == 404
    assert theirs.get(reverse("accounts:account")).status_code == 200


def test_sign_out_everywhere_else(partner_a_user, partner_b_user):
    here = signed_in(partner_a_user, FIREFOX)
    others = [signed_in(partner_a_user, ANDROID) for _ in range(2)]
    bystander = signed_in(partner_b_user, ANDROID)
    response = here.post(reverse("accounts:end_other_sessions"), follow=True)
    assert "Signed out of 2 other sessions." in response.content.decode()
    assert all(c.get(reverse("accounts:account")).status_code == 302 for c in others)
    assert here.get(reverse("accounts:account")).status_code == 200
    assert bystander.get(reverse("accounts:account")).status_code == 200
    assert UserSession.objects.filter(user=partner_a_user).count() == 1


def test_sign_out_removes_the_sessions_record(partner_a_user):
    client = signed_in(partner_a_user, FIREFOX)
    client.post(reverse("logout"))
    assert not UserSession.objects.exists()


def test_last_seen_is_written_at_most_once_a_minute(partner_a_user, django_assert_num_queries):
    client = signed_in(partner_a_user, FIREFOX)
    row = UserSession.objects.get()
    url = reverse("partners:my_organisation")
    client.get(url)
    assert UserSession.objects.get().last_seen_at == row.last_seen_at  # within the minute

    session = client.session
    session[SEEN_KEY] -= 61
    session.save()
    client.get(url)
    assert UserSession.objects.get().last_seen_at > row.last_seen_at
