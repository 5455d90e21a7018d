"""Accepting a suggestion by its (need, offer) pair: a page loaded before a recompute still
works; each side's contact person is asked for, prefilled and limited to that partner's people,
and the "how did it go?" follow-up is scheduled for them."""

import re

import pytest
from django.urls import reverse

from matchmaking import suggestions
from matchmaking.models import Introduction, Suggestion
from outbox.models import Message
from tests.factories import (
    AffiliationFactory,
    NeedFactory,
    OfferFactory,
    ParticipationFactory,
    PartnerFactory,
    PersonFactory,
    ProductFactory,
)


@pytest.fixture
def pair(chain_a, partner_a, partner_a_user):
    """Partner A (whose first person is alice) needs boards; Umvoti Timber offers them and has
    two people: Sipho (no email, recorded first) and Thandi (with email, the main contact)."""
    boards = ProductFactory(name="Saligna boards")
    need = NeedFactory(partner=partner_a, product=boards, volume=100)
    supplier = PartnerFactory(name="Umvoti Timber", latitude=36.8, longitude=-119.8)
    ParticipationFactory(partner=supplier, value_chain=chain_a)
    offer = OfferFactory(partner=supplier, product=boards, volume=500, delivery_radius_km=50)
    sipho = PersonFactory(first_name="Sipho", last_name="Dlamini", email="")
    thandi = PersonFactory(first_name="Thandi", last_name="Nkosi", email="thandi@umvoti.example")
    AffiliationFactory(person=sipho, partner=supplier)
    AffiliationFactory(person=thandi, partner=supplier)
    suggestions.recompute_all()
    return {"need": need, "offer": offer, "supplier": supplier, "thandi": thandi, "sipho": sipho}


def _accept_url(html: str) -> str:
    return re.search(r'href="(/suggestions/\d+/\d+/accept/\?chain=\d+)"', html).group(1)


def test_a_page_loaded_before_a_recompute_still_accepts(as_coordinator, pair, partner_a_user):
    page = as_coordinator.get(reverse("matchmaking:need_suggestions", args=[pair["need"].pk]))
    url = _accept_url(page.content.decode())
    before = set(Suggestion.objects.values_list("pk", flat=True))
    suggestions.recompute_all()  # every row is written again, with new ids
    assert not before & set(Suggestion.objects.values_list("pk", flat=True))
    form = as_coordinator.get(url)
    assert form.status_code == 200
    response = as_coordinator.post(
        url,
        {"confirm": "1", "person_a": partner_a_user.person.pk, "person_b": pair["thandi"].pk},
    )
    introduction = Introduction.objects.get()
    assert response.status_code == 302 and response.url == introduction.get_absolute_url()
    assert (introduction.need, introduction.offer) == (pair["need"], pair["offer"])


def test_a_pair_no_longer_suggested_can_still_be_introduced(as_coordinator, pair, partner_a_user):
    Suggestion.objects.all().delete()  # e.g. another offer now ranks above it
    url = reverse("matchmaking:accept", args=[pair["need"].pk, pair["offer"].pk])
    html = as_coordinator.get(url).content.decode()
    assert "no longer among them; you can still introduce them" in html
    as_coordinator.post(
        url,
        {"confirm": "1", "person_a": partner_a_user.person.pk, "person_b": pair["thandi"].pk},
    )
    introduction = Introduction.objects.get()
    assert introduction.reason.startswith("Suggested match:")


def test_contacts_are_prefilled_with_each_partners_main_contact(as_coordinator, pair):
    url = reverse("matchmaking:accept", args=[pair["need"].pk, pair["offer"].pk])
    html = as_coordinator.get(url).content.decode()
    thandi = pair["thandi"].pk
    assert f'<option value="{thandi}" selected>Thandi Nkosi — Umvoti Timber' in html
    assert "Sipho Dlamini — Umvoti Timber" in html  # the other person may be chosen
    assert "Alice Mokoena — Amatola Sawmill</option>" in html  # the buyer side, its only person
    assert "Bob" not in html  # people of other partners are not offered


def test_accepting_schedules_the_follow_up_to_both_contacts(
    as_coordinator, pair, partner_a_user, django_capture_on_commit_callbacks
):
    url = reverse("matchmaking:accept", args=[pair["need"].pk, pair["offer"].pk])
    with django_capture_on_commit_callbacks(execute=True):
        as_coordinator.post(
            url,
            {"confirm": "1", "person_a": partner_a_user.person.pk, "person_b": pair["sipho"].pk},
        )
    introduction = Introduction.objects.get()
    assert (introduction.person_a, introduction.person_b) == (partner_a_user.person, pair["sipho"])
    people = set(Message.objects.filter(kind="introduction").values_list("person", flat=True))
    assert people == {partner_a_user.person.pk, pair["sipho"].pk}


def test_a_contact_from_another_partner_is_refused_beside_the_field(
    as_coordinator, pair, partner_b_user
):
    url = reverse("matchmaking:accept", args=[pair["need"].pk, pair["offer"].pk])
    response = as_coordinator.post(
        url, {"confirm": "1", "person_a": partner_b_user.person.pk, "person_b": ""}
    )
    html = response.content.decode()
    assert response.status_code == 200 and not Introduction.objects.exists()
    assert re.search(r'id="field-person_a".*?Select a valid choice', html, re.S)
    assert re.search(r'id="field-person_b".*?This field is required', html, re.S)


def test_a_partner_with_no_people_is_accepted_without_a_follow_up(
    as_coordinator, pair, partner_a_user, django_capture_on_commit_callbacks
):
    pair["supplier"].affiliations.all().delete()
    url = reverse("matchmaking:accept", args=[pair["need"].pk, pair["offer"].pk])
    html = as_coordinator.get(url).content.decode()
    assert "Umvoti Timber has no people recorded: no follow-up will be sent to them." in html
    with django_capture_on_commit_callbacks(execute=True):
        as_coordinator.post(url, {"confirm": "1", "person_a": partner_a_user.person.pk})
    introduction = Introduction.objects.get()
    assert introduction.person_b is None
    assert list(Message.objects.values_list("person", flat=True)) == [partner_a_user.person.pk]


@pytest.mark.parametrize(
    "role,status", [("other_coordinator", 404), ("partner_a_user", 404), ("partner_b_user", 404)]
)
def test_others_cannot_open_the_accept_form(request, pair, role, status):
    from tests.conftest import client_for

    url = reverse("matchmaking:accept", args=[pair["need"].pk, pair["offer"].pk])
    assert client_for(request.getfixturevalue(role)).get(url).status_code == status


def test_accept_form_queries(as_coordinator, pair, django_assert_num_queries):
    url = reverse("matchmaking:accept", args=[pair["need"].pk, pair["offer"].pk])
    # session, user; need, offer; chains both share (with the user's rights); the suggestion;
    # the buyer's people, the supplier's people (each read once for its menu)
    with django_assert_num_queries(8):
        assert as_coordinator.get(url).status_code == 200
