"""Tasks: create (from My day and from the pages of what they are about), edit, done in one
click and undone, the list and its filters, and who may do each."""

import datetime

import pytest
from django.db import IntegrityError
from django.urls import reverse

from followups.models import Task
from tests.conftest import client_for
from tests.factories import AffiliationFactory, PersonFactory, UserFactory

from .conftest import make_task

# --- who may do what -------------------------------------------------------------------------

ROLES_READ = [
    ("anonymous", 302),
    ("partner_a", 403),
    ("other_coordinator", 404),
    ("coordinator", 200),
]


@pytest.mark.parametrize(("role", "expected"), ROLES_READ)
def test_task_edit_page_per_role(role_users, task, role, expected):
    response = client_for(role_users[role]).get(reverse("followups:task_edit", args=[task.pk]))
    assert response.status_code == expected


@pytest.mark.parametrize(("role", "expected"), ROLES_READ)
def test_task_done_per_role(role_users, task, role, expected):
    response = client_for(role_users[role]).post(reverse("followups:task_done", args=[task.pk]))
    task.refresh_from_db()
    assert task.is_done == (expected == 200)
    assert response.status_code == (302 if expected == 200 else expected)


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("partner_a", 403), ("other_coordinator", 200), ("coordinator", 200)],
)
def test_task_list_and_form_per_role(role_users, role, expected):
    client = client_for(role_users[role])
    assert client.get(reverse("followups:tasks")).status_code == expected
    assert client.get(reverse("followups:task_create")).status_code == expected


def test_superuser_reaches_any_task(task, other_task):
    admin = client_for(UserFactory(username="root@example.org", is_staff=True, is_superuser=True))
    assert admin.get(reverse("followups:task_edit", args=[other_task.pk])).status_code == 200


def test_other_chains_task_is_not_listed(as_coordinator, task, other_task):
    page = as_coordinator.get(reverse("followups:tasks") + "?who=chain").content.decode()
    assert task.title in page and other_task.title not in page


@pytest.mark.parametrize("missing", ["987654321", "99999999999999999999", "abc"])
def test_create_about_a_missing_thing_is_404(as_coordinator, missing):
    url = reverse("followups:task_create") + f"?partner={missing}"
    assert as_coordinator.get(url).status_code == 404


def test_create_about_another_chains_partner_is_404(as_coordinator, partner_b):
    url = reverse("followups:task_create") + f"?partner={partner_b.pk}"
    assert as_coordinator.get(url).status_code == 404
    assert as_coordinator.post(url, {"title": "x"}).status_code == 404
    assert not Task.objects.exists()


# --- the data keeps its rules ----------------------------------------------------------------


def test_a_task_is_about_one_thing_at_most(chain_a, coordinator, partner_a, convening):
    with pytest.raises(IntegrityError):
        make_task(chain_a, coordinator, partner=partner_a, convening=convening)


# --- create ----------------------------------------------------------------------------------


def _values(chain, user, **extra):
    return {
        "title": "Call Thandi about the trial order",
        "due_on": "2026-12-11",
        "value_chain": chain.pk,
        "assignee": user.pk,
        "notes": "",
        **extra,
    }


def test_quick_add_from_my_day_with_htmx(as_coordinator, coordinator, chain_a, htmx):
    # As My day's small form posts: for oneself, no assignee field.
    values = {"quick": "1", "title": "Call Thandi about the trial order"}
    values.update(due_on="2026-12-11", value_chain=chain_a.pk)
    response = as_coordinator.post(reverse("followups:task_create"), values, **htmx)
    assert response.status_code == 200 and response["HX-Redirect"] == reverse("home")
    task = Task.objects.get()
    assert (task.title, task.due_on, task.assignee, task.value_chain) == (
        "Call Thandi about the trial order",
        datetime.date(2026, 12, 11),
        coordinator,
        chain_a,
    )
    assert task.about is None


def test_quick_add_errors_beside_the_field_and_nothing_lost(
    as_coordinator, coordinator, chain_a, htmx
):
    values = {"quick": "1", "title": "Ring the packhouse", "due_on": "", "value_chain": chain_a.pk}
    response = as_coordinator.post(reverse("followups:task_create"), values, **htmx)
    page = response.content.decode()
    assert response.status_code == 200 and 'id="quick-add"' in page
    assert "This field is required" in page and 'value="Ring the packhouse"' in page
    assert not Task.objects.exists()


def test_title_is_limited(as_coordinator, coordinator, chain_a):
    response = as_coordinator.post(
        reverse("followups:task_create"), _values(chain_a, coordinator, title="x" * 201)
    )
    assert "at most 200 characters" in response.content.decode()
    assert not Task.objects.exists()


def test_assignee_is_one_of_the_chains_coordinators(
    as_coordinator, coordinator, chain_a, other_coordinator
):
    response = as_coordinator.post(
        reverse("followups:task_create"), _values(chain_a, other_coordinator)
    )
    assert "Select a valid choice" in response.content.decode()
    co = UserFactory(username="co@example.org", coordinator=True, first_name="Sipho")
    chain_a.coordinators.add(co)
    form = as_coordinator.get(reverse("followups:task_create")).content.decode()
    assert "Sipho" in form and "other@example.org" not in form
    as_coordinator.post(reverse("followups:task_create"), _values(chain_a, co))
    assert Task.objects.get().assignee == co


def test_assigned_to_someone_who_left_the_chain(as_coordinator, coordinator, chain_a, chain_b):
    chain_b.coordinators.add(coordinator)
    co = UserFactory(username="co@example.org", coordinator=True)
    chain_b.coordinators.add(co)
    response = as_coordinator.post(reverse("followups:task_create"), _values(chain_a, co))
    assert "does not coordinate Saligna Hardwood" in response.content.decode()
    assert not Task.objects.exists()


