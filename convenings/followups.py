"""What convenings, action items, introductions and commitments send, as outbox rows.

Every function here runs inside the caller's transaction and only calls
followups.services.schedule, which is idempotent on the key: running one twice sends once.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from followups.models import Kind
from followups.services import cancel, schedule

from . import ics
from .models import ACTION_OPEN, ActionItem, Convening, Invitee, Rsvp

RSVP_SALT = "convenings.rsvp"
ANSWER_SALT = "matchmaking.introduction-answer"
# A link in an email works this long after it was written.
LINK_MAX_AGE = datetime.timedelta(days=90)

INTRODUCTION_ANSWERS = {
    "talking": "We are talking",
    "trading": "We are trading",
    "declined": "Not a fit",
}


def rsvp_token(invitee: Invitee, answer: str) -> str:
    return signing.dumps({"i": invitee.pk, "a": answer}, salt=RSVP_SALT)


def read_rsvp_token(token: str) -> tuple[int, str] | None:
    try:
        data = signing.loads(token, salt=RSVP_SALT, max_age=LINK_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if data.get("a") not in (Rsvp.YES, Rsvp.NO, Rsvp.MAYBE):
        return None
    return data["i"], data["a"]


def answer_token(introduction, partner_id: int, answer: str) -> str:
    return signing.dumps({"i": introduction.pk, "p": partner_id, "a": answer}, salt=ANSWER_SALT)


def read_answer_token(token: str, max_age: datetime.timedelta) -> tuple[int, int, str] | None:
    try:
        data = signing.loads(token, salt=ANSWER_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    if data.get("a") not in INTRODUCTION_ANSWERS:
        return None
    return data["i"], data["p"], data["a"]


def _url(path: str) -> str:
    return settings.SITE_URL + path


def _rsvp_links(invitee: Invitee) -> list[tuple[str, str]]:
    return [
        (label, _url(reverse("convenings:rsvp_link", args=[rsvp_token(invitee, value)])))
        for value, label in ((Rsvp.YES, "Yes"), (Rsvp.MAYBE, "Maybe"), (Rsvp.NO, "No"))
    ]


def _convening_context(convening: Convening) -> dict:
    return {
        "convening": convening,
        "convening_url": _url(convening.get_absolute_url()),
        "ics_url": _url(reverse("convenings:ics", args=[convening.pk])),
    }


def _reminder(convening: Convening, invitee: Invitee) -> None:
    due = convening.starts_at - datetime.timedelta(days=1)
    if due <= timezone.now() or invitee.rsvp == Rsvp.NO or not invitee.person.email:
        return  # (one "no email address" row, the invitation's, is enough to flag them)
    schedule(
        key=f"convening:{convening.pk}:reminder:{convening.sequence}:{invitee.person_id}",
        kind=Kind.REMINDER,
        subject=f"Tomorrow: {convening.title}",
        template="followups/email/reminder",
        context={**_convening_context(convening), "rsvp_links": _rsvp_links(invitee)},
        due_at=due,
        person=invitee.person,
        value_chain=convening.value_chain,
        about=convening,
        attachments=[ics.attachment(convening)],
    )


def invitation(convening: Convening, invitee: Invitee) -> None:
    schedule(
        key=f"convening:{convening.pk}:invitation:{invitee.person_id}",
        kind=Kind.INVITATION,
        subject=f"Invitation: {convening.title}",
        template="followups/email/invitation",
        context={**_convening_context(convening), "rsvp_links": _rsvp_links(invitee)},
        due_at=timezone.now(),
        person=invitee.person,
        value_chain=convening.value_chain,
        about=convening,
        attachments=[ics.attachment(convening)],
    )
    _reminder(convening, invitee)


def convening_changed(convening: Convening) -> None:
    """An update with the new .ics (same UID, higher SEQUENCE) to everyone invited; reminders
    move to the new time."""
    cancel(convening, [Kind.REMINDER])
    for invitee in convening.invitees.select_related("person"):
        schedule(
            key=f"convening:{convening.pk}:update:{convening.sequence}:{invitee.person_id}",
            kind=Kind.UPDATE,
            subject=f"Updated: {convening.title}",
            template="followups/email/update",
            context={**_convening_context(convening), "rsvp_links": _rsvp_links(invitee)},
            due_at=timezone.now(),
            person=invitee.person,
            value_chain=convening.value_chain,
            about=convening,
            attachments=[ics.attachment(convening)],
        )
        _reminder(convening, invitee)


def minutes(convening: Convening) -> None:
    actions = list(convening.actions.select_related("owner"))
    stamp = convening.minutes_published_at.strftime("%Y%m%d%H%M%S")
    for invitee in convening.invitees.select_related("person"):
        schedule(
            key=f"convening:{convening.pk}:minutes:{stamp}:{invitee.person_id}",
            kind=Kind.MINUTES,
            subject=f"Minutes: {convening.title}",
            template="followups/email/minutes",
            context={
                **_convening_context(convening),
                "actions": actions,
                "missed": not invitee.attended,
            },
            due_at=timezone.now(),
            person=invitee.person,
            value_chain=convening.value_chain,
            about=convening,
        )


def action_item(item: ActionItem) -> None:
    """A reminder two days before the due date and one the day after it, to the owner with the
    group's lead in copy."""
    lead = item.working_group.lead if item.working_group_id else None
    cc = [lead.email] if lead and lead.email and lead.pk != item.owner_id else []
    tz = timezone.get_current_timezone()
    context = {"item": item, "item_url": _url(item.get_absolute_url())}
    for kind, day, subject in (
        (Kind.ACTION_DUE, item.due_on - datetime.timedelta(days=2), "Due soon"),
        (Kind.ACTION_OVERDUE, item.due_on + datetime.timedelta(days=1), "Overdue"),
    ):
        due_at = datetime.datetime.combine(day, datetime.time(8, 0), tz)
        if kind == Kind.ACTION_DUE and due_at <= timezone.now():
            continue
        schedule(
            key=f"action:{item.pk}:{kind}:{item.due_on.isoformat()}",
            kind=kind,
            subject=f"{subject}: {item.title}",
            template="followups/email/action",
            context={**context, "overdue": kind == Kind.ACTION_OVERDUE},
            due_at=max(due_at, timezone.now()),
            person=item.owner,
            cc=cc,
            value_chain=item.value_chain,
            about=item,
        )


