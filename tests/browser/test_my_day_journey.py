"""Journey (issue 18): a coordinator signs in to an empty database and lands on My day, which
says what each empty section means; once they coordinate a chain they add a task from My
day, tick it done in one click (htmx, no reload) and undo it. Screenshots at 1280 and 390 px
in test-artifacts/."""

import pytest
from playwright.sync_api import expect

from followups.models import Task
from partners.models import ValueChain
from tests.factories import ParticipationFactory, PartnerFactory, UserFactory

from .conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _both_widths(page, name: str) -> None:
    screenshot(page, f"my_day_{name}_1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, f"my_day_{name}_390")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"My day ({name}) is {overflow}px wider than a phone"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_my_day_from_an_empty_database(new_page):
    coordinator = UserFactory(username="rosa@tomato.example", coordinator=True, first_name="Rosa")
    page = new_page()

    # 1. The first page after sign-in is My day; with no chain it says where to begin.
    sign_in(page, coordinator.username)
    expect(page.get_by_role("heading", name="My day")).to_be_visible()
    expect(page.get_by_text("You coordinate no value chain yet.")).to_be_visible()
    expect(page.get_by_role("link", name="Create your first value chain")).to_be_visible()
    _both_widths(page, "no_chain")

    # 2. With a chain, every section is there and says what its emptiness means.
    chain = ValueChain.objects.create(name="Tomato Soup for Schools", currency="USD")
    chain.coordinators.add(coordinator)
    page.reload()
    expect(page.get_by_text("Nothing due today or overdue.")).to_be_visible()
    expect(page.get_by_text("No convening in the next 7 days.")).to_be_visible()
    expect(page.get_by_text("No new match suggestion since your last visit.")).to_be_visible()
    _both_widths(page, "empty")

    # 3. A task added from My day (due today) shows in "Your tasks due".
    form = page.locator("#quick-add")
    form.get_by_label("What to do").fill("Call Thandi about the trial order")
    form.get_by_role("button", name="Add").click()
    tasks = page.locator("#section-tasks")
    expect(tasks.get_by_role("link", name="Call Thandi about the trial order")).to_be_visible()
    expect(page.locator("#messages")).to_contain_text("Task added")
    task = Task.objects.get()
    assert task.assignee == coordinator and task.value_chain == chain
    _both_widths(page, "task")

    # 4. Done in one click, without a page load; then undone.
    page.evaluate("window.__same_page = true")
    tasks.get_by_role("button", name="Done: Call Thandi about the trial order").click()
    row = page.locator(f"#task-{task.pk}")
    expect(row).to_have_class("task-row is-done")
    expect(row.get_by_role("status")).to_contain_text("Done.")
    task.refresh_from_db()
    assert task.done_at is not None
    assert page.evaluate("window.__same_page") is True  # htmx swapped the row in place
    _both_widths(page, "done")
    row.get_by_role("button", name="Undo", exact=True).click()
    expect(row).to_have_class("task-row")
    expect(
        row.get_by_role("button", name="Done: Call Thandi about the trial order")
    ).to_be_visible()
    task.refresh_from_db()
    assert task.done_at is None

    # 5. The task list, mine and open, then the task's form, from a partner's page.
    page.get_by_role("link", name="All tasks").click()
    expect(page.get_by_role("heading", name="Tasks")).to_be_visible()
    expect(page.get_by_role("link", name="Call Thandi about the trial order")).to_be_visible()
    _both_widths(page, "tasks")
    page.get_by_role("link", name="Done", exact=True).click()
    expect(page.get_by_text("No task done yet.")).to_be_visible()
    partner = ParticipationFactory(
        partner=PartnerFactory(name="Amatola Sawmill"), value_chain=chain
    ).partner
    page.goto(partner.get_absolute_url())
    page.get_by_role("link", name="Add a task").click()
    expect(page.get_by_text("About Amatola Sawmill")).to_be_visible()
    _both_widths(page, "task_form")
    page.get_by_label("What to do").fill("Ask Amatola for the kiln figures")
    page.get_by_role("button", name="Add the task").click()
    expect(page.get_by_role("heading", name="Amatola Sawmill")).to_be_visible()
    assert Task.objects.get(partner=partner).title == "Ask Amatola for the kiln figures"
