"""My day: the coordinator's home page. What each section shows and links to, what an empty
one says, who may see it, and a query count that does not grow with the data."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from convenings.models import ActionItem, Convening
from followups.models import MyDayVisit, Task
from matchmaking.models import Introduction, Suggestion
from partners.models import CommitmentStatus
from tests.conftest import client_for
from tests.factories import (
    CommitmentFactory,
    NeedFactory,
    OfferFactory,
    ParticipationFactory,
    PartnerFactory,
    PersonFactory,
    UserFactory,
)

from .conftest import make_task


def _add_activity(chain, coordinator, n: int, label: str = "") -> None:
    """n of everything My day shows, in `chain`: tasks due, stalled introductions,
    commitments due and missed, overdue action items, convenings this week, suggestions."""
    today = timezone.localdate()
    now = timezone.now()
    person = PersonFactory(first_name="Thandi")
    for i in range(n):
        a = ParticipationFactory(partner=PartnerFactory(name=f"Mill {label}{i}"), value_chain=chain)
        b = ParticipationFactory(partner=PartnerFactory(name=f"Shop {label}{i}"), value_chain=chain)
        make_task(
            chain,
            coordinator,
            title=f"Call {label}{i}",
            due_on=today - datetime.timedelta(days=i % 3),
            partner=a.partner,
        )
        Introduction.objects.create(
            value_chain=chain,
            partner_a=a.partner,
            partner_b=b.partner,
            reason="Boards",
            status="talking",
            status_changed_at=now - datetime.timedelta(days=60 + i),
        )
        CommitmentFactory(
            value_chain=chain,
            partner=a.partner,
            description=f"Deliver boards {label}{i}",
            due_on=today + datetime.timedelta(days=(i % 20) - 5),
            status=CommitmentStatus.ACTIVE,
        )
        ActionItem.objects.create(
            value_chain=chain,
            title=f"Send the kiln report {label}{i}",
            owner=person,
            due_on=today - datetime.timedelta(days=1 + i),
        )
        start = now + datetime.timedelta(days=1 + i % 5)
        Convening.objects.create(
            value_chain=chain,
            kind="workshop",
            title=f"Buyers' meeting {label}{i}",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            place="The mill",
        )
        need = NeedFactory(partner=b.partner)
        offer = OfferFactory(partner=a.partner, product=need.product)
        Suggestion.objects.create(
            value_chain=chain,
            need=need,
            offer=offer,
            buyer=b.partner,
            supplier=a.partner,
            rank=1,
            score=0.8,
            product_fit=1,
            season=1,
            volume=1,
            certifications=1,
            distance=1,
            values=0.5,
            overlap_months=12,
            available_volume=100,
            committed_volume=0,
            computed_at=now,
        )


# --- who sees it -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "url", "expected"),
    [
        ("anonymous", "/", 302),
        ("anonymous", "/my-day/", 302),
        ("partner_a", "/", 302),  # to their own organisation
        ("partner_a", "/my-day/", 403),
        ("other_coordinator", "/", 200),
        ("coordinator", "/", 200),
        ("coordinator", "/my-day/", 200),
    ],
)
def test_my_day_per_role(role_users, role, url, expected):
    response = client_for(role_users[role]).get(url)
    assert response.status_code == expected
    if role == "partner_a" and url == "/":
        assert response["Location"] == reverse("partners:my_organisation")
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_coordinator_of_another_chain_sees_none_of_it(chain_a, coordinator, other_coordinator):
    _add_activity(chain_a, coordinator, 2)
    page = client_for(other_coordinator).get("/").content.decode()
    for text in ("Call 0", "Mill 0 ↔ Shop 0", "Deliver boards 0", "Send the kiln report 0"):
        assert text not in page
    assert "Buyers&#x27; meeting 0" not in page and "Mill 0 → Shop 0" not in page


def test_superuser_sees_every_chain(chain_a, coordinator):
    _add_activity(chain_a, coordinator, 1)
    root = UserFactory(username="root@example.org", is_staff=True, is_superuser=True)
    page = client_for(root).get("/").content.decode()
    assert "Mill 0 ↔ Shop 0" in page and "Send the kiln report 0" in page


# --- what it shows ---------------------------------------------------------------------------


def test_each_section_lists_and_links(as_coordinator, chain_a, coordinator):
    _add_activity(chain_a, coordinator, 2)
    page = as_coordinator.get("/").content.decode()
    task = Task.objects.get(title="Call 0")
    introduction = Introduction.objects.get(partner_a__name="Mill 0")
    action = ActionItem.objects.get(title="Send the kiln report 0")
    convening = Convening.objects.get(title="Buyers' meeting 0")
    suggestion = Suggestion.objects.get(supplier__name="Mill 0")
    assert reverse("followups:task_done", args=[task.pk]) in page
    assert f'href="{introduction.get_absolute_url()}"' in page
    assert "Deliver boards 0" in page and "missed" in page  # due five days ago
    assert f'href="{action.get_absolute_url()}"' in page
    assert f'href="{convening.get_absolute_url()}"' in page
    assert reverse("matchmaking:need_suggestions", args=[suggestion.need_id]) in page
    for title in (
        "Your tasks due",
        "Stalled introductions",
        "Commitments due or missed",
        "Overdue action items",
        "Convenings this week",
        "New suggestions",
    ):
        assert title in page


def test_not_listed_what_is_not_due(as_coordinator, chain_a, coordinator, partner_a):
    today = timezone.localdate()
    make_task(chain_a, coordinator, title="Next month", due_on=today + datetime.timedelta(30))
    done = make_task(chain_a, coordinator, title="Done already")
    Task.objects.filter(pk=done.pk).update(done_at=timezone.now())
    co = UserFactory(username="co@example.org", coordinator=True)
    chain_a.coordinators.add(co)
    make_task(chain_a, co, title="A colleague's call")
    CommitmentFactory(
        value_chain=chain_a,
        partner=partner_a,
        description="Far ahead",
        due_on=today + datetime.timedelta(20),
    )
    page = as_coordinator.get("/").content.decode()
    for text in ("Next month", "Done already", "A colleague", "Far ahead"):
        assert text not in page


def test_empty_sections_say_what_they_mean(as_coordinator):
    page = as_coordinator.get("/").content.decode()
    assert "Nothing due today or overdue." in page
    assert "No introduction has waited more than 30 days" in page
    assert "No open commitment is due in the next 14 days" in page
    assert "Every working group&#x27;s action items are on time." in page
    assert "No convening in the next 7 days." in page
    assert "No new match suggestion since your last visit." in page


def test_newcomer_without_a_chain_is_told_to_create_one(db):
    newcomer = client_for(UserFactory(username="new@example.org", coordinator=True))
    page = newcomer.get("/").content.decode()
    assert "Create your first value chain" in page
    assert reverse("partners:chain_create") in page
    assert 'id="quick-add"' not in page


def test_sections_are_capped_with_see_all(as_coordinator, chain_a, coordinator):
    _add_activity(chain_a, coordinator, 12)
    page = as_coordinator.get("/").content.decode()
    assert page.count('class="task-title"') == 10
    assert f'href="{reverse("followups:tasks")}">See all 12' in page
    assert "Send the kiln report 11" not in page.split("Overdue action items")[0]


def test_new_suggestions_are_those_since_the_last_visit(as_coordinator, chain_a, coordinator):
    _add_activity(chain_a, coordinator, 2)
    assert "Mill 0 → Shop 0" in as_coordinator.get("/").content.decode()  # a first visit
    now = timezone.now()
    # The last visit was an hour ago: one suggestion was computed before it, one after.
    Suggestion.objects.filter(supplier__name="Mill 0").update(
        computed_at=now - datetime.timedelta(hours=2)
    )
    Suggestion.objects.filter(supplier__name="Mill 1").update(
        computed_at=now - datetime.timedelta(minutes=30)
    )
    MyDayVisit.objects.update(seen_at=now - datetime.timedelta(hours=1))
    page = as_coordinator.get("/").content.decode()
    assert "Mill 1 → Shop 1" in page and "Mill 0 → Shop 0" not in page
    # Reloading within the visit keeps showing what was new when it began.
    assert "Mill 1 → Shop 1" in as_coordinator.get("/").content.decode()


# --- queries ---------------------------------------------------------------------------------


def test_my_day_queries_do_not_grow(
    as_coordinator, chain_a, coordinator, django_assert_num_queries
):
    _add_activity(chain_a, coordinator, 2, "a")
    as_coordinator.get("/")  # the first visit creates its row
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    MyDayVisit.objects.update(seen_at=an_hour_ago)
    # session, user, the visit (read, and update: a new visit), the chains (ids and names,
    # also the quick form's choices), the capped counts of every section in one query, then
    # one query per section: tasks, stalled introductions (two: the first ids by status, then
    # their rows), commitments, action items, convenings, suggestions; and the captured email
    # waiting for review (capture's section: its rows, counted from them when fewer than 10)
    with django_assert_num_queries(14):
        as_coordinator.get("/")
    _add_activity(chain_a, coordinator, 25, "b")
    MyDayVisit.objects.update(seen_at=an_hour_ago)
    with django_assert_num_queries(14):
        response = as_coordinator.get("/")
    assert response.content.decode().count('class="task-title"') == 10


def test_a_later_app_adds_a_section(as_coordinator, settings):
    """vcc.hooks.MY_DAY_SECTIONS: e.g. the capture app's emails waiting for review."""
    from vcc import hooks

    def context(request, chain_ids):
        return {
            "rows": ["An email from thandi@example.org"],
            "count": 1,
            "see_all": "/captured/",
            "empty": "No email waits for review.",
        }

    hooks.register(
        hooks.MY_DAY_SECTIONS,
        hooks.PageSection("review", "Emails to review", "followups/_section_head.html", context),
    )
    try:
        page = as_coordinator.get("/").content.decode()
    finally:
        hooks.MY_DAY_SECTIONS.pop("review")
    assert "Emails to review" in page
