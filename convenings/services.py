"""Writes of convenings, working groups and action items; each schedules its follow-ups in
the same transaction (outbox.services.schedule, through convenings.emails)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from outbox.services import cancel
from partners.models import Person

from . import emails
from .models import ActionItem, ActionStatus, ActionUpdate, CalendarFeed, Convening, Invitee


@transaction.atomic
def save_group(form, *, chain=None):
    group = form.save(commit=False)
    if chain is not None:
        group.value_chain = chain
    group.save()
    form.save_m2m()
    if group.lead_id and not group.members.filter(pk=group.lead_id).exists():
        group.members.add(group.lead_id)
    return group


@transaction.atomic
def save_convening(form, *, by, chain=None, group=None) -> Convening:
    """Create a convening, or change one: a change bumps SEQUENCE and sends every invitee an
    update with the new .ics, and moves their reminders."""
    convening = form.save(commit=False)
    creating = convening.pk is None
    if creating:
        convening.created_by = by
        if chain is not None:
            convening.value_chain = chain
        if group is not None:
            convening.working_group = group
            convening.value_chain = group.value_chain
        convening.save()
        return convening
    convening.sequence = F("sequence") + 1
    convening.save()
    convening.refresh_from_db()
    emails.convening_changed(convening)
    return convening


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
def invite(convening: Convening, person_ids: list[int]) -> tuple[int, list[Person]]:
    """Invite people not yet invited; each gets the invitation with the .ics and a reminder a
    day before. Returns how many were invited and those with no email (flagged, not sent)."""
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
    for invitee in invitees:
        emails.invitation(convening, invitee)
    return len(invitees), [i.person for i in invitees if not i.person.email]


@transaction.atomic
def answer_rsvp(invitee: Invitee, answer: str) -> Invitee:
    invitee.rsvp = answer
    invitee.rsvp_at = timezone.now()
    invitee.save(update_fields=["rsvp", "rsvp_at"])
    return invitee


def set_attendance(invitee: Invitee, attended: bool) -> Invitee:
    Invitee.objects.filter(pk=invitee.pk).update(attended=attended)
    invitee.attended = attended
    return invitee


@transaction.atomic
def save_minutes(form, *, publish: bool) -> Convening:
    """Record minutes and decisions; publishing sends them, with the action items, to those who
    attended and to those invited who missed it (once per publication)."""
    convening = form.save(commit=False)
    if publish:
        convening.minutes_published_at = timezone.now()
    convening.save()
    if publish:
        emails.minutes(convening)
    return convening


@transaction.atomic
def post_action(form, *, by, group=None, convening=None) -> ActionItem:
    item = form.save(commit=False)
    item.posted_by = by
    item.working_group = group or (convening.working_group if convening else None)
    item.convening = convening
    item.value_chain_id = (group or convening).value_chain_id
    item.save()
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
