"""The outbox: every follow-up is a Message row, written in the same transaction as the change
that causes it; Celery sends what is due. The row's due_at is the schedule (no countdown/eta)."""

import hashlib

from django.db import models
from django.db.models import Q

from partners.models import Person, ValueChain


class Kind(models.TextChoices):
    INVITATION = "invitation", "Convening invitation"
    UPDATE = "update", "Convening update"
    REMINDER = "reminder", "Convening reminder"
    CANCELLATION = "cancellation", "Convening cancelled"
    MINUTES = "minutes", "Minutes"
    ACTION_DUE = "action_due", "Action item due soon"
    ACTION_OVERDUE = "action_overdue", "Action item overdue"
    INTRODUCTION = "introduction", "How did the introduction go?"
    COMMITMENT = "commitment", "Commitment due"
    DIGEST = "digest", "Weekly digest"
    # Accounts (accounts/emails.py): not opted out of, they answer the user's own request.
    ACCOUNT_INVITATION = "account_invitation", "Invitation to sign in"
    PASSWORD_RESET = "password_reset", "Password reset"
    EMAIL_CHANGE = "email_change", "New email address to confirm"
    EMAIL_CHANGED = "email_changed", "Email address changed"
    TASK = "task", "Task due"
    OTHER = "other", "Other"


class State(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    # Handed to the mail server, whose confirmation never came (the worker stopped, or the
    # connection dropped after the final "."). Never sent again automatically: see mail.py.
    UNCONFIRMED = "unconfirmed", "Sent, unconfirmed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    # Not sent, and never will be: the recipient gave no consent to contact, or opted out of
    # this kind (checked when scheduled and again when sent). last_error says which.
    SUPPRESSED = "suppressed", "Suppressed"


# Which kinds of email need the recipient's consent (Person.consent_to_contact), and why.
# Transactional email, which a person asked for or needs to use their account, goes out
# without it; everything vcc sends on a coordinator's initiative needs it. A kind missing from
# this table needs consent. Every kind also honours the recipient's opt-out of that kind. The
# README's "Personal data" section shows this table.
CONSENT_RULES: dict[str, tuple[bool, str]] = {
    Kind.INVITATION: (True, "an invitation the coordinator sends"),
    Kind.UPDATE: (True, "follows a convening invitation"),
    Kind.REMINDER: (True, "follows a convening invitation"),
    Kind.MINUTES: (True, "sent to those invited to a convening"),
    Kind.CANCELLATION: (True, "follows a convening invitation"),
    Kind.ACTION_DUE: (True, "a reminder the person did not ask for"),
    Kind.ACTION_OVERDUE: (True, "a reminder the person did not ask for"),
    Kind.INTRODUCTION: (True, "follow-up of an introduction the coordinator made"),
    Kind.COMMITMENT: (True, "a reminder the person did not ask for"),
    Kind.DIGEST: (True, "a newsletter-like summary"),
    Kind.OTHER: (True, "anything else is treated as needing consent"),
    # Transactional: needed to use one's account, and asked for by the person (or the sign-in
    # a coordinator opened for them).
    Kind.ACCOUNT_INVITATION: (False, "an invitation to sign in to one's own account"),
    Kind.PASSWORD_RESET: (False, "asked for by the person"),
    Kind.EMAIL_CHANGE: (False, "asked for by the person"),
    Kind.EMAIL_CHANGED: (False, "tells the old address of a change to the account"),
    Kind.TASK: (False, "a coordinator's own to-do, on the morning it is due"),
}


def needs_consent(kind: str) -> bool:
    return CONSENT_RULES.get(kind, (True, ""))[0]


NO_CONSENT = "No consent to contact: not sent."


def opted_out_note(kind: str) -> str:
    label = Kind(kind).label if kind in Kind.values else kind
    return f"Opted out of “{label}” emails: not sent."


class Message(models.Model):
    """One email to one recipient, rendered when scheduled, sent once when due."""

    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    to_address = models.EmailField(blank=True, help_text="Empty when the person has no email.")
    cc = models.CharField(max_length=500, blank=True, help_text="Comma-separated addresses.")
    reply_to = models.CharField(
        max_length=500,
        blank=True,
        help_text="Who answers reach: the person who caused the message (Name <address>, "
        "comma-separated); empty when nobody did.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    value_chain = models.ForeignKey(
        ValueChain, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    about_type = models.CharField(max_length=40, blank=True, help_text="e.g. convening")
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = models.CharField(max_length=250)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    attachments = models.JSONField(
        default=list, blank=True, help_text="[{filename, content, mimetype}] (text only)"
    )
    due_at = models.DateTimeField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    idempotency_key = models.CharField(max_length=200, unique=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    handed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When its content went to the mail server, just before the final dot.",
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(sent_at__isnull=False), name="message_sent_dated"
            ),
        ]
        indexes = [
            # The scan: pending rows by due time.
            models.Index(
                fields=["due_at"], condition=Q(state="pending"), name="message_pending_due"
            ),
            # Stale claims of a worker that died mid-send.
            models.Index(
                fields=["claimed_at"], condition=Q(state="sending"), name="message_sending"
            ),
            # The coordinator's outbox page.
            models.Index(fields=["value_chain", "-due_at", "-id"], name="message_outbox"),
            models.Index(fields=["about_type", "about_id", "state"], name="message_about"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to_address or self.person}"

    @property
    def message_id(self) -> str:
        """Stable across retries, so a receiver can tell a resend from a new message."""
        digest = hashlib.sha256(self.idempotency_key.encode()).hexdigest()[:32]
        return f"<{digest}@vcc.followups>"


class OptOut(models.Model):
    """This address wants no more messages of this kind."""

    address = models.EmailField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["address", "kind"], name="optout_once"),
        ]

    def __str__(self) -> str:
        return f"{self.address} opted out of {self.get_kind_display()}"
