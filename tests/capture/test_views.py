"""The review queue and a message's page: who may see and decide them, what each decision
does, and the queries a page costs. Messages are captured from raw mail directly (the IMAP
path is tests/capture/test_capture.py), so these run on SQLite too."""

from __future__ import annotations

import pytest
from django.urls import reverse

from capture import services
from capture.models import CapturedMessage, CaptureStatus
from partners.models import Interaction, Person
from tests.conftest import client_for

from .conftest import fixture_mail

pytestmark = pytest.mark.django_db


def capture(name: str, **values) -> CapturedMessage:
    raw = fixture_mail(name, **values)
    services.capture_message(raw, mailbox_address="log@vcc.test")
    return CapturedMessage.objects.latest("id")


@pytest.fixture
def waiting(role_users):
    """From the coordinator of chain A to Alice and to Sipho, whom nobody knows."""
    return capture("unknown_address.eml")


def urls(message):
    sipho = message.addresses.filter(address="sipho@newbuyer.example").first()
    if sipho is None:
        sipho = message.addresses.first()
    return {
        "queue": reverse("capture:review"),
        "message": message.get_absolute_url(),
        "assign": reverse("capture:assign", args=[message.pk, sipho.pk]),
        "person": reverse("capture:create_person", args=[message.pk, sipho.pk]),
        "accept": reverse("capture:accept", args=[message.pk]),
        "discard": reverse("capture:discard", args=[message.pk]),
    }


# (role, page, expected status): partners and outsiders learn nothing of the message.
MATRIX = [
    ("anonymous", "queue", 302),
    ("anonymous", "message", 302),
    ("partner_a", "queue", 403),
    ("partner_a", "message", 404),
    ("lead", "message", 404),
    ("other_coordinator", "queue", 200),
    ("other_coordinator", "message", 404),
    ("coordinator", "queue", 200),
    ("coordinator", "message", 200),
]


@pytest.mark.parametrize("role, page, expected", MATRIX)
def test_who_sees_the_queue_and_a_message(role_users, waiting, role, page, expected):
    response = client_for(role_users[role]).get(urls(waiting)[page])
    assert response.status_code == expected


@pytest.mark.parametrize("role", ["anonymous", "partner_a", "other_coordinator"])
@pytest.mark.parametrize("action", ["assign", "person", "accept", "discard"])
def test_only_the_chains_coordinators_decide(role_users, waiting, role, action):
    response = client_for(role_users[role]).post(urls(waiting)[action], {})
    assert response.status_code == (302 if role == "anonymous" else 404)
    waiting.refresh_from_db()
    assert waiting.status == CaptureStatus.REVIEW
    assert not Person.objects.filter(email="sipho@newbuyer.example").exists()


def test_a_superuser_sees_every_message(waiting, django_user_model):
    admin = django_user_model.objects.create_superuser("root@example.org", "root@example.org")
    client = client_for(admin)
    assert client.get(urls(waiting)["message"]).status_code == 200
    assert "Introduction: a new buyer" in client.get(urls(waiting)["queue"]).content.decode()


def test_the_queue_says_why_each_message_waits(as_coordinator, waiting):
    page = as_coordinator.get(reverse("capture:review")).content.decode()
    assert "Introduction: a new buyer for saligna" in page
    assert "sipho@newbuyer.example" in page and "(unknown)" in page
    assert "Addresses nobody in the sender" in page


def test_an_empty_queue_says_what_to_do(as_coordinator, settings):
    settings.VCC_CAPTURE_IMAP_URL = ""
    page = as_coordinator.get(reverse("capture:review")).content.decode()
    assert "Nothing to review." in page and "VCC_CAPTURE_IMAP_URL" in page
    settings.VCC_CAPTURE_IMAP_URL = "imaps://log%40vcc.example:pw@imap.example.org/INBOX"
    page = as_coordinator.get(reverse("capture:review")).content.decode()
    assert "forward mail to log@vcc.example" in page


