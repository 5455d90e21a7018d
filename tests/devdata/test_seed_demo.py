"""manage.py seed_demo: the demo network, its sign-ins, and that a second run changes nothing."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.http import HttpRequest  # django-axes checks every sign-in against a request
from django.test import Client
from django.urls import reverse

from devdata.demo import DEMO_PASSWORD, FOOD, SALIGNA
from partners.models import (
    Commitment,
    Interest,
    Need,
    Offer,
    Participation,
    Partner,
    Person,
    Stage,
    ValueChain,
)

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


def test_seed_demo_builds_two_chains_with_every_stage():
    output = seed()

    assert set(ValueChain.objects.values_list("name", flat=True)) == {FOOD, SALIGNA}
    assert 50 <= Partner.objects.count() <= 80
    saligna = ValueChain.objects.get(name=SALIGNA)
    assert list(saligna.stages.values_list("name", flat=True)) == [
        "Timber grower",
        "Sawmill",
        "Furniture manufacturer",
        "Timber trader / exporter",
    ]
    for chain in ValueChain.objects.all():
        assert chain.market_opportunity and chain.region
        assert chain.coordinators.filter(username="coordinator@demo.vcc").exists()
    partners_at = {
        (s.value_chain.name, s.name): s.participations.count()
        for s in Stage.objects.select_related("value_chain")
    }
    # One stage is deliberately thin, so the gaps view has something to show.
    assert partners_at.pop((SALIGNA, "Timber trader / exporter")) <= 1
    assert all(count >= 3 for count in partners_at.values()), partners_at
    assert "coordinator@demo.vcc" in output and DEMO_PASSWORD in output


def test_demo_network_is_rich_enough_to_show_every_page():
    seed()

    people = Person.objects.count()
    assert 2 * Partner.objects.count() <= people <= 4 * Partner.objects.count()
    assert Offer.objects.count() > 40 and Need.objects.count() > 30
    assert set(Interest.objects.values_list("kind", flat=True)) == {"self", "shared", "common"}
    assert {c.status for c in Commitment.objects.all()} == {"proposed", "active", "kept", "missed"}
    assert any(c.is_overdue for c in Commitment.objects.all())
    assert Commitment.objects.filter(toward__isnull=False).exists()
    network_roles = set(Participation.objects.values_list("network_role", flat=True))
    assert {"lead_firm", "change_agent", "intermediary", "coordinator"} <= network_roles
    assert not Partner.objects.filter(search_document="").exists()
    assert not Person.objects.filter(search_document="").exists()
    assert not Partner.objects.filter(latitude__isnull=True).exists()


@pytest.mark.parametrize(
    "username, partner",
    [
        ("coordinator@demo.vcc", None),
        ("partner@demo.vcc", "Riverbend Family Farm"),
        ("lead@demo.vcc", "Msunduzi Furniture Works"),
        ("admin@demo.vcc", None),
        ("observer@demo.vcc", None),
    ],
)
def test_demo_users_can_sign_in(username, partner):
    seed()

    client = Client()
    assert client.login(request=HttpRequest(), username=username, password=DEMO_PASSWORD)
    if partner:
        person = Person.objects.get(user__username=username)
        assert list(person.affiliations.values_list("partner__name", flat=True)) == [partner]


def test_coordinator_sees_both_chains_and_the_gap():
    seed()
    client = Client()
    client.login(request=HttpRequest(), username="coordinator@demo.vcc", password=DEMO_PASSWORD)

    saligna = ValueChain.objects.get(name=SALIGNA)
    response = client.get(reverse("partners:chain", args=[saligna.pk]))

    assert response.status_code == 200
    for stage in saligna.stages.all():
        assert stage.name in response.content.decode()
    assert client.get(reverse("partners:chains")).status_code == 200


def test_seed_demo_twice_changes_nothing():
    seed()
    before = row_counts()

    output = seed()

    assert row_counts() == before
    assert "already there" in output


@pytest.mark.django_db
def test_demo_has_relationships_and_introductions_along_the_pipeline():
    from django.core.management import call_command

    from matchmaking.models import Introduction
    from partners.models import Relationship

    call_command("seed_demo")
    assert Relationship.objects.count() >= 15
    statuses = set(Introduction.objects.values_list("status", flat=True))
    assert {"proposed", "talking", "trading", "declined", "stalled"} <= statuses
    trading = Introduction.objects.filter(status="trading").first()
    assert trading.annual_sales_value > 0
    assert list(trading.events.values_list("status", flat=True)) == [
        "proposed",
        "introduced",
        "talking",
        "trial_order",
        "trading",
    ]


@pytest.mark.django_db
def test_demo_comes_with_match_suggestions_to_act_on():
    from matchmaking.models import Suggestion

    assert "match suggestions" in seed()
    assert Suggestion.objects.exists()
    # A second run leaves them as they are.
    computed = set(Suggestion.objects.values_list("pk", "computed_at"))
    seed()
    assert set(Suggestion.objects.values_list("pk", "computed_at")) == computed


@pytest.mark.django_db
def test_demo_lead_has_a_working_group_with_meetings_and_action_items():
    from django.utils import timezone

    from convenings.models import ActionItem, Convening, WorkingGroup

    seed()
    group = WorkingGroup.objects.get(lead__email="lead@demo.vcc")
    assert group.members.count() >= 3
    meetings = Convening.objects.filter(working_group=group)
    assert meetings.filter(starts_at__lt=timezone.now(), invitees__attended=True).exists()
    assert meetings.filter(starts_at__gt=timezone.now()).exists()
    overdue = ActionItem.objects.filter(
        working_group=group, due_on__lt=timezone.localdate()
    ).exclude(status="done")
    assert overdue.exists()


def test_demo_dashboard_shows_reported_sales_and_jobs():
    """The demo's outcome reports fill the coordinator's dashboard: sales and jobs, not the
    empty states."""
    seed()
    client = Client()
    client.login(request=HttpRequest(), username="coordinator@demo.vcc", password=DEMO_PASSWORD)

    page = client.get(reverse("outcomes:dashboard")).content.decode()

    assert "in sales reported" in page
    assert "jobs created and" in page
    assert "No sales reported for this period" not in page


def test_demo_observer_reads_the_food_chain_and_changes_nothing():
    seed()
    client = Client()
    assert client.login(request=HttpRequest(), username="observer@demo.vcc", password=DEMO_PASSWORD)
    food = ValueChain.objects.get(name=FOOD)
    saligna = ValueChain.objects.get(name=SALIGNA)
    assert client.get(food.get_absolute_url()).status_code == 200
    assert client.get(saligna.get_absolute_url()).status_code == 404
    assert client.get(reverse("outcomes:dashboard")).status_code == 200
    assert client.get(reverse("partners:create")).status_code == 403
    assert client.get(reverse("admin:index")).status_code == 302