def introduction(introduction) -> None:
    """'How did the introduction go?' to both sides, VCC_INTRODUCTION_FOLLOWUP_DAYS later."""
    days = settings.VCC_INTRODUCTION_FOLLOWUP_DAYS
    due_at = timezone.now() + datetime.timedelta(days=days)
    for person, partner, other in (
        (introduction.person_a, introduction.partner_a, introduction.partner_b),
        (introduction.person_b, introduction.partner_b, introduction.partner_a),
    ):
        if person is None:
            continue
        answers = [
            (
                label,
                _url(
                    reverse(
                        "convenings:introduction_answer",
                        args=[answer_token(introduction, partner.pk, value)],
                    )
                ),
            )
            for value, label in INTRODUCTION_ANSWERS.items()
        ]
        schedule(
            key=f"introduction:{introduction.pk}:followup:{partner.pk}",
            kind=Kind.INTRODUCTION,
            subject=f"How did the introduction to {other.name} go?",
            template="followups/email/introduction",
            context={"introduction": introduction, "other": other, "answers": answers},
            due_at=due_at,
            person=person,
            value_chain=introduction.value_chain,
            about=introduction,
        )


def _new(message) -> int:
    """1 when `schedule` wrote a new row (not an earlier one with the same key, nor an opt-out)."""
    return int(message is not None and message.just_created)


def schedule_periodic(now: datetime.datetime | None = None) -> int:
    """Commitment due reminders and the weekly digest (idempotent keys: run it hourly)."""
    from matchmaking.models import OPEN, Introduction
    from partners.models import (
        LAST_CONTACT,
        Affiliation,
        Commitment,
        CommitmentStatus,
        Partner,
        ValueChain,
    )

    now = now or timezone.now()
    today = timezone.localdate(now)
    count = 0
    # Commitments due within three days, to the partner's people.
    soon = (
        Commitment.objects.filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=3))
        .filter(status__in=[CommitmentStatus.PROPOSED, CommitmentStatus.ACTIVE])
        .select_related("partner", "value_chain")
    )
    for commitment in soon[:1000]:
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
                            "coordinator": user,
                        },
                        due_at=now,
                        address=user.email,
                        value_chain=chain,
                        about=chain,
                    )
                )
    return count
