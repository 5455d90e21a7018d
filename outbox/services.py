"""Writes of the outbox: schedule a message in the caller's transaction; claim and send it once.

A message is sent by exactly one worker: `send_messages` claims its row with a conditional
UPDATE (pending → sending) that must change exactly one row, and sends with a stable
Message-ID. Just before the final "." it marks the row handed over, if the claim is still
its own. A worker that dies mid-send leaves its row in `sending`; after the lease
(VCC_OUTBOX_LEASE_SECONDS) the scan hands it back to `pending` if it was not handed over,
or marks it unconfirmed (never sent again by itself) if it was.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
import time
from email.utils import formataddr, getaddresses

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from partners.models import Person

from .handover import EmailBackend as HandoverBackend
from .handover import send_statement, write_statement
from .models import NO_CONSENT, Kind, Message, OptOut, State, needs_consent, opted_out_note

log = logging.getLogger(__name__)

OPT_OUT_SALT = "followups.opt-out"  # (signed links already sent carry this salt)


def opt_out_url(address: str, kind: str) -> str:
    token = signing.dumps({"a": address.lower(), "k": kind}, salt=OPT_OUT_SALT, compress=True)
    return settings.SITE_URL + reverse("outbox:opt_out", args=[token])


def read_opt_out_token(token: str) -> tuple[str, str] | None:
    try:
        data = signing.loads(token, salt=OPT_OUT_SALT)
    except signing.BadSignature:
        return None
    if data.get("k") not in Kind.values:
        return None
    return data["a"], data["k"]


def render_email(template: str, context: dict) -> tuple[str, str]:
    """Plain text and HTML of `<template>.txt` and `<template>.html` (a path such as
    "convenings/email/invitation")."""
    return (
        render_to_string(f"{template}.txt", context),
        render_to_string(f"{template}.html", context),
    )


def reply_to_header(*people: tuple[str, str] | None) -> str:
    """The Reply-To value for these (name, address) pairs, skipping None and empty ones."""
    pairs = [(name, address) for name, address in filter(None, people) if address]
    return ", ".join(formataddr(pair) for pair in pairs)


def user_address(user) -> tuple[str, str] | None:
    """(name, email) of a user for reply_to_header; None without a user or an email."""
    if user is None or not user.email:
        return None
    return user.get_full_name() or user.get_username(), user.email


def schedule(
    *,
    key: str,
    kind: str,
    subject: str,
    template: str,
    context: dict,
    due_at: datetime.datetime,
    person: Person | None = None,
    address: str = "",
    cc: list[str] | None = None,
    reply_to: str = "",
    value_chain=None,
    about=None,
    attachments: list[dict] | None = None,
) -> Message | None:
    """Write one outbox row in the caller's transaction; idempotent on `key`.

    Returns the message (the existing one when `key` was scheduled before; `just_created`
    tells which). A recipient without an email gets a row in state `failed` ("no email
    address"), and one who gave no consent to contact (for a kind that needs it, see
    models.CONSENT_RULES) or opted out of this kind a row in state `suppressed` with why, so
    the coordinator sees who was not reached. `send_messages` checks consent again.
    `reply_to` (see reply_to_header) is the person who caused it, so that an answer reaches
    them.
    """
    address = (address or (person.email if person else "")).strip()
    existing = Message.objects.filter(idempotency_key=key).first()
    if existing is not None:
        existing.just_created = False
        return existing
    suppressed = _suppression_at_scheduling(kind=kind, address=address, person=person)
    context = {
        **context,
        "person": person,
        "site_url": settings.SITE_URL,
        "opt_out_url": opt_out_url(address, kind) if address else "",
        "kind_label": Kind(kind).label,
    }
    text, html = render_email(template, context)
    fields = dict(
        person=person,
        to_address=address,
        cc=", ".join(cc or []),
        # (Never the recipient themselves: a reply to oneself reaches nobody new.)
        reply_to=", ".join(
            formataddr(pair)
            for pair in getaddresses([reply_to])
            if pair[1] and pair[1].lower() != address.lower()
        )[:500],
        kind=kind,
        value_chain=value_chain,
        about_type=about._meta.model_name if about is not None else "",
        about_id=about.pk if about is not None else None,
        subject=subject[:250],
        body_text=text,
        body_html=html,
        attachments=attachments or [],
        due_at=due_at,
    )
    if not address:
        fields.update(state=State.FAILED, last_error="No email address: not sent.")
    elif suppressed:
        fields.update(state=State.SUPPRESSED, last_error=suppressed)
    try:
        with transaction.atomic():
            message = Message.objects.create(idempotency_key=key, **fields)
    except IntegrityError:
        # Another transaction scheduled the same key first.
        message = Message.objects.get(idempotency_key=key)
        message.just_created = False
        return message
    message.just_created = True
    if message.state == State.PENDING and due_at <= timezone.now():
        transaction.on_commit(lambda: enqueue([message.pk]))
    return message


def _suppression_at_scheduling(*, kind: str, address: str, person: Person | None) -> str:
    """Why a message of `kind` to `address` must not be sent ("" when it may). The person is
    the one given, else the directory's person with that address; an address of nobody in
    the directory (a coordinator's own account) is held to its opt-outs only."""
    if not address:
        return ""
    if OptOut.objects.filter(address=address.lower(), kind=kind).exists():
        return opted_out_note(kind)
    if not needs_consent(kind):
        return ""
    if person is None:
        person = (
            Person.objects.annotate(address=Lower("email"))
            .filter(address=address.lower())
            .only("consent_to_contact")
            .first()
        )
    if person is not None and not person.consent_to_contact:
        return NO_CONSENT
    return ""


def suppress_withheld(batch: list[Message]) -> list[Message]:
    """The messages of a claimed batch that may still be sent; the others (consent withdrawn
    or an opt-out since they were scheduled) are marked suppressed with why. Two queries for
    the whole batch: the people it addresses (by person, else by address) and their opt-outs.
    Copied addresses without consent or opted out are dropped from the copy."""
    if not batch:
        return batch
    addresses = set()
    for m in batch:
        addresses.add(m.to_address.lower())
        addresses.update(a.strip().lower() for a in m.cc.split(",") if a.strip())
    person_ids = {m.person_id for m in batch if m.person_id}
    people = list(
        Person.objects.annotate(address=Lower("email"))
        .filter(Q(pk__in=person_ids) | Q(address__in=addresses))
        .values_list("pk", "address", "consent_to_contact")
    )
    consent_by_id = {pk: consent for pk, _, consent in people}
    consent_by_address = {address: consent for _, address, consent in people if address}
    opted_out = set(
        OptOut.objects.filter(address__in=addresses, kind__in={m.kind for m in batch}).values_list(
            "address", "kind"
        )
    )
    keep: list[Message] = []
    withheld: dict[str, list[int]] = {}
    for m in batch:
        address = m.to_address.lower()
        if (address, m.kind) in opted_out:
            reason = opted_out_note(m.kind)
        elif needs_consent(m.kind) and not consent_by_id.get(
            m.person_id, consent_by_address.get(address, True)
        ):
            reason = NO_CONSENT
        else:
            if m.cc:
                m.cc = ", ".join(
                    a.strip()
                    for a in m.cc.split(",")
                    if a.strip()
                    and (a.strip().lower(), m.kind) not in opted_out
                    and (
                        not needs_consent(m.kind) or consent_by_address.get(a.strip().lower(), True)
                    )
                )
            keep.append(m)
            continue
        withheld.setdefault(reason, []).append(m.pk)
    for reason, pks in withheld.items():
        Message.objects.filter(pk__in=pks, state=State.SENDING).update(
            state=State.SUPPRESSED, last_error=reason, claimed_at=None
        )
    return keep


def cancel(about, kinds: list[str] | None = None, *, reason: str = "Cancelled: superseded.") -> int:
    """Cancel the pending messages about an object (e.g. a reminder of a moved convening)."""
    qs = Message.objects.filter(
        about_type=about._meta.model_name, about_id=about.pk, state=State.PENDING
    )
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.update(state=State.CANCELLED, last_error=reason)


def enqueue(ids: list[int], batch: int = 50) -> int:
    """Queue send tasks (one per batch of up to `batch` messages) and note when; a broker
    outage is logged, not raised (the scan queues them again when the broker is back)."""
    from .tasks import send_messages

    done: list[int] = []
    try:
        for i in range(0, len(ids), batch):
            chunk = ids[i : i + batch]
            send_messages.delay(chunk)
            done += chunk
    except Exception:  # broker down: the outbox rows keep the messages
        log.warning("Broker unavailable; %d messages wait for the scan", len(ids) - len(done))
    if done:
        Message.objects.filter(pk__in=done).update(enqueued_at=timezone.now())
    return len(done)


def dispatch_due(now: datetime.datetime | None = None, limit: int = 5000) -> int:
    """The periodic scan: settle stale claims, then queue what is due and not queued lately.

    A claim older than the lease is a worker that died mid-send (or is stuck): if it had not
    handed the message over, the server never had all of it, and it goes back to pending;
    if it had, it becomes unconfirmed and is not sent again (see handover.py). A message queued
    but lost (Redis restarted empty) is queued again after the lease.
    """
    now = now or timezone.now()
    lease = datetime.timedelta(seconds=settings.VCC_OUTBOX_LEASE_SECONDS)
    stale = Message.objects.filter(state=State.SENDING, claimed_at__lt=now - lease)
    stale.filter(handed_at__isnull=True).update(
        state=State.PENDING, claimed_at=None, enqueued_at=None
    )
    stale.filter(handed_at__isnull=False).update(
        state=State.UNCONFIRMED,
        sent_at=F("handed_at"),
        last_error=f"{UNCONFIRMED_NOTE} (The worker stopped before the reply.)",
    )
    ids = list(
        Message.objects.filter(state=State.PENDING, due_at__lte=now)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - lease))
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    return enqueue(ids) if ids else 0


