"""Every privacy URL × every role, about the person of partner A's member: the person
themself and the coordinators of their chain (and a superuser) may; anyone else gets a 404
(the person does not exist for them); the anonymous are sent to sign in."""

import pytest
from django.urls import reverse

from partners.models import Person
from privacy.models import PrivacyRequest
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "the_person",
    "partner_b",
    "lead",
    "coordinator",
    "other_coordinator",
    "superuser",
]


@pytest.fixture
def clients(partner_a_user, partner_b_user, lead, coordinator, other_coordinator):
    superuser = UserFactory(username="root@example.org", is_staff=True, is_superuser=True)
    users = {
        "anonymous": None,
        "the_person": partner_a_user,
        "partner_b": partner_b_user,
        "lead": lead,
        "coordinator": coordinator,
        "other_coordinator": other_coordinator,
        "superuser": superuser,
    }
    return {role: client_for(user) for role, user in users.items()}


MAY = {"the_person": 200, "coordinator": 200, "superuser": 200}
CASES = [
    ("mine", "get", {"anonymous": 302}, 200),
    ("export", "post", {"anonymous": 302, **MAY}, 404),
    ("erase", "get", {"anonymous": 302, **MAY}, 404),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "expected", "otherwise"), CASES)
def test_matrix(clients, partner_a_user, role, name, method, expected, otherwise):
    args = [] if name == "mine" else [partner_a_user.person.pk]
    response = getattr(clients[role], method)(reverse(f"privacy:{name}", args=args))
    assert response.status_code == expected.get(role, otherwise)


@pytest.mark.parametrize("role", ["anonymous", "partner_b", "lead", "other_coordinator"])
def test_no_one_else_can_erase(clients, partner_a_user, role):
    person = partner_a_user.person
    response = clients[role].post(reverse("privacy:erase", args=[person.pk]), {"confirm": "on"})
    assert response.status_code == (302 if role == "anonymous" else 404)
    assert Person.objects.get(pk=person.pk).email == partner_a_user.email
    assert not PrivacyRequest.objects.exists()


@pytest.mark.parametrize("role", ["coordinator", "superuser"])
def test_a_coordinator_erases_after_confirming(clients, partner_a_user, role):
    person = partner_a_user.person
    url = reverse("privacy:erase", args=[person.pk])
    response = clients[role].post(url, {"confirm": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("partners:person", args=[person.pk])
    page = response.content.decode()
    assert "Erased: the person is now “a removed person” everywhere." in page
    assert "Erasure on" in page and "Erased</span> on" in page
    assert "Download their data" not in page
    person.refresh_from_db()
    assert person.full_name == "A removed person" and person.email == ""
    partner_a_user.refresh_from_db()
    assert not partner_a_user.is_active


def test_a_coordinator_cannot_erase_an_administrator(partner_a, coordinator):
    from tests.factories import AffiliationFactory, PersonFactory

    admin = UserFactory(username="root@amatola.example", is_staff=True, is_superuser=True)
    person = PersonFactory(user=admin, email=admin.username)
    AffiliationFactory(person=person, partner=partner_a)
    url = reverse("privacy:erase", args=[person.pk])
    assert client_for(coordinator).post(url, {"confirm": "on"}).status_code == 403
    admin.refresh_from_db()
    assert admin.is_active
