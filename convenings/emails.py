"""What convenings and action items send (invitations with the .ics, updates, reminders,
cancellations, minutes, action-item reminders), as outbox rows. Each carries Reply-To the
convening's organiser (or the action item's poster), so that an answer reaches a person.

Every function here runs inside the caller's transaction and only calls
outbox.services.schedule, which is idempotent on the key: running one twice sends once.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from outbox.models import Kind
from outbox.services import cancel, reply_to_header, schedule, user_address

from . import ics
from .models import ActionItem, Convening, Invitee, Rsvp

REPLACED_BY_CANCELLATION = [Kind.REMINDER, Kind.INVITATION, Kind.UPDATE]

RSVP_SALT = "convenings.rsvp"
# A link in an email works this long after it was written.
LINK_MAX_AGE = datetime.timedelta(days=90)


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


def _reply_to(convening: Convening) -> str:
    return reply_to_header(convening.organiser)


def _reminder(convening: Convening, invitee: Invitee) -> None:
    due = convening.starts_at - datetime.timedelta(days=1)
    if convening.is_cancelled or due <= timezone.now() or invitee.rsvp == Rsvp.NO:
        return
    if not invitee.person.email:
        return  # (one "no email address" row, the invitation's, is enough to flag them)
    schedule(
        key=f"convening:{convening.pk}:reminder:{convening.sequence}:{invitee.person_id}",
        kind=Kind.REMINDER,
        subject=f"Tomorrow: {convening.title}",
        template="convenings/email/reminder",
        context={**_convening_context(convening), "rsvp_links": _rsvp_links(invitee)},
        due_at=due,
        person=invitee.person,
        reply_to=_reply_to(convening),
        value_chain=convening.value_chain,
        about=convening,
        attachments=[ics.attachment(convening, invitee)],
    )


def invitation(convening: Convening, invitee: Invitee):
    """The invitation's outbox row (failed without an email, suppressed without consent), with
    the .ics (METHOD:REQUEST) and the reminder a day before; nothing for a cancelled convening."""
    if convening.is_cancelled:
        return None
    message = schedule(
        key=f"convening:{convening.pk}:invitation:{invitee.person_id}",
        kind=Kind.INVITATION,
        subject=f"Invitation: {convening.title}",
        template="convenings/email/invitation",
        context={**_convening_context(convening), "rsvp_links": _rsvp_links(invitee)},
        due_at=timezone.now(),
        person=invitee.person,
        reply_to=_reply_to(convening),
        value_chain=convening.value_chain,
        about=convening,
        attachments=[ics.attachment(convening, invitee)],
    )
    _reminder(convening, invitee)
    return message


def convening_changed(convening: Convening) -> None:
    """An update with the new .ics (same UID, higher SEQUENCE) to everyone invited; reminders
    move to the new time."""
    cancel(convening, [Kind.REMINDER])
    if convening.is_cancelled:
        return
    for invitee in convening.invitees.select_related("person"):
        schedule(
            key=f"convening:{convening.pk}:update:{convening.sequence}:{invitee.person_id}",
            kind=Kind.UPDATE,
            subject=f"Updated: {convening.title}",
            template="convenings/email/update",
            context={**_convening_context(convening), "rsvp_links": _rsvp_links(invitee)},
            due_at=timezone.now(),
            person=invitee.person,
            reply_to=_reply_to(convening),
            value_chain=convening.value_chain,
            about=convening,
            attachments=[ics.attachment(convening, invitee)],
        )
        _reminder(convening, invitee)


def convening_cancelled(convening: Convening) -> None:
    """Everyone invited hears it is off, with a METHOD:CANCEL .ics (same UID, the SEQUENCE
    the cancellation raised) that removes it from their calendar; the reminders, and any
    invitation or update not yet sent, are cancelled."""
    cancel(convening, REPLACED_BY_CANCELLATION, reason="Cancelled: the convening was cancelled.")
    for invitee in convening.invitees.select_related("person"):
        schedule(
            key=f"convening:{convening.pk}:cancelled:{invitee.person_id}",
            kind=Kind.CANCELLATION,
            subject=f"Cancelled: {convening.title}",
            template="convenings/email/cancellation",
            context=_convening_context(convening),
            due_at=timezone.now(),
            person=invitee.person,
            reply_to=_reply_to(convening),
            value_chain=convening.value_chain,
            about=convening,
            attachments=[ics.attachment(convening, invitee)],
        )


def minutes(convening: Convening) -> None:
    actions = list(convening.actions.select_related("owner"))
    stamp = convening.minutes_published_at.strftime("%Y%m%d%H%M%S")
    for invitee in convening.invitees.select_related("person"):
        schedule(
            key=f"convening:{convening.pk}:minutes:{stamp}:{invitee.person_id}",
            kind=Kind.MINUTES,
            subject=f"Minutes: {convening.title}",
            template="convenings/email/minutes",
            context={
                **_convening_context(convening),
                "actions": actions,
                "missed": not invitee.attended,
            },
            due_at=timezone.now(),
            person=invitee.person,
            reply_to=_reply_to(convening),
            value_chain=convening.value_chain,
            about=convening,
        )


def action_item(item: ActionItem) -> None:
    """A reminder two days before the due date and one the day after it, to the owner with the
    group's lead in copy, answers to whoever posted it."""
    lead = item.working_group.lead if item.working_group_id else None
    cc = [lead.email] if lead and lead.email and lead.pk != item.owner_id else []
    tz = timezone.get_current_timezone()
    context = {"item": item, "item_url": _url(item.get_absolute_url())}
    reply_to = reply_to_header(user_address(item.posted_by))
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
            template="convenings/email/action",
            context={**context, "overdue": kind == Kind.ACTION_OVERDUE},
            due_at=max(due_at, timezone.now()),
            person=item.owner,
            cc=cc,
            reply_to=reply_to,
            value_chain=item.value_chain,
            about=item,
        )
