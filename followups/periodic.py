"""The periodic follow-ups that span the apps, run hourly by beat (followups.tasks):
commitment reminders to the partner's people, a task's reminder to its assignee on the
morning it is due, and on Mondays each chain's digest to its coordinators (with their open
tasks due that week or overdue). Idempotent keys: each runs once however often the scan
comes."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from convenings.models import ACTION_OPEN, ActionItem
from matchmaking.models import OPEN, Introduction
from outbox.models import Kind
from outbox.services import reply_to_header, schedule, user_address
from partners.models import (
    LAST_CONTACT,
    Affiliation,
    Commitment,
    CommitmentStatus,
    Partner,
    ValueChain,
)

from .models import Task


def _new(message) -> int:
    """1 when `schedule` wrote a new row (not an earlier one with the same key)."""
    return int(message is not None and message.just_created)


# A task's reminder goes out at this hour (local time) of the morning it is due.
TASK_REMINDER_HOUR = 7


def schedule_task_reminders(now: datetime.datetime) -> int:
    """One email to the assignee of each open task due today, for the morning (idempotent on
    the task and its due date: a task moved to another day is reminded again on that day)."""
    today = timezone.localdate(now)
    morning = timezone.make_aware(
        datetime.datetime.combine(today, datetime.time(TASK_REMINDER_HOUR))
    )
    count = 0
    due = (
        Task.objects.filter(due_on=today, done_at__isnull=True)
        .exclude(assignee__email="")
        .select_related("assignee", "value_chain", "partner", "person", "convening")
        .select_related("introduction__partner_a", "introduction__partner_b")
        .order_by("id")
    )
    for task in due[:5000]:
        count += _new(
            schedule(
                key=f"task:{task.pk}:due:{task.due_on}",
                kind=Kind.TASK,
                subject=f"Today: {task.title}"[:200],
                template="followups/email/task",
                context={"task": task, "coordinator": task.assignee},
                due_at=max(now, morning),
                address=task.assignee.email,
                value_chain=task.value_chain,
                about=task,
            )
        )
    return count


def tasks_for_digest(user, chain, today: datetime.date) -> list[Task]:
    """The coordinator's open tasks in the chain due by Sunday of this week (overdue ones
    included), soonest first."""
    sunday = today + datetime.timedelta(days=6 - today.weekday())
    return list(
        Task.objects.filter(
            assignee=user, value_chain=chain, done_at__isnull=True, due_on__lte=sunday
        ).order_by("due_on", "id")[:50]
    )


def schedule_periodic(now: datetime.datetime | None = None) -> int:
    """Commitment due and task reminders and the weekly digest (idempotent keys: run it
    hourly)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    count = schedule_task_reminders(now)
    # Commitments due within three days, to the partner's people.
    soon = (
        Commitment.objects.filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=3))
        .filter(status__in=[CommitmentStatus.PROPOSED, CommitmentStatus.ACTIVE])
        .select_related("partner", "value_chain")
        .prefetch_related("value_chain__coordinators")
    )
    for commitment in soon[:1000]:
        # Nobody in particular sent it: an answer reaches the chain's coordinators.
        reply_to = reply_to_header(
            *(user_address(u) for u in commitment.value_chain.coordinators.all())
        )
        for affiliation in Affiliation.objects.filter(partner=commitment.partner_id).select_related(
            "person"
        ):
            count += _new(
                schedule(
                    key=f"commitment:{commitment.pk}:due:{commitment.due_on}:{affiliation.person_id}",
                    kind=Kind.COMMITMENT,
                    subject=f"Commitment due {commitment.due_on:%d %b}",
                    template="followups/email/commitment",
                    context={"commitment": commitment},
                    due_at=now,
                    person=affiliation.person,
                    reply_to=reply_to,
                    value_chain=commitment.value_chain,
                    about=commitment,
                )
            )
    # The weekly digest, on Mondays, to each chain's coordinators.
    if today.weekday() == 0:
        year, week, _ = today.isocalendar()
        stalled_before = now - datetime.timedelta(days=settings.VCC_STALLED_AFTER_DAYS)
        quiet_before = today - datetime.timedelta(days=settings.VCC_NOT_CONTACTED_DAYS)
        for chain in ValueChain.objects.prefetch_related("coordinators"):
            stalled = list(
                Introduction.objects.filter(
                    value_chain=chain, status__in=OPEN, status_changed_at__lt=stalled_before
                ).select_related("partner_a", "partner_b")[:20]
            )
            overdue = list(
                ActionItem.objects.filter(
                    value_chain=chain, status__in=ACTION_OPEN, due_on__lt=today
                ).select_related("owner")[:20]
            )
            quiet = list(
                # Partner.last_contacted_on, indexed with "never" first (as the gaps page).
                Partner.objects.filter(participations__value_chain=chain)
                .alias(last_contact=LAST_CONTACT)
                .filter(last_contact__lt=quiet_before)
                .order_by("last_contact", "id")[:20]
            )
            for user in chain.coordinators.all():
                if not user.email:
                    continue
                count += _new(
                    schedule(
                        key=f"digest:{chain.pk}:{user.pk}:{year}-W{week:02d}",
                        kind=Kind.DIGEST,
                        subject=f"{chain.name}: your week",
                        template="followups/email/digest",
                        context={
                            "chain": chain,
                            "stalled": stalled,
                            "overdue": overdue,
                            "quiet": quiet,
                            "tasks": tasks_for_digest(user, chain, today),
                            "today": today,
                            "coordinator": user,
                        },
                        due_at=now,
                        address=user.email,
                        value_chain=chain,
                        about=chain,
                    )
                )
    return count
