"""An interaction's "follow up on" date is a task; the task's reminder on its morning (once);
the Monday digest lists the coordinator's tasks."""

import datetime

from django.urls import reverse
from django.utils import timezone

from followups.models import Task
from followups.periodic import schedule_periodic
from outbox.models import Kind, Message, State
from partners.models import Interaction
from partners.services import log_interaction
from vcc import hooks

from .conftest import make_task


def _log(as_coordinator, partner, **extra):
    values = {
        "kind": "call",
        "occurred_on": "2026-12-01",
        "topic": "Trial order of kiln-dried boards",
        "visibility": "coordinators",
        "follow_up_on": "2026-12-08",
        "notes": "Thandi will confirm the volumes.",
        **extra,
    }
    return as_coordinator.post(reverse("partners:log_interaction", args=[partner.pk]), values)


def test_logging_a_follow_up_date_makes_a_task(as_coordinator, coordinator, chain_a, partner_a):
    _log(as_coordinator, partner_a)
    task = Task.objects.get()
    assert task.title == "Follow up: Trial order of kiln-dried boards"
    assert (task.due_on, task.assignee, task.partner, task.value_chain) == (
        datetime.date(2026, 12, 8),
        coordinator,
        partner_a,
        chain_a,
    )
    assert task.interaction == Interaction.objects.get()
    assert task.notes == "Thandi will confirm the volumes."


def test_no_follow_up_date_no_task(as_coordinator, partner_a):
    _log(as_coordinator, partner_a, follow_up_on="")
    assert Interaction.objects.exists() and not Task.objects.exists()


def test_changing_or_clearing_the_date_updates_the_task(coordinator, partner_a):
    interaction = log_interaction(
        partners=[partner_a],
        values={
            "kind": "call",
            "topic": "Prices",
            "occurred_on": datetime.date(2026, 12, 1),
            "follow_up_on": datetime.date(2026, 12, 8),
        },
        by=coordinator,
    )
    # A later edit of the interaction sends the hook again (as log_interaction does).
    Interaction.objects.filter(pk=interaction.pk).update(follow_up_on=datetime.date(2026, 12, 15))
    hooks.interactions_logged.send(
        Interaction, partner_ids=[partner_a.pk], interaction_id=interaction.pk
    )
    assert list(Task.objects.values_list("due_on", flat=True)) == [datetime.date(2026, 12, 15)]
    Interaction.objects.filter(pk=interaction.pk).update(follow_up_on=None)
    hooks.interactions_logged.send(
        Interaction, partner_ids=[partner_a.pk], interaction_id=interaction.pk
    )
    assert not Task.objects.exists()


def test_follow_up_task_shows_once_on_my_day(as_coordinator, partner_a):
    today = timezone.localdate()
    _log(
        as_coordinator,
        partner_a,
        occurred_on=(today - datetime.timedelta(days=3)).isoformat(),
        follow_up_on=today.isoformat(),
    )
    page = as_coordinator.get(reverse("home")).content.decode()
    assert page.count('class="task-title"') == 1
    assert "Follow up: Trial order of kiln-dried boards" in page
    assert "follow-up" in page


# --- the reminder on the due morning ---------------------------------------------------------


def test_reminder_on_the_due_morning_once(chain_a, coordinator, partner_a):
    due = datetime.date(2026, 12, 8)
    task = make_task(chain_a, coordinator, due_on=due, partner=partner_a)
    make_task(chain_a, coordinator, title="Tomorrow's call", due_on=due + datetime.timedelta(1))
    midnight = timezone.make_aware(datetime.datetime(2026, 12, 8, 0, 30))
    assert schedule_periodic(midnight) == 1
    assert schedule_periodic(midnight + datetime.timedelta(hours=1)) == 0  # hourly: once
    message = Message.objects.get(kind=Kind.TASK)
    assert message.to_address == coordinator.email
    assert message.subject == "Today: Call Thandi about the trial order"
    assert "Amatola Sawmill" in message.body_text
    assert timezone.localtime(message.due_at).hour == 7  # sent in the morning, not at midnight
    assert message.about_id == task.pk


def test_no_reminder_for_a_done_task_and_done_cancels_it(as_coordinator, chain_a, coordinator):
    due = datetime.date(2026, 12, 8)
    task = make_task(chain_a, coordinator, due_on=due)
    schedule_periodic(timezone.make_aware(datetime.datetime(2026, 12, 8, 0, 30)))
    as_coordinator.post(reverse("followups:task_done", args=[task.pk]))
    assert Message.objects.get(kind=Kind.TASK).state == State.CANCELLED
    other = make_task(chain_a, coordinator, title="Done early", due_on=due)
    as_coordinator.post(reverse("followups:task_done", args=[other.pk]))
    assert schedule_periodic(timezone.make_aware(datetime.datetime(2026, 12, 8, 1, 30))) == 0


def test_a_moved_task_is_reminded_on_its_new_day(as_coordinator, chain_a, coordinator):
    task = make_task(chain_a, coordinator, due_on=datetime.date(2026, 12, 8))
    schedule_periodic(timezone.make_aware(datetime.datetime(2026, 12, 8, 0, 30)))
    as_coordinator.post(
        reverse("followups:task_edit", args=[task.pk]),
        {
            "title": task.title,
            "due_on": "2026-12-09",
            "value_chain": chain_a.pk,
            "assignee": coordinator.pk,
        },
    )
    assert Message.objects.get(kind=Kind.TASK).state == State.CANCELLED
    assert schedule_periodic(timezone.make_aware(datetime.datetime(2026, 12, 9, 0, 30))) == 1
    assert Message.objects.filter(kind=Kind.TASK, state=State.PENDING).count() == 1


# --- the Monday digest -----------------------------------------------------------------------


def test_digest_lists_the_coordinators_tasks(chain_a, coordinator, other_coordinator, chain_b):
    monday = datetime.date(2026, 11, 23)
    make_task(chain_a, coordinator, title="Overdue call", due_on=monday - datetime.timedelta(3))
    make_task(chain_a, coordinator, title="Friday visit", due_on=monday + datetime.timedelta(4))
    make_task(chain_a, coordinator, title="Next week", due_on=monday + datetime.timedelta(8))
    done = make_task(chain_a, coordinator, title="Already done", due_on=monday)
    Task.objects.filter(pk=done.pk).update(done_at=timezone.now())
    make_task(chain_b, other_coordinator, title="Chain B's task", due_on=monday)
    schedule_periodic(timezone.make_aware(datetime.datetime(2026, 11, 23, 7, 0)))
    digest = Message.objects.get(kind=Kind.DIGEST, to_address=coordinator.email)
    body = digest.body_text
    assert "Your tasks due this week or overdue (2)" in body
    assert "Overdue call (due Fri 20 Nov, overdue)" in body
    assert "Friday visit (due Fri 27 Nov)" in body
    assert "Next week" not in body and "Already done" not in body and "Chain B" not in body
    assert "Friday visit" in digest.body_html
