"""Changing the email you sign in with: a link to the new address, the change only when it
is followed, the old address told."""

import pytest
from django.urls import reverse

from outbox.models import Kind, Message
from tests.conftest import client_for
from tests.factories import AffiliationFactory, PersonFactory, UserFactory

from .helpers import PASSWORD, link_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def thandi(partner_a):
    user = UserFactory(username="thandi@umvoti.example", first_name="Thandi")
    person = PersonFactory(email="thandi@umvoti.example", user=user)
    AffiliationFactory(person=person, partner=partner_a)
    return user


def ask(client, email, password=PASSWORD):
    return client.post(reverse("accounts:change_email"), {"email": email, "password": password})


def test_wrong_password_and_taken_address_are_refused_beside_the_field(thandi):
    UserFactory(username="taken@umvoti.example")
    client = client_for(thandi)
    wrong = ask(client, "new@umvoti.example", "nope")
    assert wrong.context["form"].errors == {"password": ["That is not your current password."]}
    assert 'value="new@umvoti.example"' in wrong.content.decode()  # nothing lost
    taken = ask(client, "Taken@umvoti.example")
    assert "Another account signs in with this address." in taken.content.decode()
    assert not Message.objects.exists()


def test_email_changes_only_when_the_link_is_followed(thandi, client):
    response = ask(client_for(thandi), "thandi@new.example")
    assert response["Location"] == reverse("accounts:account")
    [message] = Message.objects.all()
    assert message.kind == Kind.EMAIL_CHANGE and message.to_address == "thandi@new.example"
    thandi.refresh_from_db()
    assert thandi.email == "thandi@umvoti.example"

    link = link_of(message)
    page = client.get(link)
    assert "Use thandi@new.example" in page.content.decode()
    thandi.refresh_from_db()
    assert thandi.email == "thandi@umvoti.example"  # a GET (a mail scanner) changes nothing

    client.post(link)
    thandi.refresh_from_db()
    assert (thandi.email, thandi.username) == ("thandi@new.example", "thandi@new.example")
    assert thandi.person.email == "thandi@new.example"
    notice = Message.objects.get(kind=Kind.EMAIL_CHANGED)
    assert notice.to_address == "thandi@umvoti.example"
    assert "changed from thandi@umvoti.example to thandi@new.example" in notice.body_text
    assert client.post(link).status_code == 400  # used
    signed_in = client.post(
        reverse("login"), {"username": "thandi@new.example", "password": PASSWORD}
    )
    assert signed_in.status_code == 302


def test_tampered_link_changes_nothing(thandi, client):
    ask(client_for(thandi), "thandi@new.example")
    link = link_of(Message.objects.get())
    assert client.post(link[:-3] + "xx/").status_code == 400
    thandi.refresh_from_db()
    assert thandi.email == "thandi@umvoti.example"
