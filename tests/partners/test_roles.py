"""Roles as data: coordinators (the Coordinators group), observers (per chain), and the
administrators who alone use the Django admin, whose edits go through the services."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.urls import reverse

from outbox.models import Message
from partners.models import ChangeRecord, Commitment
from partners.permissions import COORDINATORS_GROUP, Role, role_of
from tests.conftest import client_for
from tests.factories import AffiliationFactory, CommitmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(db):
    return UserFactory(username="root@example.org", is_staff=True, is_superuser=True)


# --- who is what ------------------------------------------------------------------------------


def test_roles_come_from_the_group_and_the_chains_not_is_staff(
    coordinator, observer, partner_a_user
):
    staff_only = UserFactory(username="staff@example.org", is_staff=True)
    assert role_of(coordinator) == Role.COORDINATOR and not coordinator.is_staff
    assert role_of(observer) == Role.OBSERVER
    assert role_of(partner_a_user) == Role.PARTNER
    # is_staff alone (an administrator) coordinates nothing.
    assert role_of(staff_only) == Role.PARTNER
    assert client_for(staff_only).get(reverse("partners:directory")).status_code == 403


def test_a_request_reads_the_roles_with_the_user_row(
    coordinator, partner_a, django_assert_num_queries
):
    """The session's user comes with its roles: the chains page asks no query for them."""
    client = client_for(coordinator)
    # session, user (with its roles), the chains with their counts = 3
    with django_assert_num_queries(3):
        assert client.get(reverse("partners:chains")).status_code == 200


def test_the_migration_turns_staff_into_coordinators(chain_a):
    migration = importlib.import_module("partners.migrations.0020_coordinators_group")
    staff = UserFactory(username="old-staff@example.org", is_staff=True)
    root = UserFactory(username="root2@example.org", is_staff=True, is_superuser=True)
    partner = UserFactory(username="member@example.org")
    chain_a.coordinators.add(staff)

    migration.staff_to_coordinators(apps, None)

    staff.refresh_from_db()
    root.refresh_from_db()
    assert not staff.is_staff and staff.groups.filter(name=COORDINATORS_GROUP).exists()
    assert role_of(staff) == Role.COORDINATOR
    assert root.is_staff and root.is_superuser
    assert not partner.groups.exists()
    # The coordinator still sees the chain they coordinated.
    assert client_for(staff).get(chain_a.get_absolute_url()).status_code == 200


# --- the admin site ---------------------------------------------------------------------------


def test_the_admin_is_for_administrators_only(coordinator, observer, administrator):
    for user in (coordinator, observer):
        response = client_for(user).get(reverse("admin:partners_partner_changelist"))
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]
    assert client_for(administrator).get(reverse("admin:index")).status_code == 200


def test_coordinators_see_no_admin_link(as_coordinator, administrator, partner_a):
    assert ">Admin<" not in as_coordinator.get(reverse("partners:directory")).content.decode()
    page = client_for(administrator).get(reverse("partners:directory")).content.decode()
    assert ">Admin<" in page


def test_an_admin_edit_of_a_partner_writes_its_change_history(administrator, partner_a):
    client = client_for(administrator)
    url = reverse("admin:partners_partner_change", args=[partner_a.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        name="Amatola Sawmill (Pty) Ltd",
        kind=partner_a.kind,
        ownership="[]",
        # The read-only inlines' management forms.
        **{
            f"{prefix}-{key}": value
            for prefix in ("participations", "affiliations")
            for key, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0))
        },
    )
    data = {k: v for k, v in data.items() if not isinstance(v, list | dict)}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    partner_a.refresh_from_db()
    assert partner_a.name == "Amatola Sawmill (Pty) Ltd"
    record = ChangeRecord.objects.filter(partner=partner_a).latest("at")
    assert record.user == administrator and record.summary == "Profile edited"
    assert record.changes["Name"] == ["Amatola Sawmill", "Amatola Sawmill (Pty) Ltd"]


