"""Reads of the follow-through: My day's sections and the task list.

My day reads a constant number of queries whatever the network's size: one per section's
rows (at most MY_DAY_ROWS each, by an index in the order shown) and one for every section's
count together, each count capped at COUNT_CAP (a page says "100+" rather than counting a
chain's whole history)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from convenings.models import ACTION_OPEN, ActionItem, Convening
from matchmaking.models import PIPELINE, Introduction, IntroductionStatus, Suggestion
from partners.models import Commitment, CommitmentStatus
from vcc.paging import Page, keyset_page

from .models import MyDayVisit, Task

MY_DAY_ROWS = 10
COUNT_CAP = 100
COMMITMENTS_AHEAD_DAYS = 14
CONVENINGS_AHEAD_DAYS = 7
# A visit lasts this long: within it, My day keeps showing what was new when it began.
VISIT_LENGTH = datetime.timedelta(minutes=30)
# On a first visit, "new suggestions" are those of the last week.
FIRST_VISIT_LOOKBACK = datetime.timedelta(days=7)
# A partner's search text and description are its widest columns, and no section shows them.
PARTNER_WIDE = ("search_document", "description")


def _narrow(*relations: str) -> list[str]:
    return [f"{relation}__{name}" for relation in relations for name in PARTNER_WIDE]


@dataclass
class Section:
    key: str
    title: str
    empty: str  # what an empty section means, and what to do next
    rows: list = field(default_factory=list)
    count: int = 0
    see_all: str = ""
    template: str = ""

    @property
    def more(self) -> bool:
        return self.count > len(self.rows)

    @property
    def count_label(self) -> str:
        return f"{COUNT_CAP}+" if self.count >= COUNT_CAP else str(self.count)


def note_visit(user, now: datetime.datetime | None = None) -> datetime.datetime:
    """Record that the user opened My day; return when their previous visit was (what "new
    since your last visit" is measured from). Two queries: the read and one write."""
    now = now or timezone.now()
    visit = MyDayVisit.objects.filter(user=user).first()
    if visit is None:
        MyDayVisit.objects.create(user=user, seen_at=now)
        return now - FIRST_VISIT_LOOKBACK
    if now - visit.seen_at > VISIT_LENGTH:
        visit.previous_seen_at, visit.seen_at = visit.seen_at, now
        MyDayVisit.objects.filter(pk=visit.pk).update(
            seen_at=now, previous_seen_at=visit.previous_seen_at
        )
    return visit.previous_seen_at or (visit.seen_at - FIRST_VISIT_LOOKBACK)


def open_tasks_due(user, until: datetime.date) -> QuerySet[Task]:
    """The user's open tasks due on or before `until`, soonest first (an index range of
    task_assignee_open or task_open_due), with what each is about (not their chain: My day
    does not show it)."""
    return (
        Task.objects.filter(assignee=user, done_at__isnull=True, due_on__lte=until)
        .select_related("partner", "person", "introduction__partner_a", "convening")
        .select_related("introduction__partner_b")
        .defer(*_narrow("partner", "introduction__partner_a", "introduction__partner_b"))
        .defer("person__search_document", "convening__agenda", "convening__minutes")
        .order_by("due_on", "id")
    )


def stalled_introductions(chain_ids: list[int]) -> QuerySet[Introduction]:
    """Introductions marked stalled, or open and unchanged for VCC_STALLED_AFTER_DAYS (as the
    gaps page and the digest), longest-waiting first."""
    since = timezone.now() - datetime.timedelta(days=settings.VCC_STALLED_AFTER_DAYS)
    return (
        Introduction.objects.filter(value_chain_id__in=chain_ids)
        .filter(
            Q(status=IntroductionStatus.STALLED)
            | Q(status__in=PIPELINE[:-1], status_changed_at__lt=since)
        )
        .select_related("partner_a", "partner_b")
        .order_by("status_changed_at", "id")
    )


def first_stalled_introductions(chain_ids: list[int], limit: int) -> list[Introduction]:
    """The first `limit` of stalled_introductions. A network holds tens of thousands of them,
    and sorting them all took a quarter of a second: instead each status is read in date
    order from the index intro_status_age, as far as `limit`, and the few ids merged (one
    query), then their rows read (a second)."""
    since = timezone.now() - datetime.timedelta(days=settings.VCC_STALLED_AFTER_DAYS)
    base = Introduction.objects.filter(value_chain_id__in=chain_ids).values_list(
        "status_changed_at", "id"
    )
    parts = [base.filter(status=IntroductionStatus.STALLED)] + [
        base.filter(status=status, status_changed_at__lt=since) for status in PIPELINE[:-1]
    ]
    if connection.features.supports_slicing_ordering_in_compound:
        parts = [part.order_by("status_changed_at", "id")[:limit] for part in parts]
    else:
        parts = [part.order_by() for part in parts]
    first = parts[0].union(*parts[1:], all=True).order_by("status_changed_at", "id")[:limit]
    ids = [pk for _, pk in first]
    rows = (
        Introduction.objects.filter(pk__in=ids)
        .select_related("partner_a", "partner_b")
        .defer(*_narrow("partner_a", "partner_b"))
    )
    return sorted(rows, key=lambda i: (i.status_changed_at, i.pk))


def commitments_due(chain_ids: list[int], today: datetime.date) -> QuerySet[Commitment]:
    """Open commitments due in the next COMMITMENTS_AHEAD_DAYS or already past their date
    (missed), soonest first (index commitment_chain_due)."""
    return (
        Commitment.objects.filter(
            value_chain_id__in=chain_ids,
            status__in=[CommitmentStatus.PROPOSED, CommitmentStatus.ACTIVE],
            due_on__lte=today + datetime.timedelta(days=COMMITMENTS_AHEAD_DAYS),
        )
        .select_related("partner")
        .defer(*_narrow("partner"))
        .order_by("due_on", "id")
    )


def overdue_action_items(chain_ids: list[int], today: datetime.date) -> QuerySet[ActionItem]:
    """Open action items past their due date, oldest first (index action_chain)."""
    return (
        ActionItem.objects.filter(
            value_chain_id__in=chain_ids, status__in=ACTION_OPEN, due_on__lt=today
        )
        .select_related("owner", "working_group")
        .order_by("due_on", "id")
    )


def convenings_this_week(chain_ids: list[int], now: datetime.datetime) -> QuerySet[Convening]:
    """Convenings that start from now to CONVENINGS_AHEAD_DAYS ahead, or are under way."""
    return (
        Convening.objects.filter(
            value_chain_id__in=chain_ids,
            starts_at__lt=now + datetime.timedelta(days=CONVENINGS_AHEAD_DAYS),
            ends_at__gt=now,
        )
        .select_related("value_chain")
        .order_by("starts_at", "id")
    )


def new_suggestions(chain_ids: list[int], since: datetime.datetime) -> QuerySet[Suggestion]:
    """Each need's best offer (rank 1), computed since `since`, best first."""
    return (
        Suggestion.objects.filter(value_chain_id__in=chain_ids, rank=1, computed_at__gt=since)
        .select_related("buyer", "supplier", "need__product")
        .defer(*_narrow("buyer", "supplier"))
        .order_by("-score", "id")
    )


def capped_counts(querysets: dict[str, QuerySet], cap: int = COUNT_CAP) -> dict[str, int]:
    """How many rows each queryset has, up to `cap`, in one query."""
    if not querysets:
        return {}
    parts, params = [], []
    for qs in querysets.values():
        try:
            sql, part_params = qs.order_by().values("pk")[:cap].query.sql_with_params()
        except EmptyResultSet:  # e.g. no chain to look in
            parts.append("0")
            continue
        parts.append(f"(SELECT count(*) FROM ({sql}) AS part)")
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return dict(zip(querysets, cursor.fetchone(), strict=True))


def my_day(user, *, chain_ids: list[int], since: datetime.datetime) -> list[Section]:
    """The sections of a coordinator's My day over the chains `chain_ids`, in the order shown
    (without the sections other apps register: see views)."""
    now = timezone.now()
    today = timezone.localdate(now)
    sections = [
        (
            Section(
                "tasks",
                "Your tasks due",
                "Nothing due today or overdue. Tasks you add, and the follow-up dates of the "
                "interactions you log, appear here on their day.",
                see_all=reverse("followups:tasks"),
            ),
            open_tasks_due(user, today),
        ),
        (
            Section(
                "stalled",
                "Stalled introductions",
                f"No introduction has waited more than {settings.VCC_STALLED_AFTER_DAYS} days "
                "for its next step.",
                see_all=reverse("matchmaking:board"),
            ),
            stalled_introductions(chain_ids),
        ),
        (
            Section(
                "commitments",
                "Commitments due or missed",
                f"No open commitment is due in the next {COMMITMENTS_AHEAD_DAYS} days or past "
                "its date.",
            ),
            commitments_due(chain_ids, today),
        ),
        (
            Section(
                "actions",
                "Overdue action items",
                "Every working group's action items are on time.",
                see_all=reverse("convenings:overdue"),
            ),
            overdue_action_items(chain_ids, today),
        ),
        (
            Section(
                "convenings",
                "Convenings this week",
                f"No convening in the next {CONVENINGS_AHEAD_DAYS} days.",
                see_all=reverse("convenings:list"),
            ),
            convenings_this_week(chain_ids, now),
        ),
        (
            Section(
                "suggestions",
                "New suggestions",
                "No new match suggestion since your last visit.",
                see_all=reverse("matchmaking:suggestions"),
            ),
            new_suggestions(chain_ids, since),
        ),
    ]
    counts = capped_counts({section.key: qs for section, qs in sections})
    for section, qs in sections:
        section.count = counts[section.key]
        if section.key == "stalled":
            section.rows = first_stalled_introductions(chain_ids, MY_DAY_ROWS)
        elif section.key == "tasks":
            # The first ids alone, then their rows: the planner otherwise joins every task
            # due (thousands for a busy coordinator) to what it is about before the LIMIT.
            first = qs.order_by("due_on", "id").values("pk")[:MY_DAY_ROWS]
            section.rows = list(qs.filter(pk__in=Subquery(first)))
        else:
            section.rows = list(qs[:MY_DAY_ROWS])
        section.template = f"followups/my_day.html#{section.key}"
    return [section for section, _ in sections]


# --- the task list ---------------------------------------------------------------------------


def task_list(user, *, mine: bool, done: bool, chain_ids: list[int], cursor: str | None) -> Page:
    """The user's tasks (`mine`) or every task of their chains, open (soonest due first) or
    done (latest first), paged."""
    qs = Task.objects.filter(value_chain_id__in=chain_ids)
    if mine:
        qs = qs.filter(assignee=user)
    qs = qs.filter(done_at__isnull=not done).select_related(
        "value_chain", "assignee", "partner", "person", "convening"
    )
    qs = qs.select_related("introduction__partner_a", "introduction__partner_b")
    ordering = ["-done_at", "-id"] if done else ["due_on", "id"]
    return keyset_page(qs, ordering, cursor, settings.VCC_PAGE_SIZE)
