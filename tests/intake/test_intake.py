"""Intake forms: who reaches each page, the public form's defences (honeypot, rate limit,
closing date, field errors), duplicate flagging, and accepting or rejecting answers."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from intake import services
from intake.models import IntakeForm, IntakeSubmission, Section, SubmissionStatus
from partners.models import ChangeRecord, Need, Offer, Partner, Person
from tests.conftest import client_for
from tests.factories import AffiliationFactory, PersonFactory, UserFactory

ALL_SECTIONS = [s.value for s in Section]


@pytest.fixture
def intake_form(chain_a, coordinator):
    return services.create_form(
        chain=chain_a,
        values={
            "title": "Join the Saligna network",
            "intro": "Tell us about your organisation.",
            "sections": ALL_SECTIONS,
        },
        by=coordinator,
    )


@pytest.fixture
def answers():
    return {
        "partner_name": "Kwena Timber",
        "kind": "cooperative",
        "website": "https://kwena.example/",
        "region": "Limpopo",
        "description": "A growers' cooperative.",
        "first_name": "Thandi",
        "last_name": "Mokoena",
        "email": "thandi@kwena.example",
        "phone": "+27 82 000 0000",
        "offer_product": "Saligna logs",
        "offer_volume": "120",
        "offer_unit": "t",
        "offer_period": "year",
        "need_product": "Kiln drying",
        "need_volume": "40",
        "need_unit": "m³",
        "need_period": "month",
    }


@pytest.fixture
def submission(intake_form, answers):
    values = {k: v for k, v in answers.items() if not k.endswith("_volume")}
    return services.submit_answers(
        form=intake_form, values={**values, "offer_volume": 120, "need_volume": 40}
    )


# --- permissions ---


def _urls(intake_form, submission):
    return {
        "queue": reverse("intake:review"),
        "new": reverse("intake:new"),
        "form": reverse("intake:form", args=[intake_form.pk]),
        "submission": reverse("intake:submission", args=[submission.pk]),
    }


# (role, page, status): anonymous goes to sign in; only the chain's coordinators see the rest.
MATRIX = [
    ("anonymous", "queue", 302),
    ("anonymous", "new", 302),
    ("anonymous", "form", 302),
    ("anonymous", "submission", 302),
    ("partner_a", "queue", 403),
    ("partner_a", "new", 403),
    ("partner_a", "form", 404),
    ("partner_a", "submission", 404),
    ("observer", "queue", 403),
    ("observer", "form", 404),
    ("observer", "submission", 404),
    ("other_coordinator", "queue", 200),
    ("other_coordinator", "new", 200),
    ("other_coordinator", "form", 404),
    ("other_coordinator", "submission", 404),
    ("coordinator", "queue", 200),
    ("coordinator", "new", 200),
    ("coordinator", "form", 200),
    ("coordinator", "submission", 200),
    ("superuser", "form", 200),
    ("superuser", "submission", 200),
]


@pytest.mark.parametrize("role,page,status", MATRIX)
def test_who_sees_each_page(role, page, status, role_users, intake_form, submission):
    user = UserFactory(is_superuser=True) if role == "superuser" else role_users[role]
    response = client_for(user).get(_urls(intake_form, submission)[page])
    assert response.status_code == status


@pytest.mark.parametrize("role", ["anonymous", "partner_a", "observer", "other_coordinator"])
def test_only_the_chains_coordinators_decide(role, role_users, submission):
    client = client_for(role_users[role])
    accept = client.post(
        reverse("intake:accept", args=[submission.pk]), {"target": "new", "chain_role": "producer"}
    )
    reject = client.post(reverse("intake:reject", args=[submission.pk]), {"note": "spam"})
    assert accept.status_code in (302, 404) and reject.status_code in (302, 404)
    if role == "anonymous":
        assert accept["Location"].startswith(reverse("login"))
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.REVIEW
    assert not Partner.objects.filter(name="Kwena Timber").exists()


def test_a_foreign_token_is_404(client, db):
    assert client.get(reverse("intake:public", args=["not-a-token"])).status_code == 404


def test_the_public_form_needs_no_sign_in_and_asks_what_was_chosen(client, chain_a, coordinator):
    form = services.create_form(
        chain=chain_a,
        values={"title": "Offers for the 2027 season", "sections": [Section.OFFER]},
        by=coordinator,
    )
    page = client.get(form.public_path()).content.decode()
    assert "Offers for the 2027 season" in page
    assert 'name="offer_product"' in page and 'name="partner_name"' in page
    assert 'name="email"' not in page and 'name="need_product"' not in page
    assert 'name="nickname"' in page  # the honeypot


def test_the_token_is_unguessable(intake_form, chain_a, coordinator):
    other = services.create_form(chain=chain_a, values={"title": "Two"}, by=coordinator)
    assert len(intake_form.token) >= 32 and intake_form.token != other.token


# --- the coordinator's pages ---


def test_a_coordinator_creates_a_form_and_gets_its_link(as_coordinator, chain_a):
    response = as_coordinator.post(
        reverse("intake:new"),
        {
            "value_chain": chain_a.pk,
            "title": "Join the Saligna network",
            "intro": "Hello",
            "sections": ["person", "offer"],
            "closes_on": "2027-03-31",
            "is_open": "on",
        },
    )
    form = IntakeForm.objects.get()
    assert response.status_code == 302 and response["Location"] == form.get_absolute_url()
    assert form.sections == ["person", "offer"] and form.closes_on == datetime.date(2027, 3, 31)
    page = as_coordinator.get(form.get_absolute_url()).content.decode()
    assert f"/join/{form.token}/" in page


def test_a_bad_form_set_up_says_what_is_wrong_and_keeps_the_text(as_coordinator, chain_a):
    response = as_coordinator.post(
        reverse("intake:new"), {"value_chain": chain_a.pk, "title": "", "intro": "Kept text"}
    )
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert "Kept text" in response.content.decode()
    assert not IntakeForm.objects.exists()


def test_a_coordinator_cannot_make_a_form_for_another_chain(as_coordinator, chain_b):
    as_coordinator.post(reverse("intake:new"), {"value_chain": chain_b.pk, "title": "X"})
    assert not IntakeForm.objects.exists()


def test_the_review_queue_lists_waiting_answers_in_constant_queries(
    as_coordinator, intake_form, answers, django_assert_max_num_queries
):
    for i in range(3):
        services.submit_answers(form=intake_form, values={"partner_name": f"Grower {i}"})
    with django_assert_max_num_queries(8):
        page = as_coordinator.get(reverse("intake:review")).content.decode()
    for i in range(5):
        services.submit_answers(form=intake_form, values={"partner_name": f"More {i}"})
    with django_assert_max_num_queries(8):
        page = as_coordinator.get(reverse("intake:review")).content.decode()
    assert "Grower 0" in page and "More 4" in page and "8 to review" in page


def test_the_queue_says_what_to_do_when_empty(as_coordinator):
    page = as_coordinator.get(reverse("intake:review")).content.decode()
    assert "Nothing to review" in page and "No intake form yet" in page


# --- the public form's defences ---


def test_a_visitor_submits_and_the_answers_wait_as_a_draft(client, intake_form, answers):
    response = client.post(intake_form.public_path(), answers)
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:thanks", args=[intake_form.token])
    draft = IntakeSubmission.objects.get()
    assert draft.status == SubmissionStatus.REVIEW and draft.email == "thandi@kwena.example"
    assert draft.offer_volume == 120
    assert not Partner.objects.filter(name="Kwena Timber").exists()


def test_bad_answers_get_messages_beside_the_fields_and_nothing_is_lost(
    client, intake_form, answers
):
    bad = {**answers, "email": "not-an-email", "offer_volume": "lots", "need_unit": ""}
    response = client.post(intake_form.public_path(), bad)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter a valid email address" in page
    assert 'id="field-offer_volume"' in page and "Enter a number" in page
    assert "The unit" in page
    assert 'value="Kwena Timber"' in page and "A growers&#x27; cooperative." in page
    assert not IntakeSubmission.objects.exists()


def test_every_field_has_a_size_limit(client, intake_form, answers):
    response = client.post(
        intake_form.public_path(),
        {**answers, "partner_name": "x" * 201, "description": "y" * 2001},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "at most 200 characters" in page and "at most 2000 characters" in page
    assert not IntakeSubmission.objects.exists()


def test_a_filled_honeypot_is_thanked_and_dropped(client, intake_form, answers):
    response = client.post(intake_form.public_path(), {**answers, "nickname": "bot"})
    assert response.status_code == 302
    assert not IntakeSubmission.objects.exists()


def test_one_address_is_rate_limited(client, intake_form, answers, settings):
    for _ in range(10):
        assert client.post(intake_form.public_path(), answers).status_code == 302
    response = client.post(intake_form.public_path(), answers)
    assert response.status_code == 429 and "Retry-After" in response
    assert IntakeSubmission.objects.count() == 10
    other = client.post(intake_form.public_path(), answers, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_a_form_past_its_closing_date_says_so_and_takes_nothing(client, intake_form, answers):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    IntakeForm.objects.filter(pk=intake_form.pk).update(closes_on=yesterday)
    page = client.get(intake_form.public_path())
    assert "This form is closed" in page.content.decode()
    assert 'name="partner_name"' not in page.content.decode()
    assert client.post(intake_form.public_path(), answers).status_code == 410
    assert not IntakeSubmission.objects.exists()


def test_a_form_is_open_on_its_closing_day_and_closed_when_switched_off(
    client, intake_form, answers
):
    IntakeForm.objects.filter(pk=intake_form.pk).update(closes_on=timezone.localdate())
    assert client.post(intake_form.public_path(), answers).status_code == 302
    IntakeForm.objects.filter(pk=intake_form.pk).update(is_open=False)
    assert client.post(intake_form.public_path(), answers).status_code == 410
    assert IntakeSubmission.objects.count() == 1


# --- duplicates ---


def test_same_name_ignoring_case_and_spaces_is_a_likely_duplicate(intake_form, partner_a):
    s = services.submit_answers(form=intake_form, values={"partner_name": "  amatola SAWMILL "})
    assert s.duplicate == partner_a and s.duplicate_reason == "same name"


def test_same_email_is_a_likely_duplicate(intake_form, partner_a):
    AffiliationFactory(person=PersonFactory(email="Sipho@Amatola.example"), partner=partner_a)
    s = services.submit_answers(
        form=intake_form,
        values={"partner_name": "Amatola Timber", "email": "sipho@amatola.example"},
    )
    assert s.duplicate == partner_a and s.duplicate_reason == "same email"


def test_same_website_domain_is_a_likely_duplicate(intake_form, partner_a):
    Partner.objects.filter(pk=partner_a.pk).update(website="https://www.amatola.example/")
    s = services.submit_answers(
        form=intake_form, values={"partner_name": "Amatola", "website": "http://amatola.example"}
    )
    assert s.duplicate == partner_a and s.duplicate_reason == "same website"


def test_a_partner_of_another_chain_is_not_a_duplicate(intake_form, partner_b):
    s = services.submit_answers(form=intake_form, values={"partner_name": "Riverbend Farm"})
    assert s.duplicate is None


def test_the_queue_and_the_answers_show_the_duplicate(as_coordinator, intake_form, partner_a):
    s = services.submit_answers(form=intake_form, values={"partner_name": "Amatola Sawmill"})
    assert (
        "likely duplicate: Amatola Sawmill"
        in as_coordinator.get(reverse("intake:review")).content.decode()
    )
    page = as_coordinator.get(s.get_absolute_url()).content.decode()
    assert "Likely duplicate" in page and "An update of Amatola Sawmill" in page


# --- deciding ---


def test_accepting_creates_the_records_with_history(as_coordinator, coordinator, submission):
    response = as_coordinator.post(
        reverse("intake:accept", args=[submission.pk]), {"target": "new", "chain_role": "producer"}
    )
    partner = Partner.objects.get(name="Kwena Timber")
    assert response.status_code == 302 and response["Location"] == partner.get_absolute_url()
    assert partner.region == "Limpopo" and partner.kind == "cooperative"
    assert partner.participations.get().value_chain == submission.form.value_chain
    person = Person.objects.get(email="thandi@kwena.example")
    assert person.affiliations.get().partner == partner
    offer = Offer.objects.get(partner=partner)
    assert offer.product.name == "Saligna logs" and offer.volume == 120 and offer.unit == "t"
    assert Need.objects.get(partner=partner).period == "month"
    history = list(ChangeRecord.objects.filter(partner=partner).values_list("summary", "user"))
    summaries = [s for s, _ in history]
    assert any(s.startswith("Created Kwena Timber") for s in summaries)
    assert "Answers to the intake form “Join the Saligna network”" in summaries
    assert "Added person Thandi Mokoena" in summaries
    assert {u for _, u in history} == {coordinator.pk}
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.ACCEPTED and submission.partner == partner
    detail = as_coordinator.get(partner.get_absolute_url()).content.decode()
    assert "Kwena Timber" in detail


def test_accepting_a_duplicate_updates_it(as_coordinator, intake_form, partner_a):
    sipho = PersonFactory(first_name="Sipho", email="sipho@amatola.example")
    AffiliationFactory(person=sipho, partner=partner_a)
    s = services.submit_answers(
        form=intake_form,
        values={
            "partner_name": "Amatola Sawmill",
            "region": "Eastern Cape, Stutterheim",
            "first_name": "Sipho",
            "last_name": "Dlamini",
            "email": "SIPHO@amatola.example",
        },
    )
    as_coordinator.post(reverse("intake:accept", args=[s.pk]), {"target": str(partner_a.pk)})
    partner_a.refresh_from_db()
    assert Partner.objects.filter(name="Amatola Sawmill").count() == 1
    assert partner_a.region == "Eastern Cape, Stutterheim"
    assert partner_a.affiliations.count() == 1
    sipho.refresh_from_db()
    assert sipho.last_name == "Dlamini"
    assert ChangeRecord.objects.filter(partner=partner_a, summary="Profile edited").exists()


def test_accepting_twice_makes_one_partner(as_coordinator, submission):
    url = reverse("intake:accept", args=[submission.pk])
    as_coordinator.post(url, {"target": "new", "chain_role": "producer"})
    second = as_coordinator.post(url, {"target": "new", "chain_role": "producer"})
    assert second.status_code == 302
    assert Partner.objects.filter(name="Kwena Timber").count() == 1


def test_accept_without_a_role_says_so(as_coordinator, submission):
    response = as_coordinator.post(
        reverse("intake:accept", args=[submission.pk]), {"target": "new"}
    )
    assert response.status_code == 400
    assert "A new partner needs its role in the chain." in response.content.decode()
    assert not Partner.objects.filter(name="Kwena Timber").exists()


def test_rejecting_keeps_a_note(as_coordinator, coordinator, submission):
    response = as_coordinator.post(
        reverse("intake:reject", args=[submission.pk]), {"note": "A test entry from a student"}
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.REJECTED
    assert submission.note == "A test entry from a student" and submission.decided_by == coordinator
    assert not Partner.objects.filter(name="Kwena Timber").exists()
    page = as_coordinator.get(submission.form.get_absolute_url()).content.decode()
    assert "A test entry from a student" in page


def test_reject_needs_a_note(as_coordinator, submission):
    response = as_coordinator.post(reverse("intake:reject", args=[submission.pk]), {"note": ""})
    assert response.status_code == 400
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.REVIEW


def test_a_partner_of_another_chain_is_no_target(as_coordinator, submission, partner_b):
    response = as_coordinator.post(
        reverse("intake:accept", args=[submission.pk]),
        {"target": str(partner_b.pk), "chain_role": "producer"},
    )
    assert response.status_code == 400
    partner_b.refresh_from_db()
    assert partner_b.region == "Fresno"


def test_personal_data_export_holds_the_answers(submission):
    from vcc import hooks

    person = Person(first_name="Thandi", last_name="Mokoena", email="thandi@kwena.example")
    exported = hooks.PERSON_DATA["intake"].export(person)
    assert [row["partner_name"] for row in exported["intake_answers"]] == ["Kwena Timber"]


def test_a_forms_page_and_the_answers_page_cost_constant_queries(
    as_coordinator, intake_form, submission, django_assert_max_num_queries
):
    # session and user, the form, its waiting answers, its decided ones; the answers page:
    # session and user, the answers with form, chain and duplicate.
    with django_assert_max_num_queries(7):
        as_coordinator.get(intake_form.get_absolute_url())
    for i in range(10):
        services.submit_answers(form=intake_form, values={"partner_name": f"Grower {i}"})
    with django_assert_max_num_queries(7):
        page = as_coordinator.get(intake_form.get_absolute_url()).content.decode()
    assert "Grower 9" in page
    with django_assert_max_num_queries(5):
        page = as_coordinator.get(submission.get_absolute_url()).content.decode()
    assert "Cooperative" in page and "Saligna logs" in page


def test_erasure_clears_the_persons_contact_details_from_the_answers(submission):
    from vcc import hooks

    person = Person(first_name="Thandi", last_name="Mokoena", email="THANDI@kwena.example")
    hooks.PERSON_DATA["intake"].erase(person)
    submission.refresh_from_db()
    assert (submission.first_name, submission.email, submission.phone) == ("", "", "")
    assert submission.partner_name == "Kwena Timber"
    assert hooks.PERSON_DATA["intake"].export(person) == {"intake_answers": []}


def test_a_closing_date_in_the_past_is_refused_with_a_message(as_coordinator, chain_a):
    response = as_coordinator.post(
        reverse("intake:new"),
        {"value_chain": chain_a.pk, "title": "Late", "closes_on": "2020-01-01", "is_open": "on"},
    )
    assert "That day has passed" in response.content.decode()
    assert 'value="Late"' in response.content.decode()
    assert not IntakeForm.objects.exists()