def test_read_only_admins_refuse_changes(administrator, partner_a, chain_a):
    commitment = CommitmentFactory(partner=partner_a, value_chain=chain_a, description="Kiln")
    client = client_for(administrator)
    change = reverse("admin:partners_commitment_change", args=[commitment.pk])
    assert client.get(change).status_code == 200  # shown, to read
    response = client.post(change, {"description": "Changed behind the history's back"})
    assert response.status_code == 403
    assert Commitment.objects.get(pk=commitment.pk).description == "Kiln"
    assert client.get(reverse("admin:partners_commitment_add")).status_code == 403
    delete = reverse("admin:partners_commitment_delete", args=[commitment.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Commitment.objects.filter(pk=commitment.pk).exists()
    assert client.get(reverse("admin:partners_partner_add")).status_code == 403
    assert client.get(reverse("admin:outbox_message_add")).status_code == 403


# --- observers -----------------------------------------------------------------------------


def test_coordinator_appoints_an_observer_who_is_invited_through_the_outbox(
    as_coordinator, chain_a, settings
):
    settings.SITE_URL = "https://vcc.example.org"
    url = reverse("partners:chain_observers", args=[chain_a.pk])
    page = as_coordinator.get(url).content.decode()
    assert "Nobody observes this chain yet" in page

    response = as_coordinator.post(url, {"email": "Funder@Trust.example"})
    assert response.status_code == 302
    observer = chain_a.observers.get()
    assert observer.username == "funder@trust.example" and not observer.has_usable_password()
    assert role_of(observer) == Role.OBSERVER
    message = Message.objects.get(to_address="Funder@Trust.example")
    assert message.value_chain == chain_a
    assert "observer of Saligna Hardwood" in message.body_text
    assert "https://vcc.example.org/accounts/invitation/" in message.body_text
    page = as_coordinator.get(url).content.decode()
    assert "Funder@Trust.example" in page and "not signed in yet" in page

    # Twice is refused beside the field, the address kept; no second email.
    response = as_coordinator.post(url, {"email": "funder@trust.example"})
    assert response.status_code == 200
    assert "They already observe this chain." in response.content.decode()
    assert 'value="funder@trust.example"' in response.content.decode()
    assert Message.objects.count() == 1

    remove = reverse("partners:chain_observer_remove", args=[chain_a.pk, observer.pk])
    assert as_coordinator.post(remove).status_code == 302
    assert not chain_a.observers.exists()
    assert client_for(observer).get(chain_a.get_absolute_url()).status_code == 403


def test_an_existing_sign_in_is_asked_to_sign_in_as_usual(as_coordinator, chain_a, lead):
    url = reverse("partners:chain_observers", args=[chain_a.pk])
    as_coordinator.post(url, {"email": lead.username})
    assert chain_a.observers.get() == lead
    message = Message.objects.get(to_address=lead.email)
    assert "/accounts/login/?next=" in message.body_text
    assert "Set your password" not in message.body_text


def test_observer_form_says_what_is_wrong(as_coordinator, chain_a, coordinator):
    url = reverse("partners:chain_observers", args=[chain_a.pk])
    page = as_coordinator.post(url, {"email": "not an address"}).content.decode()
    assert "Enter a valid email address." in page and 'value="not an address"' in page
    page = as_coordinator.post(url, {"email": coordinator.username}).content.decode()
    assert "They already coordinate this chain." in page
    page = as_coordinator.post(url, {"email": "a" * 250 + "@x.example"}).content.decode()
    assert "at most 254 characters" in page
    assert not chain_a.observers.exists()


def test_observer_reads_their_chain_without_the_buttons_they_cannot_use(
    observer, partner_a, partner_b, chain_a
):
    client = client_for(observer)
    directory = client.get(reverse("partners:directory")).content.decode()
    assert "Amatola Sawmill" in directory and "Riverbend Farm" not in directory
    assert "Add a partner" not in directory and "Export all data" not in directory
    detail = client.get(partner_a.get_absolute_url()).content.decode()
    for button in ("Edit profile", "Introduce", "Invite to sign in", "Add a person"):
        assert button not in detail, button
    chain = client.get(chain_a.get_absolute_url()).content.decode()
    assert "Set up chain" not in chain and "Add a partner here" not in chain
    assert "Network map" in chain and "Gaps to act on" in chain
    chains = client.get(reverse("partners:chains")).content.decode()
    assert "New value chain" not in chains and "Set up" not in chains
    nav = client.get(reverse("outcomes:dashboard")).content.decode()
    assert "Import a spreadsheet" not in nav and "My day</a>" not in nav
    assert "Introductions</a>" in nav and "Suggestions</a>" in nav
    assert reverse("outcomes:partner", args=[partner_a.pk]) in detail
    assert client.get(reverse("home"))["Location"] == reverse("partners:chains")


def test_observer_sees_the_person_page_and_timeline_without_the_form(observer, partner_a):
    person = AffiliationFactory(partner=partner_a).person
    page = client_for(observer).get(person.get_absolute_url()).content.decode()
    assert person.full_name in page
    assert "Timeline" in page and "Log interaction" not in page
    assert ">Edit<" not in page


def test_observer_pages_ask_as_many_queries_as_the_coordinators(
    observer, coordinator, partner_a, chain_a, django_assert_max_num_queries
):
    # session, user, my chain ids, stages of my chains, products, certifications, the
    # search's typo probe (PostgreSQL), page rows, participations of the rows = 9
    for user in (coordinator, observer):
        client = client_for(user)
        with django_assert_max_num_queries(9):
            response = client.get(reverse("partners:directory"), {"q": "amatola"})
        assert [p.name for p in response.context["page"].rows] == ["Amatola Sawmill"]


def test_groups_exist_after_migrating():
    assert Group.objects.filter(name=COORDINATORS_GROUP).exists()


def test_the_chain_pages_lead_coordinators_to_its_observers(as_coordinator, chain_a):
    url = reverse("partners:chain_observers", args=[chain_a.pk])
    assert url in as_coordinator.get(chain_a.get_absolute_url()).content.decode()
    assert (
        url
        in as_coordinator.get(reverse("partners:chain_edit", args=[chain_a.pk])).content.decode()
    )


def test_observer_sees_no_buttons_to_pages_they_cannot_open(observer, chain_a):
    client = client_for(observer)
    page = client.get(reverse("convenings:list")).content.decode()
    assert "My calendar" not in page and "Schedule a convening" not in page
    assert "once their coordinators schedule them" in page
    timeline = client.get(reverse("partners:chains")).content.decode()
    assert "The chains you observe" in timeline


def test_a_coordinator_who_observes_another_chain_reads_it_and_changes_nothing_there(
    other_coordinator, chain_a, partner_a, partner_b
):
    """Coordinating chain B and observing chain A: A's partners are in the directory and
    A's pages open, but A's forms answer 403 (or 404 where only its coordinators look)."""
    chain_a.observers.add(other_coordinator)
    client = client_for(other_coordinator)
    directory = client.get(reverse("partners:directory")).content.decode()
    assert "Amatola Sawmill" in directory and "Riverbend Farm" in directory
    assert client.get(chain_a.get_absolute_url()).status_code == 200
    assert client.get(partner_a.get_absolute_url()).status_code == 200
    assert client.get(reverse("partners:edit", args=[partner_a.pk])).status_code == 403
    assert client.get(reverse("partners:invite", args=[partner_a.pk])).status_code == 403
    assert client.get(reverse("partners:chain_edit", args=[chain_a.pk])).status_code == 404
    assert client.get(reverse("partners:chain_observers", args=[chain_a.pk])).status_code == 404
    assert (
        client.post(reverse("partners:edit", args=[partner_a.pk]), {"name": "X"}).status_code == 403
    )
    partner_a.refresh_from_db()
    assert partner_a.name == "Amatola Sawmill"


def test_a_user_named_coordinator_of_a_chain_coordinates_it_without_the_group(chain_a):
    """An administrator who names someone on a chain's coordinators in the admin has made
    them its coordinator; the group is for coordinators with no chain yet."""
    user = UserFactory(username="named@example.org")
    chain_a.coordinators.add(user)
    assert role_of(user) == Role.COORDINATOR
    assert (
        client_for(user).get(reverse("partners:chain_edit", args=[chain_a.pk])).status_code == 200
    )
