"""Writes of the email capture: a message read from the mailbox becomes an interaction, a
review-queue entry or an RSVP, in one transaction that begins by claiming its Message-ID (a
second reader of the same message waits on the unique index, then finds it taken); and the
review queue's decisions.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from convenings.models import Convening, Invitee, Rsvp
from convenings.services import answer_rsvp
from partners.models import (
    Affiliation,
    InteractionKind,
    Participation,
    Partner,
    Person,
    ValueChain,
    Visibility,
)
from partners.permissions import role_annotations
from partners.services import add_person, log_interaction, update_person

from .mailbox import Mailbox, MailboxConfig
from .models import (
    CapturedAddress,
    CapturedAttachment,
    CapturedMessage,
    CaptureStatus,
    MailboxState,
)
from .parse import ParsedEmail, parse_email

log = logging.getLogger(__name__)

# How much of the body an interaction's notes keep (the whole text stays on the message's page).
NOTES_CHARS = 2000
PARTSTAT_RSVP = {"ACCEPTED": Rsvp.YES, "DECLINED": Rsvp.NO, "TENTATIVE": Rsvp.MAYBE}


@dataclass
class PollResult:
    seen: int = 0
    captured: int = 0
    duplicates: int = 0
    seconds: float = 0.0


# --- reading the mailbox ------------------------------------------------------------------------


def poll_mailbox(config: MailboxConfig, *, limit: int | None = None) -> PollResult:
    """Capture every message of the mailbox not yet marked captured (at most `limit`), each in
    its own transaction, and mark them in the mailbox after they committed."""
    started = time.monotonic()
    result = PollResult()
    with Mailbox(config) as mailbox:
        state, _ = MailboxState.objects.get_or_create(
            mailbox=config.key, uidvalidity=mailbox.uidvalidity
        )
        uids = mailbox.uncaptured_uids()[:limit]
        # At or below last_uid, a message committed before a crash took its mark: mark it again.
        done = [uid for uid in uids if uid <= state.last_uid]
        mailbox.mark_captured(done)
        result.duplicates += len(done)
        todo = [uid for uid in uids if uid > state.last_uid]
        committed: list[int] = []
        lookups = Lookups()
        for uid, raw in mailbox.fetch(todo):
            result.seen += 1
            if capture_message(
                raw, uid=uid, state_id=state.pk, mailbox_address=config.address, lookups=lookups
            ):
                result.captured += 1
            else:
                result.duplicates += 1
            committed.append(uid)
            if len(committed) >= 50:
                mailbox.mark_captured(committed)
                committed = []
        mailbox.mark_captured(committed)
    MailboxState.objects.filter(pk=state.pk).update(polled_at=timezone.now())
    result.seconds = time.monotonic() - started
    return result


def capture_message(
    raw: bytes,
    *,
    uid: int | None = None,
    state_id: int | None = None,
    mailbox_address: str = "",
    lookups: Lookups | None = None,
) -> bool:
    """Capture one raw message; False when it was captured before (the same Message-ID)."""
    try:
        parsed = parse_email(raw)
    except Exception as error:  # a message nothing can read still reaches a person
        log.exception("capture: message UID %s could not be parsed", uid)
        parsed = _unreadable(raw, error)
    try:
        with transaction.atomic():
            message = CapturedMessage.objects.create(
                message_id=parsed.message_id,
                status=CaptureStatus.REVIEW,
                subject=parsed.subject[:200],
                body=parsed.body,
                sent_at=parsed.sent_at,
                sender_address=parsed.sender[1][:320],
                sender_name=parsed.sender[0][:200],
                forwarded=parsed.forwarded,
                mailbox_uid=uid,
                size=len(raw),
            )
            _file(message, parsed, mailbox_address, lookups)
            _advance(state_id, uid)
    except Exception as error:
        if CapturedMessage.objects.filter(message_id=parsed.message_id).exists():
            # Taken by an earlier poll (or a concurrent one, which we waited for): nothing to
            # do, but move last_uid past it so it is not fetched again.
            _advance(state_id, uid)
            return False
        # Filing it failed: keep it, undecided, for an administrator to look at, rather than
        # fail every poll on it or mark it read and lose it.
        log.exception("capture: message UID %s could not be filed", uid)
        try:
            with transaction.atomic():
                CapturedMessage.objects.create(
                    message_id=parsed.message_id,
                    status=CaptureStatus.REVIEW,
                    review_reason=f"vcc could not file it ({type(error).__name__})",
                    subject=parsed.subject[:200],
                    sent_at=parsed.sent_at,
                    sender_address=parsed.sender[1][:320],
                    mailbox_uid=uid,
                    size=len(raw),
                )
                _advance(state_id, uid)
        except IntegrityError:
            _advance(state_id, uid)
            return False
    return True


def _advance(state_id: int | None, uid: int | None) -> None:
    """The mailbox's last committed UID moves up to `uid`."""
    if state_id is not None and uid is not None:
        MailboxState.objects.filter(pk=state_id, last_uid__lt=uid).update(last_uid=uid)