def build_email(message: Message, connection=None) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        to=[message.to_address],
        cc=[a.strip() for a in message.cc.split(",") if a.strip()],
        reply_to=[formataddr(pair) for pair in getaddresses([message.reply_to]) if pair[1]],
        headers={
            "Message-ID": message.message_id,
            "X-VCC-Kind": message.kind,
        },
        connection=connection,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for attachment in message.attachments:
        email.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    return email


def claim_batch(pks: list[int], now: datetime.datetime | None = None) -> list[Message]:
    """Claim the messages in one conditional statement (UPDATE ... RETURNING): the rows this
    caller's UPDATE changed from pending and due to sending, soonest due first. Each row is
    claimed by exactly one caller: a concurrent claimer waits for the row and then no
    longer finds it pending, so a message claimed, sent or cancelled elsewhere is left out."""
    if not pks:
        return []
    now = connection.ops.adapt_datetimefield_value(now or timezone.now())
    table = Message._meta.db_table
    ids = ", ".join(["%s"] * len(pks))
    rows = Message.objects.raw(
        f"UPDATE {table} SET state = %s, claimed_at = %s, attempts = attempts + 1 "
        f"WHERE id IN ({ids}) AND state = %s AND due_at <= %s RETURNING *",
        [State.SENDING, now, *pks, State.PENDING, now],
    )
    return sorted(rows, key=lambda m: (m.due_at, m.pk))


