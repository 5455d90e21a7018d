"""Writes of convenings, working groups and action items; each schedules its follow-ups in
the same transaction (outbox.services.schedule, through convenings.emails)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from matchmaking.services import relate_group_members
from outbox.models import State
from outbox.services import cancel
from partners.models import Affiliation, Person
from partners.services import note_contact, save_fields

from . import emails
from .models import (
    ActionItem,
    ActionStatus,
    ActionUpdate,
    CalendarFeed,
    Convening,
    ConveningStatus,
    Invitee,
    WorkingGroup,
)


@transaction.atomic
def save_group(
    *, values: Mapping[str, Any], group: WorkingGroup | None = None, chain=None
) -> WorkingGroup:
    """Form a working group (in `chain`, or the chain among `values`), or change one; its
    lead is always among its members. The members' partners become peers on the map
    (relationships of origin "working group")."""
    group = group or WorkingGroup()
    if chain is not None:
        group.value_chain = chain
    save_fields(group, values)
    if group.lead_id and not group.members.filter(pk=group.lead_id).exists():
        group.members.add(group.lead_id)
    relate_group_members(
        person_ids=list(group.members.values_list("pk", flat=True)),
        group_url=group.get_absolute_url(),
    )
    return group


@transaction.atomic
def save_convening(
    *,
    values: Mapping[str, Any],
    convening: Convening | None = None,
    by,
    chain=None,
    group=None,
) -> Convening:
    """Schedule a convening (of `chain`, or a meeting of `group`), or change one
    (`convening`): a change bumps SEQUENCE and sends every invitee an update with the new
    .ics, and moves their reminders. A cancelled convening is not changed (ValueError)."""
    if convening is not None and convening.is_cancelled:
        raise ValueError("A cancelled convening cannot be changed.")
    if convening is None:
        convening = Convening(created_by=by, value_chain=chain)
        if group is not None:
            convening.working_group = group
            convening.value_chain = group.value_chain
        save_fields(convening, values)
        return convening
    save_fields(convening, values)
    Convening.objects.filter(pk=convening.pk).update(sequence=F("sequence") + 1)
    convening.refresh_from_db()
    emails.convening_changed(convening)
    return convening


@transaction.atomic
def cancel_convening(*, convening: Convening, note: str = "") -> bool:
    """Call the convening off: cancelled (once: False when it already was), SEQUENCE raised,
    every invitee told with a METHOD:CANCEL .ics, its reminders stopped. What happened
    (invitees, attendance, minutes) is kept."""
    now = timezone.now()
    changed = Convening.objects.filter(pk=convening.pk, status=ConveningStatus.SCHEDULED).update(
        status=ConveningStatus.CANCELLED,
        cancelled_at=now,
        cancellation_note=note,
        sequence=F("sequence") + 1,
        updated_at=now,
    )
    convening.refresh_from_db()
    if changed:
        emails.convening_cancelled(convening)
    return bool(changed)


def people_to_invite(
    convening, *, partners=(), stages=(), chain_roles=(), groups=(), people=()
) -> list[int]:
    """The ids of the people chosen by partner, stage, chain role, working group or by hand."""
    q = Q(pk__in=[p.pk for p in people])
    if partners:
        q |= Q(affiliations__partner__in=partners)
    if stages:
        q |= Q(affiliations__partner__participations__stages__in=stages)
    if chain_roles:
        q |= Q(
            affiliations__partner__participations__value_chain=convening.value_chain_id,
            affiliations__partner__participations__chain_role__in=chain_roles,
        )
    if groups:
        q |= Q(working_groups__in=groups)
    return list(Person.objects.filter(q).values_list("pk", flat=True).distinct())


@transaction.atomic
def invite(convening: Convening, person_ids: list[int]) -> tuple[int, dict[str, list[Person]]]:
    """Invite people not yet invited; each gets the invitation with the .ics and a reminder a
    day before. Returns how many were invited and those not emailed, by why (no email
    address, no consent to contact, opted out): invited all the same, flagged, not sent.
    A cancelled convening invites nobody."""
    if convening.is_cancelled:
        return 0, {}
    already = set(
        Invitee.objects.filter(convening=convening, person_id__in=person_ids).values_list(
            "person_id", flat=True
        )
    )
    new = [pk for pk in person_ids if pk not in already]
    Invitee.objects.bulk_create(
        [Invitee(convening=convening, person_id=pk) for pk in new], ignore_conflicts=True
    )
    invitees = list(
        Invitee.objects.filter(convening=convening, person_id__in=new).select_related("person")
    )
    not_emailed: dict[str, list[Person]] = {}
    for invitee in invitees:
        message = emails.invitation(convening, invitee)
        if message.state in (State.FAILED, State.SUPPRESSED):
            not_emailed.setdefault(message.last_error, []).append(invitee.person)
    return len(invitees), not_emailed


@transaction.atomic
def answer_rsvp(invitee: Invitee, answer: str) -> Invitee:
    """Record the invitee's answer, dated when it changed: the same answer again (a replayed
    email link, a second click) keeps the first date. A cancelled convening records none."""
    now = timezone.now()
    changed = (
        Invitee.objects.filter(pk=invitee.pk, convening__status=ConveningStatus.SCHEDULED)
        .exclude(rsvp=answer)
        .update(rsvp=answer, rsvp_at=now)
    )
    if changed:
        invitee.rsvp, invitee.rsvp_at = answer, now
    else:
        invitee.refresh_from_db(fields=["rsvp", "rsvp_at"])
    return invitee


@transaction.atomic
def set_attendance(invitee: Invitee, attended: bool) -> Invitee:
    """Mark whether the invitee came. Attending counts as contact with the person's
    partners, on the convening's day (the gaps page's "not contacted", the digest)."""
    Invitee.objects.filter(pk=invitee.pk).update(attended=attended)
    invitee.attended = attended
    if attended:
        partner_ids = list(
            Affiliation.objects.filter(person_id=invitee.person_id).values_list(
                "partner_id", flat=True
            )
        )
        on = min(timezone.localdate(invitee.convening.starts_at), timezone.localdate())
        note_contact(partner_ids, on)
    return invitee


@transaction.atomic
def save_minutes(convening: Convening, *, minutes: str, decisions: str, publish: bool) -> Convening:
    """Record minutes and decisions; publishing sends them, with the action items, to those who
    attended and to those invited who missed it (once per publication)."""
    convening.minutes, convening.decisions = minutes, decisions
    if publish:
        convening.minutes_published_at = timezone.now()
    convening.save()
    if publish:
        emails.minutes(convening)
    return convening


@transaction.atomic
def post_action(
    *, values: Mapping[str, Any], by, group: WorkingGroup | None = None, convening=None
) -> ActionItem:
    """Post an action item (title, detail, owner, due date, status) for a working group or
    from a convening; its owner gets reminders before and after the due date."""
    item = ActionItem(
        posted_by=by,
        working_group=group or (convening.working_group if convening else None),
        convening=convening,
        value_chain_id=(group or convening).value_chain_id,
    )
    save_fields(item, values)
    ActionUpdate.objects.create(item=item, by=by, status=item.status, note="Posted.")
    emails.action_item(item)
    return item


@transaction.atomic
def update_action(item: ActionItem, *, status: str, note: str, by, due_on=None) -> ActionItem:
    moved = due_on is not None and due_on != item.due_on
    item.status = status
    if moved:
        item.due_on = due_on
    item.save()
    ActionUpdate.objects.create(item=item, by=by, status=status, note=note)
    if status == ActionStatus.DONE or moved:
        cancel(item)
    if status != ActionStatus.DONE and moved:
        emails.action_item(item)
    return item


def calendar_feed(person: Person) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(person=person)
    return feed


@transaction.atomic
def reset_calendar_feed(person: Person) -> CalendarFeed:
    from .models import _new_token

    feed = calendar_feed(person)
    feed.token = _new_token()
    feed.reset_at = timezone.now()
    feed.save()
    return feed


def reminder_time(convening: Convening) -> datetime.datetime:
    return convening.starts_at - datetime.timedelta(days=1)
