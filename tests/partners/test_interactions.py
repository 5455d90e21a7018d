"""Interactions: quick-log from a partner's or person's page, and the timelines."""

import datetime

import pytest
from django.urls import reverse

from partners.models import Interaction, InteractionPartner, Visibility
from tests.factories import AffiliationFactory

pytestmark = pytest.mark.django_db


def log_url(partner):
    return reverse("partners:log_interaction", args=[partner.pk])


def timeline_url(partner):
    return reverse("partners:detail", args=[partner.pk]) + "?tab=timeline"


def make_interaction(partner, user, *, topic, visibility=Visibility.SHARED, days_ago=0):
    when = datetime.date.today() - datetime.timedelta(days=days_ago)
    interaction = Interaction.objects.create(
        kind="call",
        topic=topic,
        occurred_on=when,
        visibility=visibility,
        logged_by=user,
        notes=f"notes about {topic}",
    )
    InteractionPartner.objects.create(interaction=interaction, partner=partner, occurred_on=when)
    return interaction


def test_quick_log_with_htmx_updates_the_timeline(as_coordinator, partner_a, coordinator, htmx):
    person = AffiliationFactory(partner=partner_a).person
    response = as_coordinator.post(
        log_url(partner_a),
        {
            "kind": "site_visit",
            "occurred_on": "2026-11-20",
            "topic": "Kiln inspection",
            "people": [person.pk],
            "hours": "2.5",
            "visibility": "coordinators",
            "notes": "Moisture readings too high",
        },
        **htmx,
    )
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<section id="tab"')
    assert "Kiln inspection" in body and "2.5 h" in body
    interaction = Interaction.objects.get()
    assert interaction.logged_by == coordinator
    assert list(interaction.partners.all()) == [partner_a]
    assert list(interaction.people.all()) == [person]


def test_quick_log_errors_beside_fields(as_coordinator, partner_a, htmx):
    response = as_coordinator.post(
        log_url(partner_a),
        {
            "kind": "call",
            "occurred_on": "2026-11-20",
            "topic": "",
            "hours": "-1",
            "visibility": "shared",
            "follow_up_on": "2026-11-01",
        },
        **htmx,
    )
    form = response.context["interaction_form"]
    assert set(form.errors) == {"topic", "hours", "follow_up_on"}
    assert "The follow-up must be on or after the interaction." in response.content.decode()
    assert not Interaction.objects.exists()


def test_plain_post_redirects_to_timeline(as_coordinator, partner_a):
    response = as_coordinator.post(
        log_url(partner_a),
        {
            "kind": "email",
            "occurred_on": "2026-11-21",
            "topic": "Price list",
            "visibility": "shared",
        },
    )
    assert response["Location"] == timeline_url(partner_a)


def test_logging_moves_the_last_contact_forward_never_back(as_coordinator, partner_a):
    def log(day):
        data = {"kind": "call", "occurred_on": day, "topic": "Prices", "visibility": "shared"}
        as_coordinator.post(log_url(partner_a), data)
        partner_a.refresh_from_db()
        return partner_a.last_contacted_on.isoformat()

    assert partner_a.last_contacted_on is None
    assert log("2026-10-02") == "2026-10-02"
    assert log("2026-09-01") == "2026-10-02"  # logged late, for an earlier day
    assert log("2026-11-20") == "2026-11-20"


def test_timeline_newest_first_and_paged(as_coordinator, partner_a, coordinator):
    for days in range(25):
        make_interaction(partner_a, coordinator, topic=f"t{days}", days_ago=days)
    first = as_coordinator.get(timeline_url(partner_a)).context["timeline"]
    assert [r.topic for r in first.rows][:3] == ["t0", "t1", "t2"]
    assert len(first.rows) == 20 and first.next_cursor
    second = as_coordinator.get(timeline_url(partner_a) + f"&cursor={first.next_cursor}")
    assert [r.topic for r in second.context["timeline"].rows] == [
        "t20",
        "t21",
        "t22",
        "t23",
        "t24",
    ]


def test_partner_never_sees_coordinator_only_notes(as_partner_a, partner_a, coordinator):
    make_interaction(partner_a, coordinator, topic="Shared visit")
    make_interaction(
        partner_a, coordinator, topic="Secret pricing worry", visibility=Visibility.COORDINATORS
    )
    body = as_partner_a.get(timeline_url(partner_a)).content.decode()
    assert "Shared visit" in body
    assert "Secret pricing worry" not in body and "notes about Secret" not in body
    assert "Log an interaction" not in body  # partners do not log interactions


def test_partner_cannot_log(as_partner_a, partner_a):
    response = as_partner_a.post(log_url(partner_a), {"kind": "call", "topic": "x"})
    assert response.status_code == 403
    assert not Interaction.objects.exists()


def test_other_coordinator_cannot_log(other_coordinator, partner_a):
    from tests.conftest import client_for

    response = client_for(other_coordinator).post(log_url(partner_a), {"kind": "call"})
    assert response.status_code == 404


@pytest.mark.parametrize("count", [3, 20])
def test_timeline_queries_constant(
    as_coordinator, partner_a, coordinator, count, django_assert_num_queries
):
    for days in range(count):
        make_interaction(partner_a, coordinator, topic=f"t{days}", days_ago=days)
    # session, user, partner, page of interactions with their loggers, partners of the
    # page, people of the page, people for the quick-log form = 7
    with django_assert_num_queries(7):
        as_coordinator.get(timeline_url(partner_a))


def test_person_page_quick_log_and_timeline(as_coordinator, partner_a):
    person = AffiliationFactory(partner=partner_a).person
    url = reverse("partners:person_log_interaction", args=[person.pk])
    response = as_coordinator.post(
        url,
        {
            "kind": "meeting",
            "occurred_on": "2026-11-22",
            "topic": "Grading workshop",
            "people": [person.pk],
            "visibility": "shared",
        },
    )
    assert response.status_code == 302
    interaction = Interaction.objects.get()
    assert list(interaction.partners.all()) == [partner_a]
    page = as_coordinator.get(reverse("partners:person", args=[person.pk])).content.decode()
    assert "Grading workshop" in page
    partner_timeline = as_coordinator.get(timeline_url(partner_a)).content.decode()
    assert "Grading workshop" in partner_timeline