def send_message(pk: int, smtp=None) -> bool:
    """Claim the message and send it; True when this call delivered it."""
    return send_messages([pk], smtp) == 1


class ClaimLost(Exception):
    """The row may no longer be this sender's (its claim lapsed): not sent."""


def send_messages(pks: list[int], smtp=None) -> int:
    """Claim the due messages among `pks` (one UPDATE) and send each; how many this call
    delivered. They all go over `smtp` (a mail connection; the default one if None),
    reopened after a failure.

    Each message is marked on its row as handed over together with the final "." of its
    DATA (see handover.py), and as sent when the server confirms. A worker killed before the
    mark leaves the row in `sending`, and the scan hands it back after the lease: the server
    never had the whole message, so it goes out once. A worker killed after the mark leaves
    a row the scan shows as unconfirmed, and it is not sent again: the server has it. So no
    message goes out twice, whenever the worker dies; one killed between the mark's write
    and the "."'s (microseconds apart) is lost, and shown as unconfirmed.

    Consent and opt-outs are checked again on the claimed batch (`suppress_withheld`, two
    queries whatever its size): a person who withdrew consent or opted out after the
    message was scheduled is not sent it.
    """
    own = smtp is None
    if own:
        smtp = get_connection()
    sent = 0
    try:
        batch = suppress_withheld(claim_batch(pks))
        claim = _Claim(batch)
        for message in batch:
            if not claim.still_ours(message):
                continue  # handed back and claimed again while this sender was stalled
            hand_over = _Handover(message, claim)
            try:
                if getattr(smtp, "connection", True) is None:
                    smtp.open()  # closed after an earlier failure
                email = build_email(message, smtp)
                if isinstance(smtp, HandoverBackend):
                    smtp.on_handover = hand_over
                    try:
                        email.send()
                    finally:
                        smtp.on_handover = None
                else:
                    hand_over()()  # files, memory: no final ".", handed over as written
                    email.send()
            except ClaimLost:
                log.warning("Message %s: claim lost before the hand-over; not sent", message.pk)
                smtp.close()  # the content went without its final ".": discarded
                continue
            except Exception as error:
                if (
                    hand_over.done
                    and isinstance(smtp, HandoverBackend)
                    and not isinstance(error, smtplib.SMTPResponseException)
                ):
                    _mark_unconfirmed(message, error)  # "." sent, no reply
                else:
                    _record_failure(message, error)
                smtp.close()  # the next message starts on a fresh connection
                continue
            _mark_sent(message)
            sent += 1
    finally:
        if own:
            smtp.close()
    return sent


