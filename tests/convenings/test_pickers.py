"""Person pickers: limited to the chain in question, the organisation beside each name, and a
search endpoint (coordinators of the chain only) that answers <option>s as you type."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from convenings.models import WorkingGroup
from tests.conftest import client_for
from tests.factories import (
    AffiliationFactory,
    ParticipationFactory,
    PartnerFactory,
    PersonFactory,
    ValueChainFactory,
)


@pytest.fixture
def thandi(partner_a):
    """Two Thandi Nkosis: one at a partner of chain A, one at Riverbend Farm (chain B)."""
    timber = PartnerFactory(name="Umvoti Timber")
    ParticipationFactory(partner=timber, value_chain=partner_a.participations.get().value_chain)
    person = PersonFactory(first_name="Thandi", last_name="Nkosi")
    AffiliationFactory(person=person, partner=timber)
    return person


@pytest.fixture
def other_thandi(partner_b):
    person = PersonFactory(first_name="Thandi", last_name="Nkosi")
    AffiliationFactory(person=person, partner=partner_b)
    return person


def _options(html):
    return re.findall(r"<option value=\"(\d+)\"[^>]*>([^<]*)</option>", html)


def test_group_lead_and_members_are_the_chains_people_with_their_organisation(
    as_coordinator, chain_a, thandi, other_thandi, partner_a_user, partner_b_user
):
    html = as_coordinator.get(reverse("convenings:group_create")).content.decode()
    options = _options(html)
    assert (str(thandi.pk), "Thandi Nkosi — Umvoti Timber") in options
    assert (str(partner_a_user.person.pk), "Alice Mokoena — Amatola Sawmill") in options
    ids = {pk for pk, _ in options}
    assert str(other_thandi.pk) not in ids and str(partner_b_user.person.pk) not in ids


def test_a_lead_from_another_chain_is_refused_beside_the_field(
    as_coordinator, chain_a, other_thandi, thandi
):
    data = {
        "value_chain": chain_a.pk,
        "name": "Drying kilns",
        "problem": "Bad drying.",
        "lead": other_thandi.pk,
        "members": [thandi.pk],
        "status": "active",
    }
    html = as_coordinator.post(reverse("convenings:group_create"), data).content.decode()
    assert re.search(r'id="field-lead".*?Select a valid choice', html, re.S)
    assert not WorkingGroup.objects.exists()
    response = as_coordinator.post(reverse("convenings:group_create"), {**data, "lead": thandi.pk})
    assert response.status_code == 302
    assert WorkingGroup.objects.get().lead == thandi


def test_a_long_list_gets_a_search_box(as_coordinator, chain_a, partner_a, group):
    for n in range(25):
        AffiliationFactory(partner=partner_a, person=PersonFactory(first_name=f"Worker{n}"))
    html = as_coordinator.get(reverse("convenings:group_edit", args=[group.pk])).content.decode()
    pick = reverse("partners:people_pick")
    assert f'hx-get="{pick}?chain={chain_a.pk}&amp;multiple=0&amp;field=lead"' in html
    assert f'hx-get="{pick}?chain={chain_a.pk}&amp;multiple=1&amp;field=members"' in html


def test_the_invite_by_hand_picker_is_the_chains_people(
    as_coordinator, meeting, thandi, other_thandi
):
    html = as_coordinator.get(reverse("convenings:invite", args=[meeting.pk])).content.decode()
    ids = {pk for pk, _ in _options(html)}
    assert str(thandi.pk) in ids and str(other_thandi.pk) not in ids
    assert "Thandi Nkosi — Umvoti Timber" in html


def test_the_picker_searches_by_name_or_organisation(
    as_coordinator, chain_a, thandi, other_thandi, partner_a_user, django_assert_num_queries
):
    url = reverse("partners:people_pick")
    # session, user; the chain (as its coordinator); the matching people with their partners
    with django_assert_num_queries(4):
        html = as_coordinator.get(url, {"chain": chain_a.pk, "q": "thandi"}).content.decode()
    assert _options(html) == [(str(thandi.pk), "Thandi Nkosi — Umvoti Timber")]
    html = as_coordinator.get(url, {"chain": chain_a.pk, "q": "amatola"}).content.decode()
    assert _options(html) == [(str(partner_a_user.person.pk), "Alice Mokoena — Amatola Sawmill")]
    html = as_coordinator.get(url, {"chain": chain_a.pk, "q": "nobody"}).content.decode()
    assert "Nobody in this chain matches." in html


def test_a_multiple_picker_keeps_what_is_chosen(as_coordinator, chain_a, thandi, partner_a_user):
    url = reverse("partners:people_pick")
    query = {"chain": chain_a.pk, "q": "alice", "multiple": "1", "field": "members"}
    html = as_coordinator.get(url, {**query, "members": [thandi.pk]}).content.decode()
    assert f'<option value="{thandi.pk}" selected>Thandi Nkosi — Umvoti Timber' in html
    assert "Alice Mokoena — Amatola Sawmill" in html


@pytest.mark.parametrize(
    "role,status",
    [
        ("anonymous", 302),
        ("coordinator", 200),
        ("other_coordinator", 404),
        ("partner_a_user", 404),
        ("partner_b_user", 404),
        ("lead", 404),
    ],
)
def test_picker_permissions(request, chain_a, thandi, role, status):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    response = client_for(user).get(reverse("partners:people_pick"), {"chain": chain_a.pk})
    assert response.status_code == status
    if status != 200:
        assert "Thandi" not in response.content.decode()


def test_an_action_items_owner_is_one_of_the_chains_people_with_their_organisation(
    group, lead, thandi, other_thandi
):
    html = client_for(lead).get(group.get_absolute_url()).content.decode()
    owner = html[html.index('name="owner"') :]
    owner = owner[: owner.index("</select>")]
    options = _options(owner)
    assert (str(thandi.pk), "Thandi Nkosi — Umvoti Timber") in options
    assert str(other_thandi.pk) not in {pk for pk, _ in options}
    response = client_for(lead).post(
        reverse("convenings:group_action", args=[group.pk]),
        {"title": "Dry the boards", "owner": other_thandi.pk, "due_on": "2027-01-10"},
    )
    assert "Select a valid choice" in response.content.decode()


def test_a_coordinator_of_two_chains_chooses_the_chain_before_its_people(
    coordinator, as_coordinator, chain_a, chain_b, thandi, other_thandi
):
    """With two chains, the new group's page asks for the chain first, then picks lead and
    members from that chain's people only; an archived chain is not offered."""
    chain_b.coordinators.add(coordinator)
    archived = ValueChainFactory(name="Old honey chain", archived_at=timezone.now())
    archived.coordinators.add(coordinator)
    url = reverse("convenings:group_create")
    first = as_coordinator.get(url).content.decode()
    assert 'name="chain"' in first and 'name="lead"' not in first
    assert chain_a.name in first and chain_b.name in first and archived.name not in first
    html = as_coordinator.get(url, {"chain": chain_b.pk}).content.decode()
    ids = {pk for pk, _ in _options(html)}
    assert str(other_thandi.pk) in ids and str(thandi.pk) not in ids
    assert f"In <strong>{chain_b.name}</strong>" in html
    # An archived or foreign chain in the address is the first step again, not a form for it.
    for chain in (archived.pk, 10**30, "x"):
        again = as_coordinator.get(url, {"chain": chain}).content.decode()
        assert 'name="lead"' not in again


