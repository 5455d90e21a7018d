"""Introductions: made from a partner's page, moved along the board, seen by both sides."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from matchmaking.models import Introduction, IntroductionStatus
from tests.conftest import client_for
from tests.factories import (
    AffiliationFactory,
    OfferFactory,
    ParticipationFactory,
    PartnerFactory,
)

pytestmark = pytest.mark.django_db
BOARD = reverse("matchmaking:board")


@pytest.fixture
def buyer(chain_a):
    participation = ParticipationFactory(
        value_chain=chain_a, chain_role="buyer", partner=PartnerFactory(name="Coastal Exporters")
    )
    from partners.search import refresh_search_documents

    refresh_search_documents([participation.partner_id], [])
    return participation.partner


def make(partner_a, partner_b, chain, status=IntroductionStatus.INTRODUCED, days_ago=0):
    return Introduction.objects.create(
        value_chain=chain,
        partner_a=partner_a,
        partner_b=partner_b,
        reason="Boards for export",
        status=status,
        status_changed_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


def introduce_url(partner):
    return reverse("matchmaking:introduce", args=[partner.pk])


def test_search_then_introduce_with_offer(as_coordinator, partner_a, buyer, chain_a, coordinator):
    offer = OfferFactory(partner=partner_a)
    contact = AffiliationFactory(partner=buyer).person
    found = as_coordinator.get(introduce_url(partner_a), {"q": "coastal"})
    assert "Coastal Exporters" in found.content.decode()
    response = as_coordinator.post(
        introduce_url(partner_a) + "?q=coastal",
        {
            "value_chain": chain_a.pk,
            "partner_b": buyer.pk,
            "person_b": contact.pk,
            "reason": "They need kiln-dried boards",
            "offer": offer.pk,
        },
    )
    introduction = Introduction.objects.get()
    assert response["Location"] == introduction.get_absolute_url()
    assert (introduction.partner_a, introduction.partner_b) == (partner_a, buyer)
    assert introduction.offer == offer and introduction.created_by == coordinator
    assert introduction.events.get().status == "proposed"


def test_introducing_a_partner_to_itself_is_refused(as_coordinator, partner_a, chain_a):
    response = as_coordinator.post(
        introduce_url(partner_a),
        {"value_chain": chain_a.pk, "partner_b": partner_a.pk, "reason": "x"},
    )
    assert "A partner cannot be introduced to itself." in response.content.decode()
    assert not Introduction.objects.exists()


def test_second_open_introduction_of_a_pair_is_refused(as_coordinator, partner_a, buyer, chain_a):
    make(buyer, partner_a, chain_a)  # the same pair, the other way round
    response = as_coordinator.post(
        introduce_url(partner_a), {"value_chain": chain_a.pk, "partner_b": buyer.pk, "reason": "x"}
    )
    assert "already have an open introduction" in response.content.decode()
    assert Introduction.objects.count() == 1


def test_pair_may_be_introduced_again_after_declining(as_coordinator, partner_a, buyer, chain_a):
    make(partner_a, buyer, chain_a, status=IntroductionStatus.DECLINED)
    as_coordinator.post(
        introduce_url(partner_a),
        {"value_chain": chain_a.pk, "partner_b": buyer.pk, "reason": "New season"},
    )
    assert Introduction.objects.count() == 2


def test_database_refuses_duplicate_open_pair(partner_a, buyer, chain_a):
    from django.db import IntegrityError, transaction

    make(partner_a, buyer, chain_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        make(buyer, partner_a, chain_a, status=IntroductionStatus.TALKING)


def test_partner_of_another_chain_cannot_be_chosen(as_coordinator, partner_a, partner_b, chain_a):
    response = as_coordinator.post(
        introduce_url(partner_a),
        {"value_chain": chain_a.pk, "partner_b": partner_b.pk, "reason": "x"},
    )
    assert "partner_b" in response.context["form"].errors
    assert not Introduction.objects.exists()


def test_board_columns_move_and_stalled_flag(as_coordinator, partner_a, buyer, chain_a, htmx):
    fresh = make(partner_a, buyer, chain_a)
    other = PartnerFactory(name="Old Lead")
    ParticipationFactory(partner=other, value_chain=chain_a)
    old = make(partner_a, other, chain_a, status=IntroductionStatus.TALKING, days_ago=45)
    columns = {c["status"]: c for c in as_coordinator.get(BOARD).context["columns"]}
    assert [c.pk for c in columns["introduced"]["cards"]] == [fresh.pk]
    assert columns["talking"]["cards"][0].looks_stalled is True
    assert columns["introduced"]["cards"][0].looks_stalled is False
    assert "stalled? no change since" in as_coordinator.get(BOARD).content.decode()

    response = as_coordinator.post(
        reverse("matchmaking:move", args=[fresh.pk]),
        {"status": "talking", "from": "board"},
        **htmx,
    )
    assert response.content.decode().lstrip().startswith('<section id="board"')
    fresh.refresh_from_db()
    assert fresh.status == "talking" and fresh.events.get().status == "talking"
    assert old.status == "talking"


def test_trading_needs_the_sales_figure(as_coordinator, partner_a, buyer, chain_a, htmx):
    intro = make(partner_a, buyer, chain_a, status=IntroductionStatus.TRIAL_ORDER)
    move = reverse("matchmaking:move", args=[intro.pk])
    from_board = as_coordinator.post(move, {"status": "trading", "from": "board"}, **htmx)
    assert from_board["HX-Redirect"] == intro.get_absolute_url()
    missing = as_coordinator.post(move, {"status": "trading"})
    assert "Give the annual sales value when trading." in missing.content.decode()
    intro.refresh_from_db()
    assert intro.status == "trial_order"
    as_coordinator.post(
        move,
        {
            "status": "trading",
            "annual_sales_value": "125000",
            "annual_volume": "40",
            "volume_unit": "m³",
        },
    )
    intro.refresh_from_db()
    assert intro.status == "trading" and intro.annual_sales_value == 125000
    assert intro.volume_unit == "m³"


def test_board_filters_by_chain_and_stage(as_coordinator, partner_a, buyer, chain_a):
    make(partner_a, buyer, chain_a)
    sawmill = chain_a.stages.get(name="Sawmill")
    grower = chain_a.stages.get(name="Grower")
    by_stage = as_coordinator.get(BOARD, {"stage": sawmill.pk}).context["columns"]
    assert sum(c["count"] for c in by_stage) == 1
    assert (
        sum(c["count"] for c in as_coordinator.get(BOARD, {"stage": grower.pk}).context["columns"])
        == 0
    )


def test_a_crowded_column_counts_up_to_a_cap(as_coordinator, partner_a, chain_a, monkeypatch):
    monkeypatch.setattr("matchmaking.selectors.BOARD_COUNT_CAP", 3)
    monkeypatch.setattr("matchmaking.selectors.BOARD_COLUMN_SIZE", 2)
    for _ in range(5):
        make(partner_a, ParticipationFactory(value_chain=chain_a).partner, chain_a)
    make(partner_a, ParticipationFactory(value_chain=chain_a).partner, chain_a, status="talking")
    response = as_coordinator.get(BOARD)
    columns = {c["status"]: c for c in response.context["columns"]}
    assert (columns["introduced"]["count"], columns["introduced"]["count_more"]) == (3, True)
    assert (columns["talking"]["count"], columns["talking"]["count_more"]) == (1, False)
    assert "Showing the 2 most recent of 3 or more" in response.content.decode()


@pytest.mark.parametrize("count", [2, 30])
def test_board_queries_constant(
    as_coordinator, partner_a, chain_a, count, django_assert_num_queries
):
    for i in range(count):
        b = ParticipationFactory(value_chain=chain_a).partner
        make(partner_a, b, chain_a, status=list(IntroductionStatus)[i % 7])
    # session, user, counts by status, top cards of every column, stages for the filter = 5
    with django_assert_num_queries(5):
        as_coordinator.get(BOARD)


def test_partner_sees_its_introduction_and_says_how_it_goes(
    partner_a, buyer, chain_a, partner_a_user, partner_b_user
):
    intro = make(partner_a, buyer, chain_a)
    mine = client_for(partner_a_user)
    page = mine.get(reverse("partners:detail", args=[partner_a.pk]) + "?tab=introductions")
    assert "Coastal Exporters" in page.content.decode()
    detail = mine.get(intro.get_absolute_url())
    assert detail.status_code == 200 and "How is it going?" in detail.content.decode()
    mine.post(
        reverse("matchmaking:move", args=[intro.pk]), {"status": "talking", "note": "Samples sent"}
    )
    intro.refresh_from_db()
    assert intro.status == "talking"
    assert intro.events.get().note == "Samples sent"
    # A partner may not jump to "proposed", and an outsider sees nothing.
    assert (
        mine.post(reverse("matchmaking:move", args=[intro.pk]), {"status": "proposed"})
        .context["form"]
        .errors
    )
    outsider = client_for(partner_b_user)
    assert outsider.get(intro.get_absolute_url()).status_code == 404
    assert (
        outsider.post(
            reverse("matchmaking:move", args=[intro.pk]), {"status": "declined"}
        ).status_code
        == 404
    )


def test_permissions(
    partner_a,
    buyer,
    chain_a,
    coordinator,
    other_coordinator,
    partner_a_user,
    partner_b_user,
    lead,
    observer,
):
    intro = make(partner_a, buyer, chain_a)
    urls = [BOARD, introduce_url(partner_a), intro.get_absolute_url()]
    expected = {
        None: (302, 302, 302),
        partner_a_user: (403, 403, 200),
        partner_b_user: (403, 403, 404),
        coordinator: (200, 200, 200),
        other_coordinator: (200, 404, 404),
        lead: (403, 403, 200),
        # An observer reads the board and the introductions of the chain, and introduces nobody.
        observer: (200, 403, 200),
    }
    for user, statuses in expected.items():
        client = client_for(user)
        assert tuple(client.get(url).status_code for url in urls) == statuses, user


def test_observer_reads_the_board_and_an_introduction_but_moves_nothing(
    partner_a, partner_b, buyer, chain_a, chain_b, observer
):
    intro = make(partner_a, buyer, chain_a)
    elsewhere = make(partner_b, ParticipationFactory(value_chain=chain_b).partner, chain_b)
    client = client_for(observer)
    board = client.get(BOARD).content.decode()
    assert buyer.name in board and f"intro-{elsewhere.pk}" not in board
    assert reverse("matchmaking:move", args=[intro.pk]) not in board
    page = client.get(intro.get_absolute_url()).content.decode()
    assert "Move it along" not in page and "How is it going?" not in page
    assert client.get(elsewhere.get_absolute_url()).status_code == 404
    response = client.post(
        reverse("matchmaking:move", args=[intro.pk]), {"status": "talking", "note": "x"}
    )
    assert response.status_code == 403
    intro.refresh_from_db()
    assert intro.status == IntroductionStatus.INTRODUCED


def test_introduction_page_queries(
    as_coordinator, partner_a, buyer, chain_a, django_assert_num_queries
):
    intro = make(partner_a, buyer, chain_a)
    for status in ["talking", "trial_order", "trading"]:
        intro.events.create(status=status, note="step")
    # session, user, introduction with both partners and the user's rights, its events = 4
    with django_assert_num_queries(4):
        response = as_coordinator.get(intro.get_absolute_url())
    assert "Move it along" in response.content.decode()