class _Claim:
    """This sender's claim on its batch. The scan hands a claim back after the lease, so a
    sender renews it (claimed_at) every quarter of the lease while it works through a long
    batch, and keeps sending only the rows the renewal still finds its own; one that has not
    renewed for half the lease (it stalled) gives the next message up before its final ".".
    Whether a claim is still its own is not asked of the database per message: that would
    cost a round trip between the hand-over mark and the "."."""

    def __init__(self, messages: list[Message]):
        self.at = time.monotonic()
        self.ours = {m.pk: m.attempts for m in messages}

    def still_ours(self, message: Message) -> bool:
        if time.monotonic() - self.at > settings.VCC_OUTBOX_LEASE_SECONDS / 4:
            self.at = time.monotonic()
            self.ours = _renew(self.ours)
        return message.pk in self.ours

    def held(self) -> bool:
        return time.monotonic() - self.at <= settings.VCC_OUTBOX_LEASE_SECONDS / 2


def _renew(ours: dict[int, int]) -> dict[int, int]:
    """claimed_at = now for the rows of `ours` still claimed by this sender (same attempt)
    and not yet handed over; those rows."""
    if not ours:
        return {}
    pairs = ", ".join(["(%s, %s)"] * len(ours))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_TABLE} SET claimed_at = %s WHERE state = %s AND handed_at IS NULL "
            f"AND (id, attempts) IN ({pairs}) RETURNING id, attempts",
            [_now_for_db(), State.SENDING, *[v for pair in ours.items() for v in pair]],
        )
        return dict(cursor.fetchall())


