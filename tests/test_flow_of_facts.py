"""One flow of facts (issue 15): a fact recorded once shows wherever a coordinator looks.

From an empty chain: an introduction sawmill → manufacturer that goes Proposed → Trial order →
Trading, a kept commitment, a working group and a workshop attended; then the map, the
partner's relationships tab, the gaps page, the dashboard's sales, funnel and stages.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from convenings.models import Convening, Invitee
from convenings.services import save_group, set_attendance
from matchmaking.network import chain_gaps
from matchmaking.services import introduce, move_introduction
from outcomes.dashboard import Scope, figure_funnel, figure_sales, figure_stages
from partners.models import Partner, Relationship
from partners.services import save_commitment
from tests.factories import (
    AffiliationFactory,
    ParticipationFactory,
    PartnerFactory,
    PersonFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db


def place(chain, name, role, position):
    participation = ParticipationFactory(
        value_chain=chain, chain_role=role, partner=PartnerFactory(name=name)
    )
    participation.stages.add(chain.stages.get(position=position))
    return participation.partner


@pytest.fixture
def maker(chain_a):
    return place(chain_a, "Mthatha Furniture", "processor", 3)


@pytest.fixture
def trading(chain_a, partner_a, maker, coordinator):
    """Sawmill (A) introduced to the manufacturer, straight to a trial order, then trading."""
    intro = introduce(
        value_chain=chain_a, partner_a=maker, partner_b=partner_a, reason="Timber", by=coordinator
    )
    move_introduction(intro, "trial_order", by=coordinator)
    move_introduction(intro, "trading", by=coordinator, annual_sales_value=Decimal("80000"))
    return intro


def test_a_trading_introduction_shows_on_the_map_tab_gaps_and_dashboard(
    as_coordinator, chain_a, partner_a, maker, trading
):
    relationship = Relationship.objects.get()
    assert (relationship.source, relationship.target) == (maker, partner_a)
    assert relationship.origin == "introduction"
    assert relationship.origin_url == trading.get_absolute_url()
    assert relationship.strength_level == "strong"

    data = as_coordinator.get(reverse("matchmaking:chain_network_data", args=[chain_a.pk])).json()
    assert [e["origin"] for e in data["edges"]] == ["introduction"]
    assert data["origins"]["introduction"] == "From an introduction"
    page = as_coordinator.get(reverse("matchmaking:chain_network", args=[chain_a.pk]))
    assert "derived: from an introduction" in page.content.decode()

    tab = as_coordinator.get(
        reverse("partners:detail", args=[partner_a.pk]), {"tab": "introductions"}
    )
    assert "From an introduction" in tab.content.decode()

    gaps = as_coordinator.get(reverse("matchmaking:chain_gaps", args=[chain_a.pk])).content
    assert "Sawmill → Manufacturer</strong>: no relationship yet" not in gaps.decode()

    scope = Scope((chain_a.pk,))
    sales = figure_sales(scope)
    assert "80,000 a year from 1 trading introduction" in sales.lede
    assert [row[1:] for row in sales.csv_rows] == [["from introductions", "80000.00", 1]]
    funnel = figure_funnel(scope)
    assert [(b.label, b.value) for b in funnel.bars] == [
        ("Proposed", 1),
        ("Introduced", 1),  # passed on the way to a trial order
        ("Talking", 1),
        ("Trial order", 1),
        ("Trading", 1),
    ]


def test_an_introduction_only_proposed_makes_no_relationship(
    chain_a, partner_a, maker, coordinator
):
    intro = introduce(
        value_chain=chain_a, partner_a=maker, partner_b=partner_a, reason="x", by=coordinator
    )
    move_introduction(intro, "introduced", by=coordinator)
    assert not Relationship.objects.exists()
    move_introduction(intro, "talking", by=coordinator)
    assert Relationship.objects.get().origin == "introduction"


def test_a_recorded_relationship_stays_recorded(chain_a, partner_a, maker, coordinator):
    Relationship.objects.create(source=maker, target=partner_a, kind="buyer_supplier")
    intro = introduce(
        value_chain=chain_a, partner_a=maker, partner_b=partner_a, reason="x", by=coordinator
    )
    move_introduction(intro, "talking", by=coordinator)
    assert Relationship.objects.get().origin == "recorded"


def test_a_kept_commitment_relates_the_two_and_shows_on_both_pages(
    as_coordinator, chain_a, partner_a, maker, coordinator
):
    product = ProductFactory(name="Saligna planks")
    commitment = save_commitment(
        partner_a,
        values={
            "value_chain": chain_a,
            "description": "Supply planks monthly",
            "product": product,
            "quantity": Decimal("12"),
            "unit": "m³",
            "toward": maker,
            "status": "active",
        },
        by=coordinator,
    )
    assert not Relationship.objects.exists()
    for partner in (partner_a, maker):
        page = as_coordinator.get(reverse("partners:detail", args=[partner.pk])).content.decode()
        assert "Supply planks monthly" in page
        assert "12 m³ Saligna planks" in page
    assert (
        "from <a"
        in as_coordinator.get(reverse("partners:detail", args=[maker.pk])).content.decode()
    )

    save_commitment(partner_a, values={"status": "kept"}, commitment=commitment, by=coordinator)
    relationship = Relationship.objects.get()
    assert (relationship.origin, relationship.kind) == ("commitment", "peer")
    assert (relationship.source, relationship.target) == (partner_a, maker)


def test_the_commitment_form_offers_only_partners_of_the_chain(
    as_coordinator, chain_a, chain_b, partner_a, partner_b, maker
):
    url = reverse("partners:commitment_create", args=[partner_a.pk])
    page = as_coordinator.get(url).content.decode()
    assert "Mthatha Furniture" in page
    assert "Riverbend Farm" not in page  # a partner of chain B only
    assert 'name="quantity"' in page and 'name="product"' in page and 'name="unit"' in page


def test_working_group_members_partners_become_peers(chain_a, partner_a, maker, lead):
    person = PersonFactory()
    AffiliationFactory(person=person, partner=maker)
    save_group(
        values={
            "name": "Density & Grading",
            "problem": "Grades",
            "lead": lead.person,
            "members": [person],
        },
        chain=chain_a,
    )
    relationship = Relationship.objects.get()
    assert relationship.origin == "working_group"
    assert {relationship.source, relationship.target} == {partner_a, maker}


def test_attending_a_workshop_counts_as_contact(as_coordinator, chain_a, partner_a, coordinator):
    start = timezone.now() - datetime.timedelta(days=3)
    workshop = Convening.objects.create(
        value_chain=chain_a,
        kind="workshop",
        title="First workshop",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        place="Hall",
    )
    person = PersonFactory()
    AffiliationFactory(person=person, partner=partner_a)
    gaps_url = reverse("matchmaking:chain_gaps", args=[chain_a.pk])
    assert "Amatola Sawmill" in as_coordinator.get(gaps_url).content.decode()  # never contacted
    set_attendance(Invitee.objects.create(convening=workshop, person=person), True)
    partner_a.refresh_from_db()
    assert partner_a.last_contacted_on == timezone.localdate(start)
    assert partner_a not in chain_gaps(chain_a)["not_contacted"]


def test_partners_per_stage_counts_stages(chain_a, partner_a, maker):
    place(chain_a, "Second Mill", "processor", 2)
    figure = figure_stages(Scope((chain_a.pk,)))
    assert sorted(row[1:] for row in figure.csv_rows) == [["Manufacturer", 1], ["Sawmill", 2]]
    assert "joined at Sawmill (2 of 3 by stage)" in figure.lede
    assert Partner.objects.count() == 3


@pytest.mark.parametrize("size", [3, 12])
def test_a_working_groups_relationships_take_constant_queries(
    chain_a, lead, size, django_assert_num_queries
):
    people = []
    for i in range(size):
        person = PersonFactory()
        AffiliationFactory(person=person, partner=place(chain_a, f"Firm {i}", "processor", 3))
        people.append(person)
    from matchmaking.services import relate_group_members

    # affiliations, existing peers, the insert, strengths (ids, rows, joint interactions,
    # introductions, the update), names, history: the same for 3 partners as for 12
    with django_assert_num_queries(10):
        made = relate_group_members(person_ids=[p.pk for p in people], group_url="/g/")
    assert made == size * (size - 1) // 2
    assert Relationship.objects.filter(origin="working_group").count() == made
    assert relate_group_members(person_ids=[p.pk for p in people], group_url="/g/") == 0