def test_create_the_person_then_add_the_email_to_the_timeline(
    as_coordinator, waiting, partner_a, coordinator
):
    u = urls(waiting)
    # A bad submit keeps what was typed and says what is wrong beside the field.
    sipho = waiting.addresses.get(address="sipho@newbuyer.example")
    prefix = f"p{sipho.pk}"
    response = as_coordinator.post(u["person"], {f"{prefix}-first_name": "Sipho"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page and 'value="Sipho"' in page
    response = as_coordinator.post(
        u["person"],
        {
            f"{prefix}-first_name": "Sipho",
            f"{prefix}-last_name": "Ndlovu",
            f"{prefix}-partner": partner_a.pk,
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(email="sipho@newbuyer.example")
    assert person.affiliations.get().partner == partner_a
    assert "Add to the timeline" in as_coordinator.get(u["message"]).content.decode()
    assert as_coordinator.post(u["accept"]).status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == CaptureStatus.CAPTURED
    interaction = waiting.interaction
    assert interaction.topic == "Introduction: a new buyer for saligna"
    assert {p.email for p in interaction.people.all()} == {
        "alice@amatola.example",
        "sipho@newbuyer.example",
    }
    assert list(interaction.partners.all()) == [partner_a]
    assert waiting.reviewed_by == coordinator
    # Accepting again changes nothing.
    assert as_coordinator.post(u["accept"]).status_code == 302
    assert Interaction.objects.count() == 1


def test_assign_an_address_to_someone_vcc_knows(as_coordinator, waiting, partner_a):
    from tests.factories import AffiliationFactory, PersonFactory

    nomsa = PersonFactory(first_name="Nomsa", last_name="Khumalo", email="")
    AffiliationFactory(person=nomsa, partner=partner_a)
    u = urls(waiting)
    sipho = waiting.addresses.get(address="sipho@newbuyer.example")
    field = f"a{sipho.pk}-person"
    response = as_coordinator.post(u["assign"], {field: "Nobody Here"})
    assert response.status_code == 400
    assert "Nobody you coordinate has that email or name." in response.content.decode()
    assert as_coordinator.post(u["assign"], {field: "Nomsa"}).status_code == 302
    sipho.refresh_from_db()
    nomsa.refresh_from_db()
    assert sipho.person == nomsa
    assert nomsa.email == "sipho@newbuyer.example"  # she had none: now vcc knows her address
    as_coordinator.post(u["accept"])
    assert set(Interaction.objects.get().people.all()) >= {nomsa}


def test_a_person_of_another_chain_cannot_be_assigned(as_coordinator, waiting, partner_b_user):
    sipho = waiting.addresses.get(address="sipho@newbuyer.example")
    response = as_coordinator.post(
        urls(waiting)["assign"], {f"a{sipho.pk}-person": "bob@riverbend.example"}
    )
    assert response.status_code == 400
    sipho.refresh_from_db()
    assert sipho.person is None


def test_discard_keeps_nothing(as_coordinator, role_users):
    raw = fixture_mail("attachment.eml").replace(
        b"To: Alice <alice@amatola.example>", b"To: sipho@newbuyer.example"
    )
    services.capture_message(raw, mailbox_address="log@vcc.test")
    message = CapturedMessage.objects.get()
    assert message.status == CaptureStatus.REVIEW and message.attachments.count() == 2
    response = as_coordinator.post(urls(message)["discard"])
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == CaptureStatus.DISCARDED and message.body == ""
    assert message.attachments.count() == 0
    page = as_coordinator.get(reverse("capture:review")).content.decode()
    assert "Nothing to review." in page
    assert Interaction.objects.count() == 0


def test_the_queue_costs_the_same_queries_at_one_and_at_ten_messages(
    as_coordinator, role_users, django_assert_max_num_queries
):
    def queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert as_coordinator.get(reverse("capture:review")).status_code == 200
        return len(ctx.captured_queries)

    capture("unknown_address.eml")
    one = queries()
    for n in range(9):
        raw = fixture_mail("unknown_address.eml").replace(b"stranger-4", f"s{n}".encode())
        services.capture_message(raw, mailbox_address="log@vcc.test")
    assert queries() == one
    # Session and user; the chains' counts; the page of messages; their addresses and people.
    with django_assert_max_num_queries(6):
        as_coordinator.get(reverse("capture:review"))


def test_the_message_page_costs_a_constant_number_of_queries(
    as_coordinator, role_users, django_assert_max_num_queries
):
    message = capture("unknown_address.eml")
    # Session, user; the message; its addresses, their people's affiliations and partners;
    # its attachments; the partners a new person may join.
    with django_assert_max_num_queries(9):
        assert as_coordinator.get(message.get_absolute_url()).status_code == 200


def test_a_message_that_cannot_be_filed_is_kept_for_review_not_lost(monkeypatch, role_users):
    def broken(*args, **kwargs):
        raise ValueError("a bug in filing")

    monkeypatch.setattr(services, "_file", broken)
    raw = fixture_mail("plain.eml")
    assert services.capture_message(raw, mailbox_address="log@vcc.test")
    message = CapturedMessage.objects.get()
    assert message.status == CaptureStatus.REVIEW
    assert message.review_reason == "vcc could not file it (ValueError)"
    assert message.subject == "Trial order of kiln-dried saligna"
    # Read again, it is the same message: not a second one.
    assert not services.capture_message(raw, mailbox_address="log@vcc.test")
    assert CapturedMessage.objects.count() == 1


def test_nul_characters_in_mail_are_dropped(role_users):
    raw = fixture_mail("plain.eml").replace(b"Can you quote", b"Can\x00 you quote")
    services.capture_message(raw, mailbox_address="log@vcc.test")
    assert "Can you quote" in CapturedMessage.objects.get().body


@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", 302),
        ("partner_a", 404),  # a coordinators-only email: its partner's people do not see it
        ("partner_b", 404),
        ("other_coordinator", 404),
        ("coordinator", 200),
        ("superuser", 200),
    ],
)
def test_who_downloads_an_attachment(role_users, django_user_model, role, expected):
    message = capture("attachment.eml")
    assert message.status == CaptureStatus.CAPTURED
    png = message.attachments.get(filename="kiln – front.png")
    users = {
        **role_users,
        "superuser": django_user_model.objects.create_superuser("root@example.org"),
    }
    response = client_for(users[role]).get(png.get_absolute_url())
    assert response.status_code == expected
    if expected == 200:
        assert response.content.startswith(b"\x89PNG")
        assert "filename*=UTF-8''kiln%20%E2%80%93%20front.png" in response["Content-Disposition"]
    missing = client_for(users[role]).get(reverse("capture:attachment", args=[png.pk + 999]))
    assert missing.status_code == (302 if role == "anonymous" else 404)


def test_the_pages_answer_htmx_requests_alike(as_coordinator, waiting, htmx):
    for path in (reverse("capture:review"), waiting.get_absolute_url()):
        plain, fragment = as_coordinator.get(path), as_coordinator.get(path, **htmx)
        assert plain.status_code == fragment.status_code == 200
        assert "HX-Request" in fragment["Vary"]
        assert "Introduction: a new buyer for saligna" in fragment.content.decode()