def test_a_commitments_toward_partner_is_searched_within_the_chain(
    as_coordinator, chain_a, partner_a, partner_b
):
    """The commitment form's "toward" picker searches the chain's partners as you type, with
    the region beside the name, and never offers the partner itself or another chain's."""
    for n in range(3):
        ParticipationFactory(
            value_chain=chain_a, partner=PartnerFactory(name=f"Kiln Works {n}", region="Alice")
        )
    page = as_coordinator.get(reverse("partners:commitment_create", args=[partner_a.pk]))
    pick = reverse("partners:partners_pick")
    assert f'hx-get="{pick}?chain={chain_a.pk}&amp;exclude={partner_a.pk}"' in page.content.decode()
    assert page.context["form"]["value_chain"].value() == chain_a.pk  # its only chain
    html = as_coordinator.get(
        pick, {"chain": chain_a.pk, "exclude": partner_a.pk, "q": "kiln 1"}
    ).content.decode()
    labels = [label for _, label in _options(html)]
    assert labels == ["Kiln Works 1 (Alice)"]
    everyone = as_coordinator.get(pick, {"chain": chain_a.pk, "exclude": partner_a.pk})
    names = " ".join(label for _, label in _options(everyone.content.decode()))
    assert partner_a.name not in names and partner_b.name not in names
    assert (
        "No partner of this chain matches."
        in as_coordinator.get(pick, {"chain": chain_a.pk, "q": "zzz"}).content.decode()
    )


@pytest.mark.parametrize(
    "role,status",
    [
        ("anonymous", 302),
        ("coordinator", 200),
        ("other_coordinator", 404),
        ("partner_a_user", 404),
        ("lead", 404),
    ],
)
def test_partner_picker_permissions(request, chain_a, partner_a, role, status):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    response = client_for(user).get(reverse("partners:partners_pick"), {"chain": chain_a.pk})
    assert response.status_code == status
    if status != 200:
        assert partner_a.name not in response.content.decode()
