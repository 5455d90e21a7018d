"""Money shows in its chain's currency with thousands separators wherever sales show: an
introduction's outcome, its card on the board, a partner's outcome reports, the dashboard."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from matchmaking.models import Introduction
from outcomes.models import OutcomeReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def trading(chain_a, partner_a, partner_b):
    return Introduction.objects.create(
        value_chain=chain_a,
        partner_a=partner_a,
        partner_b=partner_b,
        reason="fit",
        status="trading",
        annual_sales_value=Decimal("1800000"),
    )


def _report(partner, chain, value):
    return OutcomeReport.objects.create(
        partner=partner,
        value_chain=chain,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
        sales_value=Decimal(value),
    )


def test_introduction_and_board_show_rand(as_coordinator, trading):
    page = as_coordinator.get(reverse("matchmaking:introduction", args=[trading.pk]))
    assert "R 1,800,000.00</strong> a year" in page.content.decode()
    board = as_coordinator.get(reverse("matchmaking:board")).content.decode()
    assert "R 1,800,000 / yr" in board


def test_board_follows_the_chains_currency(as_coordinator, chain_a, trading):
    chain_a.currency = "USD"
    chain_a.save()
    assert "$ 1,800,000 / yr" in as_coordinator.get(reverse("matchmaking:board")).content.decode()


def test_partner_outcomes_show_currency(as_coordinator, chain_a, partner_a):
    _report(partner_a, chain_a, "12500")
    page = as_coordinator.get(reverse("outcomes:partner", args=[partner_a.pk])).content.decode()
    assert "R 12,500.00" in page


def test_dashboard_sales_in_the_chains_currency(as_coordinator, chain_a, partner_a):
    _report(partner_a, chain_a, "1800000")
    page = as_coordinator.get(reverse("outcomes:dashboard")).content.decode()
    assert "R 1,800,000 in sales reported" in page


def test_dashboard_of_chains_in_two_currencies_shows_no_sign(
    as_coordinator, coordinator, chain_a, chain_b, partner_a, partner_b
):
    chain_b.currency = "USD"
    chain_b.save()
    chain_b.coordinators.add(coordinator)
    _report(partner_a, chain_a, "1000")
    _report(partner_b, chain_b, "500")
    page = as_coordinator.get(reverse("outcomes:dashboard")).content.decode()
    assert "1,500 in sales reported" in page and "R 1,500" not in page
    one = as_coordinator.get(reverse("outcomes:dashboard"), {"chain": chain_b.pk})
    assert "$ 500 in sales reported" in one.content.decode()