class _Handover:
    """Called just before the final "." of a message: sends the hand-over mark of its row
    (written only on this sender's claim: same state and attempt) and returns a function
    that waits for it, called once the "." is written (see handover.py). Raises ClaimLost,
    before anything is marked, if the claim may have lapsed."""

    def __init__(self, message: Message, claim: _Claim):
        self.message = message
        self.claim = claim
        self.done = False

    def __call__(self):
        if not self.claim.held():
            raise ClaimLost(self.message.pk)
        wait = send_statement(_MARK_HANDED, [self.message.pk, self.message.attempts])
        self.done = True

        def settle() -> None:
            if wait() != 1:  # taken over after all: it may arrive twice
                log.error("Message %s handed over on a claim no longer ours", self.message.pk)

        return settle


def _mark_sent(message: Message) -> None:
    """sending → sent on the server's confirmation (also from unconfirmed, when the scan
    got there first while the server was slow to reply)."""
    write_statement(_MARK_SENT, [State.SENT, _now_for_db(), message.pk, message.attempts])


def _mark_unconfirmed(message: Message, error: Exception) -> None:
    write_statement(
        _MARK_UNCONFIRMED,
        [
            State.UNCONFIRMED,
            f"{UNCONFIRMED_NOTE} ({type(error).__name__}: {error})"[:2000],
            message.pk,
            message.attempts,
        ],
    )


UNCONFIRMED_NOTE = (
    "Handed to the mail server, which did not confirm it. It has probably arrived; "
    "vcc does not send it again by itself."
)


_TABLE = Message._meta.db_table
_MARK_HANDED = (
    f"UPDATE {_TABLE} SET handed_at = CURRENT_TIMESTAMP {{no_flush_wait}} "
    f"WHERE id = %s AND attempts = %s AND state = '{State.SENDING}'"
)
_MARK_SENT = (
    f"UPDATE {_TABLE} SET state = %s, sent_at = %s, last_error = '' {{no_flush_wait}} "
    f"WHERE id = %s AND attempts = %s AND state IN ('{State.SENDING}', '{State.UNCONFIRMED}')"
)
_MARK_UNCONFIRMED = (
    f"UPDATE {_TABLE} SET state = %s, sent_at = handed_at, last_error = %s {{no_flush_wait}} "
    f"WHERE id = %s AND attempts = %s AND state = '{State.SENDING}'"
)


def _now_for_db():
    return connection.ops.adapt_datetimefield_value(timezone.now())


def _record_failure(message: Message, error: Exception) -> None:
    """Back to pending with a backoff (the scan sends it again), or failed after the last try."""
    retry = message.attempts < settings.VCC_OUTBOX_MAX_ATTEMPTS
    backoff = datetime.timedelta(seconds=30 * 2 ** (message.attempts - 1))
    Message.objects.filter(pk=message.pk, attempts=message.attempts, state=State.SENDING).update(
        state=State.PENDING if retry else State.FAILED,
        due_at=timezone.now() + backoff if retry else message.due_at,
        last_error=f"{type(error).__name__}: {error}"[:2000],
        claimed_at=None,
        enqueued_at=None,
        handed_at=None,
    )


RESENDABLE = (State.UNCONFIRMED, State.FAILED)


@transaction.atomic
def send_again(message: Message) -> bool:
    """A coordinator's "Send again" of an unconfirmed or failed message: pending and due
    now, queued on commit. Same Message-ID, so a receiver that has it can tell. False when
    it is no longer in such a state, or has no address."""
    if not message.to_address:
        return False
    changed = Message.objects.filter(pk=message.pk, state__in=RESENDABLE).update(
        state=State.PENDING,
        due_at=timezone.now(),
        claimed_at=None,
        enqueued_at=None,
        handed_at=None,
        sent_at=None,
        last_error="",
    )
    if changed:
        transaction.on_commit(lambda: enqueue([message.pk]))
    return changed == 1


@transaction.atomic
def opt_out(address: str, kind: str) -> None:
    """Record the opt-out and suppress what is still pending of that kind to that address."""
    OptOut.objects.get_or_create(address=address.lower(), kind=kind)
    Message.objects.filter(to_address__iexact=address, kind=kind, state=State.PENDING).update(
        state=State.SUPPRESSED, last_error=opted_out_note(kind)
    )
