"""Reads of convenings, working groups and action items, with related rows fetched."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from outbox.models import Kind, Message, State
from partners.models import Affiliation, Person
from partners.permissions import (
    coordinated_chain_ids,
    seen_chain_ids,
    seen_chains,
    sees_network,
)
from vcc.paging import keyset_page

from .models import ACTION_OPEN, ActionItem, ActionStatus, Convening, Invitee, WorkingGroup


def _visible(user, qs: QuerySet, *, chain_field: str, member_q: Q) -> QuerySet:
    if user.is_superuser:
        return qs
    if sees_network(user):  # a coordinator or observer: the chains they coordinate or observe
        return qs.filter(**{f"{chain_field}__in": seen_chain_ids(user)})
    return qs.filter(member_q).distinct()


def convenings_for_user(user, *, chain_id=None, past=False, cursor=None):
    qs = _visible(
        user,
        Convening.objects.all(),
        chain_field="value_chain_id",
        member_q=Q(invitees__person__user=user) | Q(working_group__members__user=user),
    )
    if chain_id:
        qs = qs.filter(value_chain_id=chain_id)
    now = timezone.now()
    qs = qs.filter(ends_at__lt=now) if past else qs.filter(ends_at__gte=now)
    qs = qs.select_related("value_chain", "working_group").annotate(
        invited=Count("invitees", distinct=True),
        coming=Count("invitees", filter=Q(invitees__rsvp="yes"), distinct=True),
    )
    ordering = ["-starts_at", "-id"] if past else ["starts_at", "id"]
    return keyset_page(qs, ordering, cursor, settings.VCC_PAGE_SIZE)


def _with_partners(qs):
    """Each invitee's person gets `partner_links`, a plain list of their affiliations with the
    partner's name (one query for all, and no queryset per row when rendering)."""
    return qs.select_related("person").prefetch_related(
        Prefetch(
            "person__affiliations",
            queryset=Affiliation.objects.select_related("partner").only(
                "person_id", "partner__name"
            ),
            to_attr="partner_links",
        )
    )


def suppressed_invitations(convening: Convening) -> dict[str, list[str]]:
    """The invited whose invitation was not emailed for want of consent or by their opt-out,
    by why: names (one query)."""
    rows = (
        Message.objects.filter(
            about_type="convening",
            about_id=convening.pk,
            kind=Kind.INVITATION,
            state=State.SUPPRESSED,
        )
        .select_related("person")
        .only("last_error", "person__first_name", "person__last_name")
        .order_by("person__last_name", "person__first_name", "id")
    )
    by_reason: dict[str, list[str]] = {}
    for m in rows:
        name = m.person.full_name if m.person else "someone removed"
        by_reason.setdefault(m.last_error.removesuffix(": not sent."), []).append(name)
    return by_reason


def minutes_not_emailed(convening: Convening) -> dict[str, list[str]]:
    """Those the last published minutes did not reach (no email, no consent, opted out), by
    why: names (one query)."""
    rows = Message.objects.filter(
        about_type="convening",
        about_id=convening.pk,
        kind=Kind.MINUTES,
        state__in=[State.FAILED, State.SUPPRESSED],
        created_at__gte=convening.minutes_published_at,
    ).select_related("person")
    by_reason: dict[str, list[str]] = {}
    for m in rows:
        name = m.person.full_name if m.person else m.to_address
        by_reason.setdefault(m.last_error.removesuffix(": not sent."), []).append(name)
    return by_reason


def invitees_of(convening: Convening) -> list[Invitee]:
    """Everyone invited, with the partners they work at (two queries whatever the count)."""
    return list(_with_partners(convening.invitees.all()))


def invitee_row(convening: Convening, pk: int) -> Invitee | None:
    return _with_partners(Invitee.objects.filter(pk=pk, convening=convening)).first()


def groups_for_user(user) -> QuerySet[WorkingGroup]:
    return (
        _visible(
            user,
            WorkingGroup.objects.all(),
            chain_field="value_chain_id",
            member_q=Q(members__user=user) | Q(lead__user=user),
        )
        .select_related("value_chain", "lead")
        .annotate(
            member_count=Count("members", distinct=True),
            overdue=Count(
                "actions",
                filter=Q(actions__status__in=ACTION_OPEN, actions__due_on__lt=timezone.localdate()),
                distinct=True,
            ),
        )
        .order_by("value_chain__name", "name")
    )


def group_actions(group: WorkingGroup) -> list[ActionItem]:
    return list(group.actions.select_related("owner").order_by("due_on", "id"))


def group_meetings(group: WorkingGroup) -> list[Convening]:
    return list(group.meetings.order_by("-starts_at")[:20])


def overdue_actions(user, cursor=None):
    """Open items past their due date in the chains the user coordinates, oldest first."""
    qs = ActionItem.objects.filter(status__in=ACTION_OPEN, due_on__lt=timezone.localdate())
    if not user.is_superuser:
        qs = qs.filter(value_chain_id__in=coordinated_chain_ids(user))
    qs = qs.select_related("owner", "working_group", "value_chain")
    return keyset_page(qs, ["due_on", "id"], cursor, settings.VCC_PAGE_SIZE)


def actions_of_person(person: Person) -> list[ActionItem]:
    return list(
        person.action_items.filter(status__in=ACTION_OPEN)
        .select_related("working_group")
        .order_by("due_on", "id")[:50]
    )


PERSON_OPEN_ITEMS = 50
PERSON_DONE_ITEMS = 10


def person_action_items(person: Person, user) -> dict:
    """The action items `person` owns, as `user` may see them on the person's page: all of
    them for the person themself (and superusers), only those of the chains a coordinator
    coordinates or an observer observes, none for anyone else. Open ones soonest due first
    (so the overdue lead), the latest done ones, and the counts of both: at most three
    queries."""
    qs = ActionItem.objects.filter(owner=person)
    if not (user.is_superuser or (person.user_id is not None and person.user_id == user.pk)):
        qs = qs.filter(value_chain__in=seen_chains(user))
    counts = qs.aggregate(
        open=Count("pk", filter=Q(status__in=ACTION_OPEN)),
        done=Count("pk", filter=Q(status=ActionStatus.DONE)),
        overdue=Count("pk", filter=Q(status__in=ACTION_OPEN, due_on__lt=timezone.localdate())),
    )
    rows = qs.select_related("working_group", "convening").only(
        "title",
        "due_on",
        "status",
        "working_group__name",
        "convening__title",
        "working_group",
        "convening",
    )
    open_rows = rows.filter(status__in=ACTION_OPEN).order_by("due_on", "id")
    done_rows = rows.filter(status=ActionStatus.DONE).order_by("-due_on", "-id")
    return {
        "open": list(open_rows[:PERSON_OPEN_ITEMS]) if counts["open"] else [],
        "open_count": counts["open"],
        "done": list(done_rows[:PERSON_DONE_ITEMS]) if counts["done"] else [],
        "done_count": counts["done"],
        "overdue_count": counts["overdue"],
    }


def my_invitations(user) -> list[Invitee]:
    """The signed-in person's upcoming invitations (for their own page)."""
    return list(
        Invitee.objects.filter(person__user=user, convening__ends_at__gte=timezone.now())
        .select_related("convening")
        .order_by("convening__starts_at")[:20]
    )
