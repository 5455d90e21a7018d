"""Tasks (a coordinator's own to-dos) and the last visit to My day."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from convenings.models import Convening
from matchmaking.models import Introduction
from partners.models import Interaction, Partner, Person, ValueChain

# What a task may be about: at most one of these is set (the check constraint below).
LINKS = ("partner", "person", "introduction", "convening")


def _at_most_one_link() -> Q:
    """Every link but (at most) one is null."""
    condition = Q()
    for kept in LINKS:
        condition |= Q(**{f"{other}__isnull": True for other in LINKS if other != kept})
    return condition


class Task(models.Model):
    """Something a coordinator will do ("call Thandi about the trial order by Friday"), in a
    chain, assigned to one of its coordinators, about at most one partner, person,
    introduction or convening. An interaction's "follow up on" date is a task too
    (`interaction` is then the interaction it came from)."""

    value_chain = models.ForeignKey(ValueChain, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    notes = models.TextField(max_length=2000, blank=True)
    due_on = models.DateField("due date")
    done_at = models.DateTimeField(null=True, blank=True, editable=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="tasks",
        help_text="A coordinator of the chain.",
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    introduction = models.ForeignKey(
        Introduction, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    convening = models.ForeignKey(
        Convening, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    interaction = models.OneToOneField(
        Interaction,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        editable=False,
        related_name="follow_up_task",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=_at_most_one_link(), name="task_at_most_one_link")
        ]
        indexes = [
            # My day and "mine": a coordinator's open tasks, soonest first (id last, so that
            # the index gives the page's whole order and a LIMIT stops the scan early).
            models.Index(fields=["assignee", "done_at", "due_on", "id"], name="task_assignee_open"),
            # "The chain's tasks" on the task list.
            models.Index(fields=["value_chain", "done_at", "due_on", "id"], name="task_chain_open"),
            # The reminder scan: open tasks due today.
            models.Index(
                fields=["due_on"], condition=Q(done_at__isnull=True), name="task_open_due"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("followups:task_edit", args=[self.pk])

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_on < timezone.localdate()

    @property
    def about(self):
        """The partner, person, introduction or convening the task is about, if any."""
        for name in LINKS:
            if getattr(self, f"{name}_id"):
                return getattr(self, name)
        return None


class MyDayVisit(models.Model):
    """When the user last opened My day: "new suggestions" are those computed since the
    visit before the current one (a visit lasts half an hour, so reloading keeps them)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="my_day_visit"
    )
    seen_at = models.DateTimeField()
    previous_seen_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id} at {self.seen_at:%Y-%m-%d %H:%M}"
