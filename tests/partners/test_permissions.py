"""Every URL of the partner directory × every role: the server answers as the table says.

Roles: anonymous, partner member of A, partner member of B, coordinator of A's chain,
coordinator of another chain (B), the working-group lead (a member of A), and an observer of
A's chain (reads what its coordinator reads, changes nothing: every form is a 403). 302 means
"sent to sign in"; an object the user may not see is a 404, a page they may not use a 403.
"""

import datetime

import pytest
from django.urls import reverse

from convenings.models import ActionItem
from tests.conftest import client_for
from tests.factories import (
    CommitmentFactory,
    NeedFactory,
    OfferFactory,
    ParticipationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "partner_a",
    "partner_b",
    "coordinator",
    "other_coordinator",
    "lead",
    "observer",
]


@pytest.fixture
def world(
    partner_a,
    partner_b,
    chain_a,
    coordinator,
    other_coordinator,
    partner_a_user,
    partner_b_user,
    lead,
    observer,
):
    offer = OfferFactory(partner=partner_a)
    need = NeedFactory(partner=partner_a)
    commitment = CommitmentFactory(partner=partner_a, value_chain=chain_a)
    person = partner_a_user.person
    participation = partner_a.participations.get()
    clients = {
        "anonymous": client_for(None),
        "partner_a": client_for(partner_a_user),
        "partner_b": client_for(partner_b_user),
        "coordinator": client_for(coordinator),
        "other_coordinator": client_for(other_coordinator),
        "lead": client_for(lead),
        "observer": client_for(observer),
    }
    a = partner_a.pk
    urls = {
        "directory": reverse("partners:directory"),
        "directory_csv": reverse("partners:directory_csv"),
        "people_csv": reverse("partners:people_csv"),
        "export": reverse("outcomes:export"),
        "create": reverse("partners:create"),
        "people": reverse("partners:people"),
        "chains": reverse("partners:chains"),
        "chain": reverse("partners:chain", args=[chain_a.pk]),
        "detail": reverse("partners:detail", args=[a]),
        "detail_offers": reverse("partners:detail", args=[a]) + "?tab=offers",
        "detail_history": reverse("partners:detail", args=[a]) + "?tab=history",
        "detail_timeline": reverse("partners:detail", args=[a]) + "?tab=timeline",
        "person_log": reverse("partners:person_log_interaction", args=[person.pk]),
        "edit": reverse("partners:edit", args=[a]),
        "offer_create": reverse("partners:listing_create", args=[a, "offers"]),
        "offer_edit": reverse("partners:listing_edit", args=[a, "offers", offer.pk]),
        "need_edit": reverse("partners:listing_edit", args=[a, "needs", need.pk]),
        "participation_create": reverse("partners:participation_create", args=[a]),
        "participation_edit": reverse("partners:participation_edit", args=[a, participation.pk]),
        "commitment_create": reverse("partners:commitment_create", args=[a]),
        "commitment_edit": reverse("partners:commitment_edit", args=[a, commitment.pk]),
        "interest_create": reverse("partners:interest_create", args=[a]),
        "person_create": reverse("partners:person_create", args=[a]),
        "invite": reverse("partners:invite", args=[a]),
        "person": reverse("partners:person", args=[person.pk]),
        "person_edit": reverse("partners:person_edit", args=[person.pk]),
        "my": reverse("partners:my_organisation"),
        "observers": reverse("partners:chain_observers", args=[chain_a.pk]),
        "missing_partner": reverse("partners:detail", args=[999999]),
        "missing_person": reverse("partners:person", args=[999999]),
        "missing_chain": reverse("partners:chain", args=[999999]),
    }
    return clients, urls


# (url name) -> expected status per role, in ROLES order.
EXPECTED = {
    #                      anon partA partB coord other lead  obs
    "directory": (302, 403, 403, 200, 200, 403, 200),
    "directory_csv": (302, 403, 403, 200, 200, 403, 200),
    "people_csv": (302, 403, 403, 200, 200, 403, 200),
    "export": (302, 403, 403, 200, 200, 403, 403),
    "create": (302, 403, 403, 200, 200, 403, 403),
    "people": (302, 403, 403, 200, 200, 403, 200),
    "chains": (302, 403, 403, 200, 200, 403, 200),
    "chain": (302, 403, 403, 200, 404, 403, 200),
    "detail": (302, 200, 404, 200, 404, 200, 200),
    "detail_offers": (302, 200, 404, 200, 404, 200, 200),
    "detail_history": (302, 200, 404, 200, 404, 200, 200),
    "detail_timeline": (302, 200, 404, 200, 404, 200, 200),
    "person_log": (302, 403, 403, 200, 404, 403, 403),
    "edit": (302, 200, 404, 200, 404, 200, 403),
    "offer_create": (302, 200, 404, 200, 404, 200, 403),
    "offer_edit": (302, 200, 404, 200, 404, 200, 403),
    "need_edit": (302, 200, 404, 200, 404, 200, 403),
    "participation_create": (302, 403, 403, 200, 404, 403, 403),
    "participation_edit": (302, 403, 403, 200, 404, 403, 403),
    "commitment_create": (302, 403, 403, 200, 404, 403, 403),
    "commitment_edit": (302, 403, 403, 200, 404, 403, 403),
    "interest_create": (302, 403, 403, 200, 404, 403, 403),
    "person_create": (302, 403, 403, 200, 404, 403, 403),
    "invite": (302, 403, 403, 200, 404, 403, 403),
    "person": (302, 200, 404, 200, 404, 404, 200),
    "person_edit": (302, 200, 404, 200, 404, 404, 403),
    "my": (302, 302, 302, 200, 200, 302, 200),
    "observers": (302, 403, 403, 200, 404, 403, 403),
    "missing_partner": (302, 404, 404, 404, 404, 404, 404),
    "missing_person": (302, 404, 404, 404, 404, 404, 404),
    "missing_chain": (302, 403, 403, 404, 404, 403, 404),
}


