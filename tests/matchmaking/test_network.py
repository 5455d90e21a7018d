"""Relationships and their strength, the network map's data, and the gaps in a chain."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from matchmaking.models import Introduction
from matchmaking.network import refresh_pair_strengths, refresh_strengths
from partners.models import Interaction, InteractionPartner, Relationship
from partners.services import note_contact
from tests.conftest import client_for
from tests.factories import (
    NeedFactory,
    OfferFactory,
    ParticipationFactory,
    PartnerFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db


def place(chain, name, role, position):
    participation = ParticipationFactory(
        value_chain=chain, chain_role=role, partner=PartnerFactory(name=name)
    )
    participation.stages.add(chain.stages.get(position=position))
    return participation.partner


def meet(*partners, days_ago=1):
    when = timezone.localdate() - datetime.timedelta(days=days_ago)
    interaction = Interaction.objects.create(kind="meeting", topic="Visit", occurred_on=when)
    for p in partners:
        InteractionPartner.objects.create(interaction=interaction, partner=p, occurred_on=when)
    # What services.log_interaction does after recording it.
    note_contact([p.pk for p in partners], when)
    refresh_pair_strengths([p.pk for p in partners])


@pytest.fixture
def chain(chain_a, partner_a):
    grower = place(chain_a, "Kei Growers", "producer", 1)
    maker = place(chain_a, "Mthatha Furniture", "processor", 3)
    return {"chain": chain_a, "grower": grower, "mill": partner_a, "maker": maker}


def test_record_relationship_and_refuse_duplicate(as_coordinator, chain):
    mill, grower = chain["mill"], chain["grower"]
    url = reverse("matchmaking:relationship_create", args=[mill.pk])
    data = {
        "kind": "buyer_supplier",
        "other": grower.pk,
        "side": "source",
        "began_on": "2025-03-01",
    }
    assert as_coordinator.post(url, data).status_code == 302
    relationship = Relationship.objects.get()
    assert (relationship.source, relationship.target) == (mill, grower)
    again = as_coordinator.post(url, data)
    assert "already recorded" in again.content.decode()
    assert Relationship.objects.count() == 1
    assert grower.changes.filter(summary__contains="Kei Growers").exists() is False
    assert grower.changes.filter(summary__contains="Amatola Sawmill").exists()


def test_strength_follows_interactions_and_introductions(as_coordinator, chain):
    mill, grower, maker = chain["mill"], chain["grower"], chain["maker"]
    Relationship.objects.create(source=mill, target=grower, kind="buyer_supplier")
    Relationship.objects.create(source=maker, target=mill, kind="buyer_supplier")
    for _ in range(3):
        meet(mill, grower)
    meet(mill, maker, days_ago=400)  # too long ago to count
    intro = Introduction.objects.create(
        value_chain=chain["chain"], partner_a=mill, partner_b=maker, reason="x", status="proposed"
    )
    # Moved along the board: the service refreshes the pair's strength.
    as_coordinator.post(reverse("matchmaking:move", args=[intro.pk]), {"status": "introduced"})
    as_coordinator.post(reverse("matchmaking:move", args=[intro.pk]), {"status": "talking"})
    response = as_coordinator.get(reverse("partners:detail", args=[mill.pk]) + "?tab=introductions")
    strengths = {
        (r.source.name, r.target.name): (r.strength_level, r.strength_reason)
        for r in response.context["relationships"]
    }
    grower_level, grower_reason = strengths[("Amatola Sawmill", "Kei Growers")]
    maker_level, maker_reason = strengths[("Mthatha Furniture", "Amatola Sawmill")]
    assert grower_level == "strong" and "3 joint interactions" in grower_reason
    assert maker_level == "active" and "introduction talking" in maker_reason
    assert "Strong" in response.content.decode()


def test_strength_fades_when_the_nightly_refresh_finds_contacts_aged(chain, monkeypatch):
    import datetime as dt

    from matchmaking.tasks import refresh_relationship_strengths

    mill, grower = chain["mill"], chain["grower"]
    tie = Relationship.objects.create(source=mill, target=grower, kind="buyer_supplier")
    meet(mill, grower, days_ago=170)
    tie.refresh_from_db()
    assert tie.strength_level == "active" and "1 joint interaction in" in tie.strength_reason
    # Twenty days on, the interaction is past the recent window: nothing was logged, the
    # nightly task notices.
    later = timezone.localdate() + dt.timedelta(days=20)
    monkeypatch.setattr("matchmaking.network.timezone.localdate", lambda: later)
    assert refresh_relationship_strengths() == 1
    tie.refresh_from_db()
    assert tie.strength_level == "dormant"
    assert refresh_strengths() == 0  # nothing more to change


def test_network_data_nodes_edges_and_colours(as_coordinator, chain):
    Relationship.objects.create(source=chain["mill"], target=chain["grower"], kind="buyer_supplier")
    data = as_coordinator.get(
        reverse("matchmaking:chain_network_data", args=[chain["chain"].pk])
    ).json()
    names = {n["name"]: n for n in data["nodes"]}
    assert set(names) == {"Amatola Sawmill", "Kei Growers", "Mthatha Furniture"}
    assert names["Kei Growers"]["stage"] == "Grower" and names["Kei Growers"]["role"] == "producer"
    assert names["Kei Growers"]["colour"] != names["Mthatha Furniture"]["colour"]
    assert [(e["source"], e["target"], e["strength"]) for e in data["edges"]] == [
        (str(chain["mill"].pk), str(chain["grower"].pk), "dormant")
    ]


@pytest.mark.parametrize("count", [5, 40])
def test_network_data_queries_constant(as_coordinator, chain, count, django_assert_num_queries):
    others = [place(chain["chain"], f"P{i}", "producer", 1) for i in range(count)]
    for other in others:
        Relationship.objects.create(source=chain["mill"], target=other, kind="buyer_supplier")
        meet(chain["mill"], other)
    # session, user, chain, participations, stages, relationships, joint interactions,
    # introductions = 8
    with django_assert_num_queries(6):
        data = as_coordinator.get(
            reverse("matchmaking:chain_network_data", args=[chain["chain"].pk])
        ).json()
    assert len(data["edges"]) == count


def test_network_pages_permissions(chain, partner_a_user, other_coordinator, coordinator, observer):
    urls = [
        reverse("matchmaking:network"),
        reverse("matchmaking:chain_network", args=[chain["chain"].pk]),
        reverse("matchmaking:chain_network_data", args=[chain["chain"].pk]),
        reverse("matchmaking:chain_gaps", args=[chain["chain"].pk]),
    ]
    assert [client_for(coordinator).get(u).status_code for u in urls] == [200, 200, 200, 200]
    assert [client_for(other_coordinator).get(u).status_code for u in urls] == [200, 404, 404, 404]
    assert [client_for(observer).get(u).status_code for u in urls] == [200, 200, 200, 200]
    assert [client_for(partner_a_user).get(u).status_code for u in urls] == [403, 403, 403, 403]
    assert [client_for(None).get(u).status_code for u in urls] == [302, 302, 302, 302]
    # The other coordinator's whole-network map holds nothing of chain A.
    data = client_for(other_coordinator).get(reverse("matchmaking:network_data")).json()
    assert "Amatola Sawmill" not in {n["name"] for n in data["nodes"]}
    # The observer's holds chain A's.
    data = client_for(observer).get(reverse("matchmaking:network_data")).json()
    assert "Amatola Sawmill" in {n["name"] for n in data["nodes"]}


def test_gaps_page_lists_each_kind_of_gap(as_coordinator, chain, coordinator):
    c = chain["chain"]
    mill, grower, maker = chain["mill"], chain["grower"], chain["maker"]
    timber = ProductFactory(name="Saligna logs")
    NeedFactory(partner=mill, product=timber)  # nobody offers logs
    boards = ProductFactory(name="Boards")
    NeedFactory(partner=maker, product=boards)
    OfferFactory(partner=mill, product=boards)  # this need is met
    meet(grower, days_ago=10)  # grower contacted recently; mill and maker not
    Relationship.objects.create(source=maker, target=mill, kind="buyer_supplier")
    stale = Introduction.objects.create(
        value_chain=c,
        partner_a=mill,
        partner_b=grower,
        reason="x",
        status="talking",
        status_changed_at=timezone.now() - datetime.timedelta(days=60),
    )
    response = as_coordinator.get(reverse("matchmaking:chain_gaps", args=[c.pk]))
    ctx = response.context
    assert [p.name for p in ctx["producers_without_buyer"]] == ["Kei Growers"]
    assert [n.product.name for n in ctx["unmet_needs"]] == ["Saligna logs"]
    assert [p.name for p in ctx["not_contacted"]] == ["Amatola Sawmill", "Mthatha Furniture"]
    assert ctx["stalled_introductions"] == [stale]
    assert [(a.name, b.name) for a, b in ctx["missing_links"]] == [("Grower", "Sawmill")]
    assert len(ctx["thin_stages"]) == 3
    body = response.content.decode()
    assert reverse("matchmaking:introduce", args=[grower.pk]) in body
    assert stale.get_absolute_url() in body


@pytest.mark.parametrize("count", [3, 30])
def test_gaps_queries_constant(as_coordinator, chain, count, django_assert_num_queries):
    for i in range(count):
        p = place(chain["chain"], f"P{i}", "producer", 1 + i % 3)
        NeedFactory(partner=p)
    # session, user, chain, stages with their counts, producers, products a need can be
    # served with, unmet needs, quiet partners, stalled introductions, missing links = 10
    with django_assert_num_queries(10):
        as_coordinator.get(reverse("matchmaking:chain_gaps", args=[chain["chain"].pk]))


@pytest.mark.parametrize("count", [2, 20])
def test_relationships_tab_queries_constant(
    as_coordinator, chain, count, django_assert_num_queries
):
    for i in range(count):
        other = place(chain["chain"], f"P{i}", "producer", 1)
        Relationship.objects.create(source=chain["mill"], target=other, kind="buyer_supplier")
        Introduction.objects.create(
            value_chain=chain["chain"], partner_a=chain["mill"], partner_b=other, reason="x"
        )
    # session, user, partner, introductions, relationships, joint interactions,
    # introduction states = 7
    with django_assert_num_queries(5):
        response = as_coordinator.get(
            reverse("partners:detail", args=[chain["mill"].pk]) + "?tab=introductions"
        )
    assert len(response.context["relationships"]) == count