def _unreadable(raw: bytes, error: Exception) -> ParsedEmail:
    return ParsedEmail(
        message_id=f"hash:{hashlib.sha256(raw).hexdigest()}",
        subject="(a message vcc could not read)",
        sent_at=timezone.now(),
        sender=("", ""),
        body=raw[:NOTES_CHARS].decode("utf-8", errors="replace"),
    )


class Lookups:
    """What one poll asks again and again: who each sender is, which chains each coordinator
    coordinates (read once per poll, not once per message)."""

    def __init__(self):
        self.coordinators: dict[str, Any] = {}
        self.chains: dict[int, list[int]] = {}

    def coordinator(self, address: str):
        """The active coordinator (partners.permissions.role_of) whose email or username is
        `address`."""
        self.read_coordinators([address])
        return self.coordinators.get(address)

    def read_coordinators(self, addresses: list[str]) -> None:
        """Look up the addresses not seen yet, in one query."""
        new = {a for a in addresses if a and a not in self.coordinators}
        if not new:
            return
        for a in new:
            self.coordinators[a] = None
        User = get_user_model()
        users = (
            User.objects.filter(is_active=True)
            .annotate(**role_annotations())
            .filter(Q(vcc_is_coordinator=True) | Q(is_superuser=True))
            .annotate(email_lower=Lower("email"), username_lower=Lower("username"))
            .filter(Q(email_lower__in=new) | Q(username_lower__in=new))
            .order_by("pk")
        )
        for user in users:
            for a in {user.email_lower, user.username_lower} & new:
                if self.coordinators[a] is None:
                    self.coordinators[a] = user

    def chain_ids(self, user) -> list[int]:
        if user.pk not in self.chains:
            chains = ValueChain.objects.all()
            if not user.is_superuser:
                chains = chains.filter(coordinators=user)
            self.chains[user.pk] = list(chains.values_list("pk", flat=True))
        return self.chains[user.pk]


def _file(
    message: CapturedMessage,
    parsed: ParsedEmail,
    mailbox_address: str,
    lookups: Lookups | None = None,
) -> None:
    """Decide where the message goes: an RSVP, the timeline, or the review queue."""
    if parsed.calendar_reply is not None and _record_rsvp(message, parsed):
        return
    lookups = lookups or Lookups()
    _keep_attachments(message, parsed)
    lookups.read_coordinators([parsed.sender[1]] + [a for _, _, a in parsed.addresses])
    coordinator = lookups.coordinator(parsed.sender[1])
    message.coordinator = coordinator
    # The people it was with: not the mailbox itself, nor coordinators (the sender, a
    # co-coordinator in copy): they are the ones keeping the record, not people in it.
    addresses = [
        (r, n, a)
        for r, n, a in parsed.addresses
        if a != mailbox_address and lookups.coordinator(a) is None
    ]
    emails = [a for _, _, a in addresses]
    people: dict[str, int] = {}
    partner_ids: set[int] = set()
    if coordinator is not None:
        # A coordinator's mail knows the people of the chains they coordinate (a person of
        # another coordinator's chain is not theirs to put on a timeline): one query for the
        # people and their partners in those chains.
        chain_ids = set(lookups.chain_ids(coordinator))
        for person_id, email, partner_id in (
            Affiliation.objects.annotate(email_lower=Lower("person__email"))
            .filter(
                email_lower__in=emails,
                partner__in=Participation.objects.filter(value_chain_id__in=chain_ids).values(
                    "partner_id"
                ),
            )
            .values_list("person_id", "email_lower", "partner_id")
        ):
            people[email] = person_id
            partner_ids.add(partner_id)
    else:
        for person_id, email in (
            Person.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=emails)
            .values_list("pk", "email_lower")
        ):
            people[email] = person_id
        chain_ids = set(
            Participation.objects.filter(
                partner__affiliations__person_id__in=people.values()
            ).values_list("value_chain_id", flat=True)
        )
    CapturedAddress.objects.bulk_create(
        CapturedAddress(
            message=message, role=role, address=address, name=name, person_id=people.get(address)
        )
        for role, name, address in addresses
    )
    CapturedMessage.value_chains.through.objects.bulk_create(
        CapturedMessage.value_chains.through(capturedmessage_id=message.pk, valuechain_id=pk)
        for pk in chain_ids
    )
    unknown = [a for a in emails if a not in people]
    if coordinator is None:
        reason = f"From {parsed.sender[1] or 'an unknown sender'}, who is not a coordinator"
    elif unknown:
        reason = "Addresses nobody in the sender's chains knows: " + ", ".join(unknown[:5])
        reason += f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
    elif not addresses:
        reason = "Nobody but the coordinator is in it"
    else:
        reason = ""
    if reason:
        message.review_reason = reason[:300]
        message.save(update_fields=["coordinator", "review_reason"])
        return
    _to_timeline(message, by=coordinator, person_ids=list(people.values()), partner_ids=partner_ids)


