"""Email into the timeline, against a real IMAP server: messages delivered with APPEND into a
mailbox of the test Dovecot, read by the poller, and checked on the partners' timelines, the
review queue and the convenings' RSVPs."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from capture import services
from capture.models import CapturedMessage, CaptureStatus
from capture.selectors import review_queue
from convenings.models import Convening, Invitee, Rsvp
from partners.models import Interaction, InteractionKind, Visibility
from tests.conftest import client_for
from tests.factories import AffiliationFactory, PersonFactory

from .conftest import fixture_mail

pytestmark = [pytest.mark.services, pytest.mark.django_db]


def poll(imap):
    return services.poll_mailbox(imap.config)


@pytest.fixture
def both_chains(coordinator, chain_b, partner_a_user, partner_b_user):
    """The coordinator coordinates both chains: Alice (partner A) and Bob (partner B) are
    theirs."""
    chain_b.coordinators.add(coordinator)
    return coordinator


def timeline(client, partner) -> str:
    response = client.get(reverse("partners:detail", args=[partner.pk]), {"tab": "timeline"})
    assert response.status_code == 200
    return response.content.decode()


def test_plain_message_from_a_coordinator_lands_on_each_partners_timeline(
    imap, both_chains, partner_a, partner_b, as_coordinator
):
    imap.append(fixture_mail("plain.eml"))
    result = poll(imap)
    assert (result.seen, result.captured) == (1, 1)
    interaction = Interaction.objects.get()
    assert interaction.kind == InteractionKind.EMAIL
    assert interaction.topic == "Trial order of kiln-dried saligna"
    assert interaction.occurred_on == datetime.date(2026, 12, 1)
    assert "trial order of 2 m3" in interaction.notes
    assert interaction.visibility == Visibility.COORDINATORS
    assert interaction.logged_by == both_chains
    assert {p.email for p in interaction.people.all()} == {
        "alice@amatola.example",
        "bob@riverbend.example",
    }
    assert set(interaction.partners.all()) == {partner_a, partner_b}
    for partner in (partner_a, partner_b):
        assert "Trial order of kiln-dried saligna" in timeline(as_coordinator, partner)
    partner_a.refresh_from_db()
    assert partner_a.last_contacted_on == datetime.date(2026, 12, 1)
    # The partner's own people do not see a coordinators-only email.
    alice = client_for(partner_a.affiliations.get().person.user)
    assert "Trial order" not in timeline(alice, partner_a)


def test_a_message_read_twice_makes_one_interaction(imap, both_chains):
    imap.append(fixture_mail("plain.eml"))
    imap.append(fixture_mail("plain.eml"))  # the same Message-ID delivered again
    first = poll(imap)
    second = poll(imap)
    assert (first.captured, first.duplicates) == (1, 1)
    assert (second.seen, second.captured) == (0, 0)  # both are marked captured
    assert imap.captured_flags() == 2
    assert Interaction.objects.count() == 1
    # Read again from a mailbox that lost its marks (another client cleared them): still one.
    services.capture_message(fixture_mail("plain.eml"))
    assert Interaction.objects.count() == CapturedMessage.objects.count() == 1


def test_html_only_mail_becomes_readable_text(imap, both_chains):
    imap.append(fixture_mail("html_only.eml"))
    poll(imap)
    notes = Interaction.objects.get().notes
    assert "The density & grading workshop moved to Thursday." in notes
    assert "- Moisture meter" in notes
    assert "alert" not in notes and "color" not in notes and "<p>" not in notes


def test_attachments_are_kept_listed_and_downloaded_by_those_who_see_the_email(
    imap, both_chains, partner_a, as_coordinator, other_coordinator, partner_a_user, settings
):
    settings.VCC_CAPTURE_MAX_ATTACHMENT_BYTES = 75  # the PDF is 82 bytes, the PNG 70
    imap.append(fixture_mail("attachment.eml"))
    poll(imap)
    message = CapturedMessage.objects.get()
    pdf, png = message.attachments.order_by("id")
    assert (pdf.filename, pdf.kept, bytes(pdf.content)) == ("Quote 2026-117.pdf", False, b"")
    assert (png.filename, png.kept, png.size) == ("kiln – front.png", True, 70)
    page = timeline(as_coordinator, partner_a)
    assert "Quote 2026-117.pdf" in page and "too large, not kept" in page
    assert png.get_absolute_url() in page
    response = as_coordinator.get(png.get_absolute_url())
    assert response.status_code == 200
    assert response.content.startswith(b"\x89PNG")
    assert response["Content-Disposition"].startswith("attachment;")
    # A coordinator of another chain and the partner's own people (coordinators-only) get 404.
    assert client_for(other_coordinator).get(png.get_absolute_url()).status_code == 404
    assert client_for(partner_a_user).get(png.get_absolute_url()).status_code == 404
    assert as_coordinator.get(pdf.get_absolute_url()).status_code == 404  # not kept
    # Shared with the partners, the partner's people may download it.
    Interaction.objects.update(visibility=Visibility.SHARED)
    assert client_for(partner_a_user).get(png.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    "name, subject",
    [
        ("forwarded_gmail.eml", "Timber sizes for the product matrix"),
        ("forwarded_outlook.eml", "Young trees: seedling order"),
        ("forwarded_attached.eml", "Export stand at the trade fair"),
    ],
)
def test_a_forwarded_message_is_with_its_original_sender_and_recipients(
    imap, both_chains, partner_a, partner_b, name, subject
):
    imap.append(fixture_mail(name))
    poll(imap)
    message = CapturedMessage.objects.get()
    assert message.forwarded and message.status == CaptureStatus.CAPTURED
    interaction = message.interaction
    assert interaction.topic == subject
    assert {p.email for p in interaction.people.all()} == {
        "alice@amatola.example",
        "bob@riverbend.example",
    }
    assert set(interaction.partners.all()) == {partner_a, partner_b}


def test_a_windows_1252_message_reads_right(imap, both_chains):
    imap.append(fixture_mail("windows1252.eml"))
    poll(imap)
    interaction = Interaction.objects.get()
    assert interaction.topic == "Café meeting – décor timber"
    assert "The café wants “rustic” décor – about 40 m² of panelling." in interaction.notes


def test_malformed_headers_are_captured_as_well_as_they_read(imap, both_chains):
    raw = fixture_mail("malformed.eml")
    imap.append(raw)
    imap.append(raw)  # no Message-ID: the same headers hash the same
    result = poll(imap)
    assert (result.captured, result.duplicates) == (1, 1)
    message = CapturedMessage.objects.get()
    assert message.message_id.startswith("hash:")
    assert message.status == CaptureStatus.CAPTURED
    assert {p.email for p in message.interaction.people.all()} == {
        "alice@amatola.example",
        "bob@riverbend.example",
    }
    assert "620 kg/m" in message.interaction.notes
    assert message.interaction.topic.startswith("Density é grading")  # raw 8-bit: cp1252


def test_unknown_addresses_wait_in_the_review_queue_of_the_senders_chains(
    imap, coordinator, other_coordinator, partner_a_user, partner_b_user, as_coordinator
):
    imap.append(fixture_mail("unknown_address.eml"))
    imap.append(fixture_mail("plain.eml"))  # Bob is of chain B: not this coordinator's
    poll(imap)
    assert Interaction.objects.count() == 0
    waiting = list(review_queue(coordinator))
    assert {m.subject for m in waiting} == {
        "Introduction: a new buyer for saligna",
        "Trial order of kiln-dried saligna",
    }
    assert (
        "sipho@newbuyer.example" in {m for m in waiting if "buyer" in m.subject}.pop().review_reason
    )
    assert list(review_queue(other_coordinator)) == []
    page = as_coordinator.get(reverse("capture:review")).content.decode()
    assert "sipho@newbuyer.example" in page and "Introduction: a new buyer" in page


def test_mail_from_someone_who_is_not_a_coordinator_is_reviewed(
    imap, coordinator, other_coordinator, partner_a_user
):
    imap.append(fixture_mail("from_partner.eml"))
    poll(imap)
    message = CapturedMessage.objects.get()
    assert message.status == CaptureStatus.REVIEW
    assert "not a coordinator" in message.review_reason
    assert list(review_queue(coordinator)) == [message]  # Alice's partner is in chain A
    assert list(review_queue(other_coordinator)) == []


# --- iTIP replies ----------------------------------------------------------------------------


@pytest.fixture
def kiln_review(chain_a, coordinator, partner_a, partner_a_user, partner_b_user):
    start = datetime.datetime(2026, 12, 8, 8, tzinfo=datetime.UTC)
    convening = Convening.objects.create(
        value_chain=chain_a,
        kind="workshop",
        title="Kiln trial review",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        place="Amatola Sawmill boardroom",
        created_by=coordinator,
    )
    thandi = PersonFactory(first_name="Thandi", last_name="Dube", email="thandi@amatola.example")
    AffiliationFactory(person=thandi, partner=partner_a)
    for person in (partner_a_user.person, partner_b_user.person, thandi):
        Invitee.objects.create(convening=convening, person=person)
    return convening


def rsvp_of(convening, email):
    return Invitee.objects.get(convening=convening, person__email=email).rsvp


def test_calendar_replies_from_outlook_google_and_apple_are_the_rsvps(imap, kiln_review):
    uid = f"{kiln_review.uid}@vcc"
    imap.append(fixture_mail("outlook_accepted.eml", uid=uid))
    imap.append(fixture_mail("google_reply.eml", uid=uid, partstat="DECLINED", answer="declined"))
    imap.append(fixture_mail("apple_tentative.eml", uid=uid))
    result = poll(imap)
    assert result.captured == 3
    assert rsvp_of(kiln_review, "alice@amatola.example") == Rsvp.YES
    assert rsvp_of(kiln_review, "bob@riverbend.example") == Rsvp.NO
    assert rsvp_of(kiln_review, "thandi@amatola.example") == Rsvp.MAYBE
    assert Interaction.objects.count() == 0  # a calendar reply is not an interaction
    assert set(CapturedMessage.objects.values_list("status", flat=True)) == {CaptureStatus.RSVP}
    # Bob changes his mind in Google Calendar: the new reply moves the answer.
    imap.append(fixture_mail("google_reply.eml", uid=uid, partstat="ACCEPTED", answer="accepted"))
    poll(imap)
    assert rsvp_of(kiln_review, "bob@riverbend.example") == Rsvp.YES


def test_a_calendar_reply_for_no_convening_or_from_someone_else_is_reviewed(
    imap, kiln_review, coordinator
):
    imap.append(fixture_mail("outlook_accepted.eml", uid="not-ours@example.com"))
    # Alice's reply, sent from Thandi's address: nobody answers for someone else.
    forged = (
        fixture_mail("apple_tentative.eml", uid=f"{kiln_review.uid}@vcc")
        .replace(b'ATTENDEE;CN=3D"Thandi Dube"', b'ATTENDEE;CN=3D"Alice"')
        .replace(b"PARTSTAT=3DTENTATIVE:mailto:thandi", b"PARTSTAT=3DTENTATIVE:mailto:alice")
    )
    imap.append(forged)
    poll(imap)
    assert set(CapturedMessage.objects.values_list("status", flat=True)) == {CaptureStatus.REVIEW}
    assert rsvp_of(kiln_review, "alice@amatola.example") == Rsvp.PENDING


def test_the_beat_task_does_nothing_without_a_mailbox(settings):
    from capture.tasks import poll_mailbox

    settings.VCC_CAPTURE_IMAP_URL = ""
    assert poll_mailbox() == 0
    assert "capture-poll-mailbox" in settings.CELERY_BEAT_SCHEDULE


def test_the_beat_task_reads_the_configured_mailbox(imap, both_chains):
    from capture.tasks import poll_mailbox

    imap.append(fixture_mail("plain.eml"))
    assert poll_mailbox() == 1
    assert Interaction.objects.count() == 1