@pytest.mark.parametrize("name", EXPECTED)
def test_get_matrix(world, name):
    clients, urls = world
    got = tuple(clients[role].get(urls[name]).status_code for role in ROLES)
    assert got == EXPECTED[name], dict(zip(ROLES, got, strict=True))


@pytest.mark.parametrize("name", EXPECTED)
def test_get_matrix_htmx(world, name):
    """htmx requests are answered with the same rights as full page loads."""
    clients, urls = world
    got = tuple(clients[role].get(urls[name], HTTP_HX_REQUEST="true").status_code for role in ROLES)
    assert got == EXPECTED[name], dict(zip(ROLES, got, strict=True))


POSTS = ["edit", "offer_create", "commitment_create", "invite", "person_create", "person_log"]


@pytest.mark.parametrize("name", POSTS)
def test_posts_from_outsiders_change_nothing(world, name, partner_a):
    """A POST refused by the matrix writes nothing to the partner's history."""
    clients, urls = world
    before = partner_a.changes.count()
    for role in ("anonymous", "partner_b", "other_coordinator", "observer"):
        response = clients[role].post(urls[name], {"name": "Hijacked", "description": "x"})
        assert response.status_code in (302, 403, 404), role
        if role == "anonymous":
            assert "/accounts/login/" in response["Location"]
    partner_a.refresh_from_db()
    assert partner_a.name == "Amatola Sawmill"
    assert partner_a.changes.count() == before


def test_delete_listing_refused_to_other_partner(world, partner_a):
    clients, urls = world
    offer = partner_a.offers.get()
    url = reverse("partners:listing_delete", args=[partner_a.pk, "offers", offer.pk])
    assert clients["partner_b"].post(url).status_code == 404
    assert clients["other_coordinator"].post(url).status_code == 404
    assert clients["partner_a"].get(url).status_code == 405
    assert partner_a.offers.filter(pk=offer.pk).exists()


def test_listing_of_another_partner_is_404(world, partner_a, partner_b):
    """An offer id of partner B under partner A's URL is not found, even for A's coordinator."""
    clients, _ = world
    foreign = OfferFactory(partner=partner_b)
    url = reverse("partners:listing_edit", args=[partner_a.pk, "offers", foreign.pk])
    assert clients["coordinator"].get(url).status_code == 404
    assert clients["partner_a"].get(url).status_code == 404


def test_unknown_listing_kind_is_404(world, partner_a):
    clients, _ = world
    url = reverse("partners:listing_create", args=[partner_a.pk, "offers"]).replace(
        "offers", "secrets"
    )
    assert clients["coordinator"].get(url).status_code == 404


def test_person_of_unrelated_partner_is_hidden(world, partner_b):
    clients, _ = world
    stranger = PersonFactory()
    url = reverse("partners:person", args=[stranger.pk])
    assert clients["coordinator"].get(url).status_code == 404


def test_action_items_on_a_person_page_only_to_those_who_may_see_them(
    world, partner_a, partner_a_user, chain_a, chain_b
):
    """The person's page lists their action items to themself and to the coordinators of each
    item's chain; a partner of another organisation (or a co-worker, or another chain's
    coordinator) gets the page's 404 and not a word of the items."""
    clients, urls = world
    person = partner_a_user.person
    due = datetime.date.today() - datetime.timedelta(days=2)
    for chain, title in [(chain_a, "Measure kiln moisture"), (chain_b, "Ship the sample crates")]:
        ActionItem.objects.create(value_chain=chain, title=title, owner=person, due_on=due)

    def seen(role):
        response = clients[role].get(urls["person"])
        body = response.content.decode()
        titles = {t for t in ("Measure kiln moisture", "Ship the sample crates") if t in body}
        return response.status_code, titles

    assert seen("partner_a") == (200, {"Measure kiln moisture", "Ship the sample crates"})
    assert seen("coordinator") == (200, {"Measure kiln moisture"})
    for role in ("partner_b", "lead", "other_coordinator"):
        assert seen(role) == (404, set()), role
    # Partner A joins chain B: B's coordinator now sees the person, and only chain B's item.
    ParticipationFactory(partner=partner_a, value_chain=chain_b)
    assert seen("other_coordinator") == (200, {"Ship the sample crates"})
    assert seen("partner_b") == (404, set())


def test_superuser_sees_everything(world, partner_b, django_user_model):
    admin = django_user_model.objects.create_superuser("root@example.org", "root@example.org", "x")
    client = client_for(admin)
    assert client.get(reverse("partners:detail", args=[partner_b.pk])).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


def test_absurd_ids_are_404_not_500(as_coordinator):
    for url in ["/partners/99999999999999999999999/", "/people/123456789012345678901234/edit/"]:
        assert as_coordinator.get(url).status_code == 404