def _keep_attachments(message: CapturedMessage, parsed: ParsedEmail) -> None:
    limit = settings.VCC_CAPTURE_MAX_ATTACHMENT_BYTES
    CapturedAttachment.objects.bulk_create(
        CapturedAttachment(
            message=message,
            filename=a.filename,
            content_type=a.content_type[:100],
            size=len(a.content),
            kept=len(a.content) <= limit,
            content=a.content if len(a.content) <= limit else b"",
        )
        for a in parsed.attachments
    )


def _row(model, pk: int):
    """A row known only by its id, as if loaded with .only("id") (no query)."""
    return model.from_db("default", ["id"], [pk])


def _to_timeline(
    message: CapturedMessage, *, by, person_ids: list[int], partner_ids: set[int] | None = None
) -> None:
    """The message becomes an interaction of kind email with the people in it, on the timeline
    of each of their partners in the chains `by` (its coordinator or reviewer) coordinates."""
    if partner_ids is None:
        partners = Affiliation.objects.filter(person_id__in=person_ids)
        if not by.is_superuser:
            partners = partners.filter(partner__participations__value_chain__coordinators=by)
        partner_ids = set(partners.values_list("partner_id", flat=True))
    notes = message.body if len(message.body) <= NOTES_CHARS else message.body[:NOTES_CHARS] + "…"
    interaction = log_interaction(
        partners=[_row(Partner, pk) for pk in sorted(partner_ids)],
        values={
            "kind": InteractionKind.EMAIL,
            "occurred_on": timezone.localdate(message.sent_at),
            "topic": message.subject or "(no subject)",
            "notes": notes,
            "visibility": Visibility.COORDINATORS,
            "people": Person.objects.filter(pk__in=person_ids).only("first_name", "last_name"),
        },
        by=by,
    )
    message.interaction = interaction
    message.status = CaptureStatus.CAPTURED
    message.review_reason = ""
    message.save(update_fields=["interaction", "status", "review_reason", "coordinator"])


def _record_rsvp(message: CapturedMessage, parsed: ParsedEmail) -> bool:
    """An iTIP REPLY: the invitee's answer, through convenings.services.answer_rsvp. False
    when it matches no convening or no invitee (the message is then reviewed as mail)."""
    reply = parsed.calendar_reply
    answer = PARTSTAT_RSVP.get(reply.partstat)
    try:
        convening_uid = uuid.UUID(reply.uid.split("@", 1)[0])
    except ValueError:
        return False
    invitee = (
        Invitee.objects.filter(
            convening__in=Convening.objects.filter(uid=convening_uid),
            person__email__iexact=reply.attendee,
        )
        .select_related("convening", "person")
        .first()
    )
    # Only the invitee answers for themselves: a reply sent from another address is reviewed.
    if invitee is None or answer is None or parsed.sender[1] != reply.attendee:
        return False
    answer_rsvp(invitee, answer)
    message.status = CaptureStatus.RSVP
    message.review_reason = (
        f"{invitee.person.full_name}: {Rsvp(answer).label} to {invitee.convening.title}"
    )[:300]
    message.save(update_fields=["status", "review_reason"])
    return True


# --- the review queue -------------------------------------------------------------------------


def _reviewed(message: CapturedMessage, by) -> None:
    message.reviewed_by, message.reviewed_at = by, timezone.now()
    message.save(update_fields=["reviewed_by", "reviewed_at"])


@transaction.atomic
def assign_address(address: CapturedAddress, *, person: Person, by) -> CapturedAddress:
    """Say who an unknown address is; a person without an email gets this one."""
    address.person = person
    address.save(update_fields=["person"])
    if not person.email:
        clash = Person.objects.filter(email__iexact=address.address).exists()
        if not clash:
            update_person(person, values={"email": address.address}, by=by)
    return address


@transaction.atomic
def create_person_for_address(
    address: CapturedAddress, *, partner: Partner, values: Mapping[str, Any], by
) -> Person:
    """Create the person behind an unknown address, at a partner, and assign the address."""
    person = add_person(partner, values={**values, "email": address.address}, by=by)
    address.person = person
    address.save(update_fields=["person"])
    return person


@transaction.atomic
def accept_message(message: CapturedMessage, *, by) -> CapturedMessage:
    """Put a reviewed message on the timeline of its people's partners, logged by `by`."""
    locked = CapturedMessage.objects.select_for_update().get(pk=message.pk)
    if locked.status != CaptureStatus.REVIEW:
        return locked
    if locked.coordinator_id is None:
        locked.coordinator = by
    person_ids = list(
        locked.addresses.filter(person__isnull=False).values_list("person_id", flat=True)
    )
    _to_timeline(locked, by=by, person_ids=person_ids)
    _reviewed(locked, by)
    return locked


@transaction.atomic
def discard_message(message: CapturedMessage, *, by) -> CapturedMessage:
    """Leave the message off every timeline; its attachments go with it."""
    CapturedMessage.objects.filter(pk=message.pk, status=CaptureStatus.REVIEW).update(
        status=CaptureStatus.DISCARDED, body=""
    )
    CapturedAttachment.objects.filter(message=message).delete()
    message.refresh_from_db()
    _reviewed(message, by)
    return message
