"""Outcome reports from a partner's page, and the dashboard's figures from real rows."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from matchmaking.models import Introduction, IntroductionEvent
from outcomes.dashboard import Scope, figure_funnel
from outcomes.models import OutcomeReport
from partners.models import (
    Commitment,
    Interaction,
    InteractionPartner,
    Participation,
    Relationship,
)

from ..factories import ParticipationFactory, PartnerFactory

pytestmark = pytest.mark.django_db


def report_data(chain, **extra):
    return {
        "value_chain": chain.pk,
        "period_start": "2026-01-01",
        "period_end": "2026-03-31",
        "sales_value": "12500",
        "sales_volume": "40",
        "volume_unit": "m³",
        "jobs_created": "3",
        "jobs_retained": "11",
        "practices_adopted": "Kiln drying\nFSC chain of custody",
        **extra,
    }


def test_partner_reports_outcomes_for_its_own_organisation(as_partner_a, partner_a, chain_a):
    buyer = PartnerFactory(name="Cape Furniture")
    ParticipationFactory(partner=buyer, value_chain=chain_a)
    Relationship.objects.create(source=buyer, target=partner_a, kind="buyer_supplier")
    url = reverse("outcomes:partner", args=[partner_a.pk])
    page = as_partner_a.get(url).content.decode()
    assert "No outcomes reported yet" in page and "Cape Furniture" in page
    response = as_partner_a.post(url, report_data(chain_a, sales_to=buyer.pk))
    assert response.status_code == 302
    report = OutcomeReport.objects.get()
    assert (report.partner, report.sales_to, report.sales_value) == (
        partner_a,
        buyer,
        Decimal("12500"),
    )
    page = as_partner_a.get(url).content.decode()
    assert "Kiln drying" in page and "12,500" in page
    assert partner_a.changes.filter(summary__startswith="Reported outcomes").exists()


def test_bad_report_keeps_what_was_typed(as_partner_a, partner_a, chain_a):
    url = reverse("outcomes:partner", args=[partner_a.pk])
    data = report_data(chain_a, period_end="2025-12-01", volume_unit="", sales_value="lots")
    response = as_partner_a.post(url, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "The period ends before it starts" in page
    assert "Enter a number" in page
    assert "Kiln drying" in page  # nothing lost
    assert OutcomeReport.objects.count() == 0


def test_one_report_per_period(as_partner_a, partner_a, chain_a):
    url = reverse("outcomes:partner", args=[partner_a.pk])
    as_partner_a.post(url, report_data(chain_a))
    response = as_partner_a.post(url, report_data(chain_a))
    assert "already a report for this period" in response.content.decode()


def test_partner_cannot_report_for_a_chain_it_is_not_in(as_partner_a, partner_a, chain_b):
    url = reverse("outcomes:partner", args=[partner_a.pk])
    response = as_partner_a.post(url, report_data(chain_b))
    assert response.status_code == 400
    assert OutcomeReport.objects.count() == 0


def test_partner_edits_its_report(as_partner_a, partner_a, chain_a):
    as_partner_a.post(reverse("outcomes:partner", args=[partner_a.pk]), report_data(chain_a))
    report = OutcomeReport.objects.get()
    url = reverse("outcomes:edit_report", args=[partner_a.pk, report.pk])
    page = as_partner_a.get(url).content.decode()
    assert "Edit outcomes for 1 Jan 2026 – 31 Mar 2026" in page and "Kiln drying" in page
    assert as_partner_a.get(url, HTTP_HX_REQUEST="true").status_code == 200
    response = as_partner_a.post(url, report_data(chain_a, sales_value="14000", jobs_created="4"))
    assert response.status_code == 302
    assert response["Location"] == reverse("outcomes:partner", args=[partner_a.pk])
    report.refresh_from_db()
    assert (report.sales_value, report.jobs_created) == (Decimal("14000"), 4)
    assert OutcomeReport.objects.count() == 1
    assert partner_a.changes.filter(summary__startswith="Updated outcomes").exists()


def test_bad_edit_shows_errors_beside_the_fields_and_changes_nothing(
    as_partner_a, partner_a, chain_a
):
    as_partner_a.post(reverse("outcomes:partner", args=[partner_a.pk]), report_data(chain_a))
    as_partner_a.post(
        reverse("outcomes:partner", args=[partner_a.pk]),
        report_data(chain_a, period_start="2026-04-01", period_end="2026-06-30"),
    )
    first = OutcomeReport.objects.get(period_start=datetime.date(2026, 1, 1))
    url = reverse("outcomes:edit_report", args=[partner_a.pk, first.pk])
    response = as_partner_a.post(url, report_data(chain_a, period_end="2025-01-01"))
    assert response.status_code == 400
    assert "The period ends before it starts" in response.content.decode()
    # Moving it onto the other report's period is refused, not a database error.
    response = as_partner_a.post(
        url, report_data(chain_a, period_start="2026-04-01", period_end="2026-06-30")
    )
    assert response.status_code == 400
    assert "already a report for this period" in response.content.decode()
    first.refresh_from_db()
    assert first.period_end == datetime.date(2026, 3, 31)


def test_coordinator_edits_and_deletes_a_report_in_their_chain(as_coordinator, partner_a, chain_a):
    report = OutcomeReport.objects.create(
        partner=partner_a,
        value_chain=chain_a,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
    )
    edit = reverse("outcomes:edit_report", args=[partner_a.pk, report.pk])
    response = as_coordinator.post(edit, report_data(chain_a, jobs_created="7"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.jobs_created == 7
    page = as_coordinator.get(reverse("outcomes:partner", args=[partner_a.pk])).content.decode()
    assert edit in page
    delete = reverse("outcomes:delete_report", args=[partner_a.pk, report.pk])
    assert delete in page
    # The link asks first: the GET is a question and removes nothing.
    page = as_coordinator.get(delete).content.decode()
    assert "Delete this outcome report?" in page
    assert OutcomeReport.objects.filter(pk=report.pk).exists()
    response = as_coordinator.post(delete)
    assert response.status_code == 302
    assert not OutcomeReport.objects.filter(pk=report.pk).exists()
    assert partner_a.changes.filter(summary__startswith="Removed outcomes").exists()


def test_partner_deletes_its_report(as_partner_a, partner_a, chain_a, htmx):
    as_partner_a.post(reverse("outcomes:partner", args=[partner_a.pk]), report_data(chain_a))
    report = OutcomeReport.objects.get()
    delete = reverse("outcomes:delete_report", args=[partner_a.pk, report.pk])
    response = as_partner_a.post(delete, **htmx)
    assert response.status_code == 302
    assert OutcomeReport.objects.count() == 0
    assert as_partner_a.post(delete).status_code == 404  # gone, not a 500


def test_coordinator_of_another_chain_cannot_touch_a_report_outside_it(
    client, other_coordinator, partner_a, chain_a, chain_b
):
    """Partner A is in both chains; the coordinator of B sees A, but not A's report in A."""
    ParticipationFactory(partner=partner_a, value_chain=chain_b)
    report = OutcomeReport.objects.create(
        partner=partner_a,
        value_chain=chain_a,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
    )
    client.force_login(other_coordinator)
    page = client.get(reverse("outcomes:partner", args=[partner_a.pk])).content.decode()
    assert "No outcomes reported yet" in page
    edit = reverse("outcomes:edit_report", args=[partner_a.pk, report.pk])
    delete = reverse("outcomes:delete_report", args=[partner_a.pk, report.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, report_data(chain_b)).status_code == 404
    assert client.post(delete).status_code == 404
    assert OutcomeReport.objects.filter(pk=report.pk, value_chain=chain_a).exists()


def make_activity(chain, n, coordinator):
    """n partners in the chain with outcomes, introductions, relationships, TA, commitments."""
    partners = [PartnerFactory() for _ in range(n)]
    for i, p in enumerate(partners):
        Participation.objects.create(
            partner=p,
            value_chain=chain,
            chain_role="producer",
            status=["prospect", "engaged", "committed"][i % 3],
            status_changed_on=datetime.date(2026, 1 + (i % 9), 5),
        )
        OutcomeReport.objects.create(
            partner=p,
            value_chain=chain,
            period_start=datetime.date(2026, 1 + 3 * (i % 3), 1),
            period_end=datetime.date(2026, 3 + 3 * (i % 3), 28),
            sales_value=Decimal(1000),
            jobs_created=1,
            jobs_retained=2,
        )
        Commitment.objects.create(
            value_chain=chain,
            partner=p,
            description="Deliver",
            due_on=datetime.date(2026, 6, 1),
            status="kept" if i % 2 else "missed",
        )
        interaction = Interaction.objects.create(
            kind="technical_assistance",
            topic="Grading",
            hours=Decimal("2.5"),
            occurred_on=datetime.date(2026, 2, 1),
        )
        InteractionPartner.objects.create(
            interaction=interaction, partner=p, occurred_on=interaction.occurred_on
        )
    for a, b in zip(partners, partners[1:], strict=False):
        Relationship.objects.create(
            source=a, target=b, kind="buyer_supplier", began_on=datetime.date(2026, 4, 2)
        )
        intro = Introduction.objects.create(
            value_chain=chain, partner_a=a, partner_b=b, reason="fit", status="trading"
        )
        IntroductionEvent.objects.create(introduction=intro, status="introduced")
    return partners


def test_dashboard_figures(as_coordinator, coordinator, chain_a):
    make_activity(chain_a, 6, coordinator)
    page = as_coordinator.get(reverse("outcomes:dashboard")).content.decode()
    assert "100% of the 5 introductions made reached trading" in page
    assert "6,000 in sales reported" in page
    assert "6 jobs created and 12 retained" in page
    assert "3 of 6 commitments due were kept (50%)" in page
    assert "5 new relationships between partners" in page
    assert "15.0 hours in 6 sessions" in page
    assert "2026 Q2" in page and "<svg" in page


def test_figures_fold_days_into_quarters(chain_a, partner_a, partner_b):
    """Rows grouped by day in SQL make one bar per quarter, in order, sums added up."""
    from outcomes.dashboard import figure_jobs, figure_sales

    for partner, start, value in [
        (partner_a, datetime.date(2026, 5, 1), 300),
        (partner_a, datetime.date(2026, 1, 1), 100),
        (partner_b, datetime.date(2026, 2, 15), 50),
    ]:
        OutcomeReport.objects.create(
            partner=partner,
            value_chain=chain_a,
            period_start=start,
            period_end=start + datetime.timedelta(days=30),
            sales_value=Decimal(value),
            jobs_created=1,
        )
    scope = Scope((chain_a.pk,))
    sales = figure_sales(scope)
    assert sales.csv_rows == [
        ["2026 Q1", "reported", "150.00", 2],
        ["2026 Q2", "reported", "300.00", 1],
    ]
    assert figure_jobs(scope).csv_rows == [["2026 Q1", 2, 0], ["2026 Q2", 1, 0]]


def test_funnel_counts_introductions_that_went_past_a_step(chain_a, partner_a, partner_b):
    other = PartnerFactory()
    declined = Introduction.objects.create(
        value_chain=chain_a, partner_a=partner_a, partner_b=other, reason="x", status="declined"
    )
    IntroductionEvent.objects.create(introduction=declined, status="introduced")
    IntroductionEvent.objects.create(introduction=declined, status="talking")
    Introduction.objects.create(
        value_chain=chain_a, partner_a=partner_b, partner_b=other, reason="y", status="introduced"
    )
    figure = figure_funnel(Scope((chain_a.pk,)))
    assert [(b.label, b.value) for b in figure.bars] == [
        ("Proposed", 2),
        ("Introduced", 2),
        ("Talking", 1),
        ("Trial order", 0),
        ("Trading", 0),
    ]
    assert figure.csv_rows[2] == ["Talking", 1, "50%"]


def test_dashboard_chain_and_date_filters(as_coordinator, coordinator, chain_a, chain_b):
    chain_b.coordinators.add(coordinator)
    make_activity(chain_a, 3, coordinator)
    make_activity(chain_b, 4, coordinator)
    url = reverse("outcomes:dashboard")
    assert "7,000 in sales" in as_coordinator.get(url).content.decode()
    assert "3,000 in sales" in as_coordinator.get(url, {"chain": chain_a.pk}).content.decode()
    page = as_coordinator.get(url, {"start": "2026-04-01", "end": "2026-06-30"}).content.decode()
    assert "2,000 in sales" in page  # the reports starting in Q2 only
    bad = as_coordinator.get(url, {"start": "2026-06-01", "end": "2026-01-01"}).content.decode()
    assert "The end is before the start" in bad


def test_other_coordinators_chain_is_not_in_their_figures(client, other_coordinator, chain_a):
    make_activity(chain_a, 3, None)
    client.force_login(other_coordinator)
    page = client.get(reverse("outcomes:dashboard"), {"chain": chain_a.pk}).content.decode()
    assert "3,000" not in page
    assert "No sales reported" in page


def test_figure_csv(as_coordinator, coordinator, chain_a):
    make_activity(chain_a, 3, coordinator)
    response = as_coordinator.get(reverse("outcomes:figure_csv", args=["sales"]))
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "quarter,source,sales value,reports or introductions"
    assert lines[1:] == [
        "2026 Q1,reported,1000.00,1",
        "2026 Q2,reported,1000.00,1",
        "2026 Q3,reported,1000.00,1",
    ]


def test_printable_report(as_coordinator, coordinator, chain_a):
    make_activity(chain_a, 2, coordinator)
    page = as_coordinator.get(reverse("outcomes:report"), {"chain": chain_a.pk}).content
    page = page.decode()
    assert "Outcomes report: Saligna Hardwood" in page
    assert "Print or save as PDF" in page
    assert "Numbers as CSV" not in page


def test_dashboard_queries_do_not_grow(
    as_coordinator, coordinator, chain_a, django_assert_num_queries
):
    for n in (3, 30):
        make_activity(chain_a, n, coordinator)
        # session, user, chain ids, filter choices, then one query per figure (8: sales and
        # jobs share one), and the trading introductions' sales
        with django_assert_num_queries(13):
            response = as_coordinator.get(reverse("outcomes:dashboard"))
        assert response.status_code == 200


def test_convenings_and_action_items_figures(as_coordinator, coordinator, chain_a, partner_a):
    from convenings.models import ActionItem, ActionUpdate, Convening, Invitee
    from tests.factories import PersonFactory

    now = timezone.now()
    people = [PersonFactory() for _ in range(4)]
    held = Convening.objects.create(
        value_chain=chain_a,
        kind="workshop",
        title="Kiln workshop",
        starts_at=now - datetime.timedelta(days=10),
        ends_at=now - datetime.timedelta(days=10, hours=-2),
        place="Mthatha",
    )
    for i, person in enumerate(people):
        Invitee.objects.create(convening=held, person=person, attended=i < 3)
    Convening.objects.create(  # not held yet: not counted
        value_chain=chain_a,
        kind="webinar",
        title="Next month",
        starts_at=now + datetime.timedelta(days=30),
        ends_at=now + datetime.timedelta(days=30, hours=1),
        online_link="https://meet.example/x",
    )
    today = timezone.localdate()

    def item(title, due_days_ago, status="open", done_days_ago=None):
        action = ActionItem.objects.create(
            value_chain=chain_a,
            title=title,
            owner=people[0],
            due_on=today - datetime.timedelta(days=due_days_ago),
            status=status,
        )
        if done_days_ago is not None:
            ActionUpdate.objects.create(
                item=action, status="done", at=now - datetime.timedelta(days=done_days_ago)
            )

    item("On time", due_days_ago=5, status="done", done_days_ago=7)
    item("Late", due_days_ago=5, status="done", done_days_ago=1)
    item("Overdue", due_days_ago=2)
    item("Not due yet", due_days_ago=-5)
    page = as_coordinator.get(reverse("outcomes:dashboard")).content.decode()
    assert "1 convening held; 3 of 4 people invited came (75%)." in page
    assert "1 of 3 action items due were done on time (33%)." in page


def test_negative_sales_are_refused_beside_the_field(as_partner_a, partner_a, chain_a):
    """A negative value or volume gets the field's own message, not the database
    constraint's name at the top of the form."""
    url = reverse("outcomes:partner", args=[partner_a.pk])
    response = as_partner_a.post(url, report_data(chain_a, sales_value="-5", sales_volume="-1"))
    page = response.content.decode()
    assert response.status_code == 400
    assert page.count("Ensure this value is greater than or equal to 0") == 2
    assert "Constraint" not in page
    assert OutcomeReport.objects.count() == 0
