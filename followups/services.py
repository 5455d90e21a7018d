"""Writes of the follow-through: tasks (create, edit, done and undone) and the task an
interaction's "follow up on" date makes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from outbox.models import Kind
from outbox.services import cancel
from partners.models import Interaction, Participation, ValueChain
from partners.permissions import is_coordinator

from .models import LINKS, Task

TASK_FIELDS = ("value_chain", "title", "notes", "due_on", "assignee")


@transaction.atomic
def create_task(*, values: Mapping[str, Any], about=None, by) -> Task:
    """A new open task (`values`: value_chain, title, notes, due_on, assignee), about the
    partner, person, introduction or convening `about` when given."""
    task = Task(created_by=by, **{name: values[name] for name in TASK_FIELDS if name in values})
    if about is not None:
        setattr(task, _link_name(about), about)
    task.save()
    return task


@transaction.atomic
def update_task(*, task: Task, values: Mapping[str, Any]) -> Task:
    """Save the edited fields of a task (its link stays); a reminder waiting for the old
    due date is cancelled."""
    # Compared with the stored date: a ModelForm has already set the new one on `task`.
    stored = Task.objects.filter(pk=task.pk).values_list("due_on", flat=True).first()
    if "due_on" in values and values["due_on"] != stored:
        cancel(task, [Kind.TASK])
    for name in TASK_FIELDS:
        if name in values:
            setattr(task, name, values[name])
    task.save()
    return task


def set_task_done(*, task: Task, done: bool) -> Task:
    """Mark the task done (now) or open again; one conditional UPDATE, so a double click
    keeps the first time it was done."""
    if done:
        Task.objects.filter(pk=task.pk, done_at__isnull=True).update(
            done_at=timezone.now(), updated_at=timezone.now()
        )
        cancel(task, [Kind.TASK])
    else:
        Task.objects.filter(pk=task.pk).update(done_at=None, updated_at=timezone.now())
    task.refresh_from_db(fields=["done_at", "updated_at"])
    return task


def _link_name(about) -> str:
    name = type(about).__name__.lower()
    if name not in LINKS:
        raise ValueError(f"a task cannot be about a {type(about).__name__}")
    return name


# --- the "follow up on" date of an interaction ---------------------------------------------


def follow_up_title(interaction: Interaction) -> str:
    return f"Follow up: {interaction.topic}"[:200]


@transaction.atomic
def sync_follow_up_task(*, interaction_id: int) -> Task | None:
    """Make the interaction's "follow up on" date a task for the coordinator who logged it,
    about its first partner, in a chain of that partner they coordinate; move the task when
    the date changed, remove it (unless done) when the date was cleared. Safe to run twice."""
    interaction = Interaction.objects.filter(pk=interaction_id).select_related("logged_by").first()
    if interaction is None:
        return None
    task = Task.objects.filter(interaction=interaction).first()
    user = interaction.logged_by
    if interaction.follow_up_on is None or user is None or not is_coordinator(user):
        if task is not None and task.done_at is None:
            task.delete()
        return None
    if task is not None:
        changed = task.due_on != interaction.follow_up_on
        if changed:
            cancel(task, [Kind.TASK])
        task.due_on = interaction.follow_up_on
        task.title = follow_up_title(interaction)
        task.save(update_fields=["due_on", "title", "updated_at"])
        if changed and task.done_at is not None:
            set_task_done(task=task, done=False)
        return task
    partner_ids = list(
        interaction.partners.order_by("interactionpartner__id").values_list("pk", flat=True)
    )
    chains = Participation.objects.filter(partner_id__in=partner_ids)
    if not user.is_superuser:
        chains = chains.filter(value_chain__coordinators=user)
    link = chains.order_by("id").values_list("partner_id", "value_chain_id").first()
    if link is None:
        return None
    partner_id, chain_id = link
    return Task.objects.create(
        value_chain=ValueChain(pk=chain_id),
        title=follow_up_title(interaction),
        notes=interaction.notes[:2000],
        due_on=interaction.follow_up_on,
        assignee=user,
        partner_id=partner_id,
        interaction=interaction,
        created_by=user,
    )
