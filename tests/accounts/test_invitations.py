"""Coordinators invite partners: an outbox email with a single-use link to set a password."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from outbox.models import Kind, Message, State
from outbox.services import send_message
from partners.models import Invitation
from tests.factories import AffiliationFactory, PersonFactory
from tests.outbox.delivery import SmtpServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitee(partner_a):
    person = PersonFactory(first_name="Zanele", email="zanele@amatola.example")
    AffiliationFactory(person=person, partner=partner_a)
    return person


def invite(client, partner, person):
    return client.post(reverse("partners:invite", args=[partner.pk]), {"person": person.pk})


def link_in(message) -> str:
    return re.search(r"http://\S+/accounts/invitation/\S+/", message.body).group(0)


def test_invitation_email_link_sets_password_once(
    as_coordinator, partner_a, invitee, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(as_coordinator, partner_a, invitee)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["zanele@amatola.example"]
    assert "Amatola Sawmill" in message.subject
    assert message.alternatives and "Set your password" in message.alternatives[0][0]
    row = Message.objects.get()
    assert (row.kind, row.state) == (Kind.ACCOUNT_INVITATION, State.SENT)
    assert row.about_type == "invitation" and row.about_id == Invitation.objects.get().pk
    assert row.value_chain == partner_a.participations.get().value_chain  # in their outbox
    path = link_in(message).split("testserver", 1)[-1].replace("http://127.0.0.1:8000", "")

    page = client.get(path)
    assert page.status_code == 200 and "Choose a password" in page.content.decode()
    weak = client.post(path, {"new_password1": "abc", "new_password2": "abc"})
    assert weak.context["form"].errors
    done = client.post(path, {"new_password1": "Saligna-2026!", "new_password2": "Saligna-2026!"})
    assert done.status_code == 302
    assert client.get(reverse("partners:my_organisation"))["Location"] == (
        partner_a.get_absolute_url()
    )
    assert Invitation.objects.get().accepted_at is not None

    client.logout()
    again = client.get(path)
    assert again.status_code == 400
    assert "no longer works" in again.content.decode()


def test_tampered_link_is_refused(client):
    response = client.get(reverse("accept_invitation", args=["MQ", "bad-token"]))
    assert response.status_code == 400


def test_invitee_without_email_is_refused_beside_the_field(as_coordinator, partner_a):
    person = PersonFactory(email="")
    AffiliationFactory(person=person, partner=partner_a)
    response = invite(as_coordinator, partner_a, person)
    assert "has no email address" in response.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox


def test_person_of_another_partner_cannot_be_invited_here(as_coordinator, partner_a, partner_b):
    outsider = PersonFactory()
    AffiliationFactory(person=outsider, partner=partner_b)
    response = invite(as_coordinator, partner_a, outsider)
    assert "person" in response.context["form"].errors
    assert not Invitation.objects.exists()


def test_sending_the_invitation_again_sends_once(
    as_coordinator, partner_a, invitee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(as_coordinator, partner_a, invitee)
    assert send_message(Message.objects.get().pk) is False  # already claimed and sent
    assert len(mail.outbox) == 1


def test_invitation_refused_by_the_mail_server_shows_failed_and_is_sent_again(
    settings, as_coordinator, partner_a, invitee, django_capture_on_commit_callbacks
):
    settings.VCC_OUTBOX_MAX_ATTEMPTS = 1
    with SmtpServer() as smtp:
        settings.EMAIL_BACKEND = "outbox.handover.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
        settings.EMAIL_USE_TLS = False
        smtp.sink.reply = lambda message: "451 Mailbox busy, try later"
        with django_capture_on_commit_callbacks(execute=True):
            invite(as_coordinator, partner_a, invitee)
        message = Message.objects.get()
        assert message.state == State.FAILED and "451" in message.last_error
        assert smtp.sink.count == 0

        # The coordinator sees it failed, on the person's page and in the outbox.
        page = as_coordinator.get(invitee.get_absolute_url()).content.decode()
        assert "Invitations to sign in" in page and "Failed" in page and "451" in page
        outbox = as_coordinator.get(reverse("outbox:outbox") + "?state=failed")
        assert "Invitation to sign in" in outbox.content.decode()

        smtp.sink.reply = None  # the server takes mail again: "Send again"
        with django_capture_on_commit_callbacks(execute=True):
            as_coordinator.post(reverse("outbox:send_again", args=[message.pk]))
        assert smtp.sink.count == 1
    message.refresh_from_db()
    assert message.state == State.SENT
    page = as_coordinator.get(invitee.get_absolute_url()).content.decode()
    assert "Sent" in page


def test_invitation_delivery_is_shown_to_its_coordinators_only(
    as_coordinator,
    coordinator,
    other_coordinator,
    partner_a,
    partner_a_user,
    invitee,
    django_capture_on_commit_callbacks,
):
    from accounts.selectors import invitation_deliveries

    with django_capture_on_commit_callbacks(execute=True):
        invite(as_coordinator, partner_a, invitee)
    assert (
        "Invitations to sign in" in as_coordinator.get(invitee.get_absolute_url()).content.decode()
    )
    [delivery] = invitation_deliveries(invitee, coordinator)
    assert delivery.message.state == State.SENT
    assert invitation_deliveries(invitee, other_coordinator) == []
    assert invitation_deliveries(invitee, partner_a_user) == []


def test_invitation_link_expires_after_a_week(
    as_coordinator, partner_a, invitee, client, django_capture_on_commit_callbacks
):
    import datetime
    from unittest import mock

    with django_capture_on_commit_callbacks(execute=True):
        invite(as_coordinator, partner_a, invitee)
    path = link_in(mail.outbox[0]).replace("http://127.0.0.1:8000", "")
    later = datetime.datetime.now() + datetime.timedelta(days=8)
    with mock.patch("accounts.tokens.InvitationTokenGenerator._now", return_value=later):
        assert client.get(path).status_code == 400
    assert client.get(path).status_code == 200


def test_subject_of_a_name_ending_in_s_takes_an_apostrophe_only(
    as_coordinator, partner_a, invitee, django_capture_on_commit_callbacks
):
    partner_a.name = "Umvoti Timber Estates"
    partner_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        invite(as_coordinator, partner_a, invitee)
    message = mail.outbox[0]
    assert message.subject == "You're invited to keep Umvoti Timber Estates' profile on vcc"
    assert "Umvoti Timber Estates' profile" in message.body
    assert "Estates's" not in message.body + message.alternatives[0][0]


def test_a_working_group_lead_is_told_of_the_group(
    as_coordinator, partner_a, invitee, django_capture_on_commit_callbacks
):
    from convenings.models import WorkingGroup

    chain = partner_a.participations.get().value_chain
    WorkingGroup.objects.create(value_chain=chain, name="Density & Grading", lead=invitee)
    with django_capture_on_commit_callbacks(execute=True):
        invite(as_coordinator, partner_a, invitee)
    message = mail.outbox[0]
    assert f"You lead the working group Density & Grading in {chain.name}" in message.body
    assert "Density &amp; Grading" in message.alternatives[0][0]
