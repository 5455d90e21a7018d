"""Writes of the outbox: schedule a message in the caller's transaction; claim and send it once.

A message is sent by exactly one worker: `send_message` claims its row with a conditional
UPDATE (pending → sending) that must change exactly one row, and sends with a stable
Message-ID. A worker that dies mid-send leaves its row in `sending`; after the lease
(VCC_OUTBOX_LEASE_SECONDS) the scan hands it back to `pending`.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from partners.models import Person

from .models import Kind, Message, OptOut, State

log = logging.getLogger(__name__)

OPT_OUT_SALT = "followups.opt-out"


def opt_out_url(address: str, kind: str) -> str:
    token = signing.dumps({"a": address.lower(), "k": kind}, salt=OPT_OUT_SALT, compress=True)
    return settings.SITE_URL + reverse("followups:opt_out", args=[token])


def read_opt_out_token(token: str) -> tuple[str, str] | None:
    try:
        data = signing.loads(token, salt=OPT_OUT_SALT)
    except signing.BadSignature:
        return None
    if data.get("k") not in Kind.values:
        return None
    return data["a"], data["k"]


def render_email(template: str, context: dict) -> tuple[str, str]:
    """Plain text and HTML of `followups/email/<template>.txt|.html` (or the app's path)."""
    return (
        render_to_string(f"{template}.txt", context),
        render_to_string(f"{template}.html", context),
    )


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
    value_chain=None,
    about=None,
    attachments: list[dict] | None = None,
) -> Message | None:
    """Write one outbox row in the caller's transaction; idempotent on `key`.

    Returns the message (the existing one when `key` was scheduled before; `just_created`
    tells which), or None when
    the recipient opted out of this kind. A recipient without an email gets a row in state
    `failed` ("no email address") so the coordinator sees who was not reached.
    """
    address = (address or (person.email if person else "")).strip()
    existing = Message.objects.filter(idempotency_key=key).first()
    if existing is not None:
        existing.just_created = False
        return existing
    if address and OptOut.objects.filter(address=address.lower(), kind=kind).exists():
        return None
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


def cancel(about, kinds: list[str] | None = None) -> int:
    """Cancel the pending messages about an object (e.g. a reminder of a moved convening)."""
    qs = Message.objects.filter(
        about_type=about._meta.model_name, about_id=about.pk, state=State.PENDING
    )
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.update(state=State.CANCELLED, last_error="Cancelled: superseded.")


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
    """The periodic scan: hand back stale claims, then queue what is due and not queued lately.

    A message queued but lost (Redis restarted empty) is queued again after the lease.
    """
    now = now or timezone.now()
    lease = datetime.timedelta(seconds=settings.VCC_OUTBOX_LEASE_SECONDS)
    Message.objects.filter(state=State.SENDING, claimed_at__lt=now - lease).update(
        state=State.PENDING, claimed_at=None, enqueued_at=None
    )
    ids = list(
        Message.objects.filter(state=State.PENDING, due_at__lte=now)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - lease))
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    return enqueue(ids) if ids else 0


def claim(pk: int, now: datetime.datetime | None = None) -> bool:
    """pending and due → sending; True only for the one caller whose UPDATE changed the row."""
    now = now or timezone.now()
    changed = Message.objects.filter(pk=pk, state=State.PENDING, due_at__lte=now).update(
        state=State.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return changed == 1


def build_email(message: Message, connection=None) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        to=[message.to_address],
        cc=[a.strip() for a in message.cc.split(",") if a.strip()],
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
    """claim() for many messages in one statement (UPDATE ... RETURNING): the rows this
    caller's UPDATE changed from pending and due to sending, soonest due first. Each row is
    still claimed by exactly one caller: a concurrent claimer waits for the row and then no
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


def send_messages(pks: list[int], smtp=None) -> int:
    """Claim the due messages among `pks` (one UPDATE) and send each; how many this call
    delivered. With `smtp` (a mail connection) they all go over it, reopened after a
    failure. Each outcome is written to its own row as soon as it is known: a delivered
    message is marked sent before the next one goes, so a worker killed mid-batch leaves
    in `sending` (handed back after the lease) the messages it had not yet sent; only one
    killed between the server's acceptance and that write would go out again, with the
    same Message-ID.

    Opt-outs need no check here: services.opt_out cancels the pending rows of that kind in
    the same transaction that records it.
    """
    sent = 0
    for message in claim_batch(pks):
        try:
            if smtp is not None and getattr(smtp, "connection", True) is None:
                smtp.open()  # closed after an earlier failure
            build_email(message, smtp).send()
        except Exception as error:
            _record_failure(message, error)
            if smtp is not None:
                smtp.close()  # the next message starts on a fresh connection
            continue
        _mark_sent(message.pk)
        sent += 1
    return sent


def _mark_sent(pk: int) -> None:
    """sending → sent, right after the server's acceptance: one plain statement, with no ORM
    work between the acceptance and the write, to keep the window in which a killed worker
    leaves a delivered message in `sending` (and it goes out again after the lease) short.
    That window closes when the statement is on its way: PostgreSQL commits it even if the
    worker dies while it waits for the reply.

    On PostgreSQL, outside a transaction, the statement's commit does not wait for the WAL
    flush (synchronous_commit off for this statement only): half the time of each message
    on a disk where a flush takes a millisecond or more. The cost: if PostgreSQL itself
    crashes (not the worker), the last few hundred milliseconds of `sent` marks can be lost;
    those messages go back to pending after the lease and go out again, with the same
    Message-ID. A crash of the database, unlike a killed worker, is rare enough for that."""
    no_wait = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute(
            _MARK_SENT_NO_FLUSH_WAIT_SQL if no_wait else _MARK_SENT_SQL,
            [State.SENT, _now_for_db(), pk, State.SENDING],
        )


_MARK_SENT_SQL = (
    f"UPDATE {Message._meta.db_table} SET state = %s, sent_at = %s, last_error = '' "
    "WHERE id = %s AND state = %s"
)
# The same statement, setting synchronous_commit off for its own transaction first
# (set_config(..., true) is transaction-local; in autocommit the transaction is this statement).
_MARK_SENT_NO_FLUSH_WAIT_SQL = (
    f"UPDATE {Message._meta.db_table} SET state = %s, sent_at = %s, last_error = '' "
    "FROM (SELECT set_config('synchronous_commit', 'off', true)) AS no_flush_wait "
    "WHERE id = %s AND state = %s"
)


def _now_for_db():
    return connection.ops.adapt_datetimefield_value(timezone.now())


def _record_failure(message: Message, error: Exception) -> None:
    """Back to pending with a backoff (the scan sends it again), or failed after the last try."""
    retry = message.attempts < settings.VCC_OUTBOX_MAX_ATTEMPTS
    backoff = datetime.timedelta(seconds=30 * 2 ** (message.attempts - 1))
    Message.objects.filter(pk=message.pk, state=State.SENDING).update(
        state=State.PENDING if retry else State.FAILED,
        due_at=timezone.now() + backoff if retry else message.due_at,
        last_error=f"{type(error).__name__}: {error}"[:2000],
        claimed_at=None,
        enqueued_at=None,
    )


@transaction.atomic
def opt_out(address: str, kind: str) -> None:
    """Record the opt-out and cancel what is still pending of that kind to that address."""
    OptOut.objects.get_or_create(address=address.lower(), kind=kind)
    Message.objects.filter(to_address__iexact=address, kind=kind, state=State.PENDING).update(
        state=State.CANCELLED, last_error="The recipient opted out of this kind."
    )
