"""Password reset through the outbox, and password change: the links work once and for an
hour, the answer does not tell whether an address has an account, other sessions end."""

import datetime
from unittest import mock

import pytest
from django.urls import reverse

from accounts.models import UserSession
from outbox.models import Kind, Message
from tests.conftest import client_for
from tests.factories import UserFactory

from .helpers import PASSWORD, link_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def thandi(db):
    return UserFactory(username="thandi@umvoti.example", first_name="Thandi")


def main_of(response) -> str:
    """The page's content, without the per-request CSRF token of the header."""
    body = response.content.decode()
    return body[body.index("<main") : body.index("</main>")]


def ask_reset(client, email):
    return client.post(reverse("accounts:password_reset"), {"email": email}, follow=True)


def test_sign_in_page_links_to_the_reset(client):
    page = client.get(reverse("login")).content.decode()
    assert reverse("accounts:password_reset") in page and "Forgot your password?" in page


def test_the_answer_is_the_same_with_or_without_an_account(client, thandi):
    known = ask_reset(client, "thandi@umvoti.example")
    unknown = ask_reset(client, "nobody@umvoti.example")
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert main_of(known) == main_of(unknown)
    assert "If an account signs in with that address" in known.content.decode()
    # Only the real account gets mail, and it is an outbox message.
    [message] = Message.objects.all()
    assert message.kind == Kind.PASSWORD_RESET and message.to_address == "thandi@umvoti.example"
    assert "works once, for 60 minutes" in message.body_text


def test_reset_link_sets_a_password_once(client, thandi):
    other_device = client_for(thandi)  # signed in elsewhere with the old password
    ask_reset(client, "THANDI@umvoti.example")
    link = link_of(Message.objects.get())
    form = client.get(link, follow=True)
    assert "Set a new password" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "abc", "new_password2": "abc"})
    assert "too short" in weak.content.decode()
    done = client.post(
        set_url, {"new_password1": "Kiln-dry-2026!", "new_password2": "Kiln-dry-2026!"}
    )
    assert done["Location"] == reverse("accounts:password_reset_complete")
    thandi.refresh_from_db()
    assert thandi.check_password("Kiln-dry-2026!")
    # The old sessions are gone; the new password signs in.
    assert other_device.get(reverse("accounts:account"))["Location"].startswith("/accounts/login/")
    assert not UserSession.objects.filter(user=thandi).exists()
    signed_in = client.post(
        reverse("login"), {"username": "thandi@umvoti.example", "password": "Kiln-dry-2026!"}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == "/"
    # The link is spent.
    again = client_for(None).get(link, follow=True)
    assert "This reset link no longer works" in again.content.decode()


def test_reset_link_expires_after_an_hour(client, thandi):
    ask_reset(client, "thandi@umvoti.example")
    link = link_of(Message.objects.get())
    later = datetime.datetime.now() + datetime.timedelta(minutes=61)
    with mock.patch("django.contrib.auth.tokens.PasswordResetTokenGenerator._now") as now:
        now.return_value = later
        page = client.get(link, follow=True)
    assert "This reset link no longer works" in page.content.decode()


def test_change_password_keeps_this_session_and_ends_the_others(thandi):
    here, elsewhere = client_for(None), client_for(None)
    for c in (here, elsewhere):
        c.post(reverse("login"), {"username": thandi.username, "password": PASSWORD})
    wrong = here.post(
        reverse("accounts:password_change"),
        {"old_password": "nope", "new_password1": "Kiln-dry-2026!", "new_password2": "x"},
    )
    assert "Your old password was entered incorrectly" in wrong.content.decode()
    done = here.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Kiln-dry-2026!",
            "new_password2": "Kiln-dry-2026!",
        },
        follow=True,
    )
    assert "Your password is changed" in done.content.decode()
    assert here.get(reverse("accounts:account")).status_code == 200
    assert elsewhere.get(reverse("accounts:account")).status_code == 302
    # The Account page still lists this session, and only it.
    assert len(here.get(reverse("accounts:account")).context["sessions"]) == 1