def test_create_from_the_partner_page(as_coordinator, coordinator, chain_a, partner_a):
    page = as_coordinator.get(partner_a.get_absolute_url()).content.decode()
    url = reverse("followups:task_create") + f"?partner={partner_a.pk}"
    assert f'href="{url}"' in page and "Add a task" in page
    response = as_coordinator.post(url, _values(chain_a, coordinator))
    assert response["Location"] == partner_a.get_absolute_url()
    assert Task.objects.get().partner == partner_a


def test_partner_member_sees_no_add_a_task(as_partner_a, partner_a):
    assert "Add a task" not in as_partner_a.get(partner_a.get_absolute_url()).content.decode()


def test_create_from_the_person_page(as_coordinator, coordinator, chain_a, partner_a):
    person = PersonFactory(first_name="Thandi")
    AffiliationFactory(person=person, partner=partner_a)
    url = reverse("followups:task_create") + f"?person={person.pk}"
    assert url in as_coordinator.get(person.get_absolute_url()).content.decode()
    as_coordinator.post(url, _values(chain_a, coordinator))
    assert Task.objects.get().person == person


def test_create_from_the_introduction_page(as_coordinator, coordinator, chain_a, introduction):
    url = reverse("followups:task_create") + f"?introduction={introduction.pk}"
    assert url in as_coordinator.get(introduction.get_absolute_url()).content.decode()
    as_coordinator.post(url, _values(chain_a, coordinator))
    assert Task.objects.get().introduction == introduction


def test_create_from_the_convening_page(as_coordinator, coordinator, chain_a, convening):
    url = reverse("followups:task_create") + f"?convening={convening.pk}"
    assert url in as_coordinator.get(convening.get_absolute_url()).content.decode()
    as_coordinator.post(url, _values(chain_a, coordinator))
    assert Task.objects.get().convening == convening


def test_linked_task_only_in_the_things_chain(
    as_coordinator, coordinator, chain_a, chain_b, convening
):
    chain_b.coordinators.add(coordinator)
    url = reverse("followups:task_create") + f"?convening={convening.pk}"
    response = as_coordinator.post(url, _values(chain_b, coordinator))
    assert "Select a valid choice" in response.content.decode()
    assert not Task.objects.exists()


# --- edit, done, undo ------------------------------------------------------------------------


def test_edit_a_task(as_coordinator, coordinator, chain_a, task):
    response = as_coordinator.post(
        reverse("followups:task_edit", args=[task.pk]),
        _values(chain_a, coordinator, title="Call Thandi on Monday", due_on="2026-12-14"),
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.title, task.due_on) == ("Call Thandi on Monday", datetime.date(2026, 12, 14))
    assert task.partner is not None  # the link stays


def test_done_in_one_click_then_undone_with_htmx(as_coordinator, task, htmx):
    response = as_coordinator.post(reverse("followups:task_done", args=[task.pk]), **htmx)
    page = response.content.decode()
    assert response.status_code == 200 and f'id="task-{task.pk}"' in page
    assert "is-done" in page and "Undo" in page
    task.refresh_from_db()
    done_at = task.done_at
    assert done_at is not None
    as_coordinator.post(reverse("followups:task_done", args=[task.pk]), **htmx)
    task.refresh_from_db()
    assert task.done_at == done_at  # a double click keeps the first time
    response = as_coordinator.post(reverse("followups:task_undo", args=[task.pk]), **htmx)
    assert "is-done" not in response.content.decode()
    task.refresh_from_db()
    assert task.done_at is None


def test_done_without_javascript_goes_back(as_coordinator, task):
    response = as_coordinator.post(reverse("followups:task_done", args=[task.pk]), {"next": "/"})
    assert response["Location"] == "/"
    response = as_coordinator.post(
        reverse("followups:task_undo", args=[task.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("followups:tasks")


def test_done_needs_post(as_coordinator, task):
    assert as_coordinator.get(reverse("followups:task_done", args=[task.pk])).status_code == 405


# --- the list --------------------------------------------------------------------------------


def test_task_list_filters(as_coordinator, coordinator, chain_a, task):
    co = UserFactory(username="co@example.org", coordinator=True)
    chain_a.coordinators.add(co)
    theirs = make_task(chain_a, co, title="Sipho to ring the mill")
    done = make_task(chain_a, coordinator, title="Already done")
    Task.objects.filter(pk=done.pk).update(
        done_at=datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
    )
    url = reverse("followups:tasks")

    def titles(query):
        page = as_coordinator.get(url + query).content.decode()
        return {t.title for t in (task, theirs, done) if t.title in page}

    assert titles("") == {task.title}
    assert titles("?who=chain") == {task.title, theirs.title}
    assert titles("?state=done") == {done.title}
    assert titles("?who=chain&state=done") == {done.title}


def test_empty_task_list_says_what_to_do(as_coordinator):
    page = as_coordinator.get(reverse("followups:tasks")).content.decode()
    assert "No open task." in page and "Add one here" in page


def test_task_list_queries_do_not_grow(
    as_coordinator, coordinator, chain_a, partner_a, django_assert_num_queries
):
    for i in range(3):
        make_task(chain_a, coordinator, title=f"Task {i}", partner=partner_a)
    # session, user, chain ids, the page of tasks with their links (one query)
    with django_assert_num_queries(4):
        as_coordinator.get(reverse("followups:tasks"))
    for i in range(30):
        make_task(chain_a, coordinator, title=f"More {i}", partner=partner_a)
    with django_assert_num_queries(4):
        as_coordinator.get(reverse("followups:tasks"))
