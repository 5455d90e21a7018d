"""A person's page lists the action items they own: open ones first with the overdue flagged,
done ones folded away and counted, an empty state, and constant queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from convenings.models import ActionItem, Convening, WorkingGroup

pytestmark = pytest.mark.django_db


def person_url(person):
    return reverse("partners:person", args=[person.pk])


@pytest.fixture
def kilns(chain_a, lead):
    return WorkingGroup.objects.create(
        value_chain=chain_a, name="Drying kilns", problem="Bad drying.", lead=lead.person
    )


@pytest.fixture
def review(chain_a, kilns):
    start = timezone.now() - datetime.timedelta(days=3)
    return Convening.objects.create(
        value_chain=chain_a,
        working_group=kilns,
        kind="group_meeting",
        title="Kiln trial review",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        place="Amatola Sawmill boardroom",
    )


def item(owner, chain, *, title, days, status="open", group=None, convening=None):
    return ActionItem.objects.create(
        value_chain=chain,
        working_group=group,
        convening=convening,
        title=title,
        owner=owner,
        due_on=timezone.localdate() + datetime.timedelta(days=days),
        status=status,
    )


def test_open_items_first_with_overdue_flagged_and_done_counted(
    as_coordinator, partner_a_user, chain_a, kilns, review
):
    person = partner_a_user.person
    item(person, chain_a, title="Measure moisture", days=-3, group=kilns)
    item(
        person, chain_a, title="Order kiln sensors", days=5, status="in_progress", convening=review
    )
    item(person, chain_a, title="Book the trial", days=-20, status="done", group=kilns)
    item(person, chain_a, title="Draft grading rules", days=-10, status="done")
    page = as_coordinator.get(person_url(person)).content.decode()
    section = page[page.index('id="person-actions"') :]
    # Open items, soonest due first, the overdue one flagged as on the group's page.
    assert section.index("Measure moisture") < section.index("Order kiln sensors")
    assert '<tr class="overdue"><td><a href="/actions/' in section
    assert section.count('<span class="badge bad">overdue</span>') == 1
    assert '<span class="badge bad">1 overdue</span>' in section
    assert "In progress" in section
    # Their working group and convening, linked.
    assert f'<a href="{kilns.get_absolute_url()}">Drying kilns</a>' in section
    assert f'<a href="{review.get_absolute_url()}">Kiln trial review</a>' in section
    # Done ones folded away after the open ones, with their count.
    assert "<details><summary>Done (2)</summary>" in section
    assert section.index("Order kiln sensors") < section.index("Book the trial")


def test_only_done_items(as_coordinator, partner_a_user, chain_a):
    person = partner_a_user.person
    item(person, chain_a, title="Book the trial", days=-20, status="done")
    page = as_coordinator.get(person_url(person)).content.decode()
    assert "No open action items." in page and "Done (1)" in page
    assert "overdue</span>" not in page


def test_empty_state(as_coordinator, partner_a_user):
    page = as_coordinator.get(person_url(partner_a_user.person)).content.decode()
    assert "No action items." in page and "What Alice agrees to do" in page


def test_the_person_sees_their_own_items(as_partner_a, partner_a_user, chain_a, kilns):
    item(partner_a_user.person, chain_a, title="Measure moisture", days=-3, group=kilns)
    page = as_partner_a.get(person_url(partner_a_user.person)).content.decode()
    assert "Measure moisture" in page and '<tr class="overdue">' in page


def test_timeline_fragment_leaves_the_items_out(as_coordinator, partner_a_user, chain_a, htmx):
    item(partner_a_user.person, chain_a, title="Measure moisture", days=-3)
    response = as_coordinator.get(person_url(partner_a_user.person), **htmx)
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<section id="person-timeline"')
    assert "Measure moisture" not in body


@pytest.mark.parametrize("count", [3, 60])
def test_queries_constant(
    as_coordinator, partner_a_user, chain_a, kilns, review, count, django_assert_num_queries
):
    person = partner_a_user.person
    for i in range(count):
        item(person, chain_a, title=f"Open {i}", days=i - count // 2, group=kilns, convening=review)
        item(person, chain_a, title=f"Done {i}", days=-i, status="done", group=kilns)
    # 1 session, 2 user, 3 the person (with the right to see them), 4 affiliations,
    # 5 the items' counts, 6 open items, 7 done items (with their group and convening),
    # 8 whether their sign-in is locked (django-axes), 9 the record of exports and erasures
    # (privacy), 10 the person's invitations to sign in (with their partner and inviter),
    # 11 the timeline's interactions, 12 the person for the interaction form's choice.
    with django_assert_num_queries(12):
        response = as_coordinator.get(person_url(person))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Done ({count})" in page
    if count > 50:
        assert f"50 of {count} open items shown" in page and "The latest 10 shown." in page


def test_timeline_is_in_the_page_body_not_its_title(as_coordinator, partner_a_user):
    page = as_coordinator.get(person_url(partner_a_user.person)).content.decode()
    title = page[page.index("<title>") : page.index("</title>")]
    assert title == "<title>Alice Mokoena · vcc"
    assert page.index('id="person-actions"') < page.index('<section id="person-timeline">')
