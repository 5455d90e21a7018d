"""Email read from the capture mailbox: one row per message (unique on its Message-ID), its
addresses and attachments; a message either became an interaction, waits in a chain's review
queue, was recorded as an RSVP, or was discarded."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from partners.models import Interaction, Person, ValueChain


class CaptureStatus(models.TextChoices):
    CAPTURED = "captured", "On the timeline"
    REVIEW = "review", "Waiting for review"
    RSVP = "rsvp", "Recorded as an RSVP"
    DISCARDED = "discarded", "Discarded"


class AddressRole(models.TextChoices):
    FROM = "from", "From"
    TO = "to", "To"
    CC = "cc", "Cc"


class MailboxState(models.Model):
    """How far the poller has read one mailbox (its URL without the password), per
    UIDVALIDITY: the highest UID captured, written in each message's own transaction."""

    mailbox = models.CharField(max_length=500)
    uidvalidity = models.BigIntegerField()
    last_uid = models.BigIntegerField(default=0)
    polled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "uidvalidity"], name="mailbox_state_once")
        ]

    def __str__(self) -> str:
        return f"{self.mailbox} (UIDVALIDITY {self.uidvalidity}): UID {self.last_uid}"


class CapturedMessage(models.Model):
    # The message's Message-ID, or "hash:<sha256 of its headers>" when it has none.
    message_id = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=CaptureStatus.choices)
    review_reason = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    sent_at = models.DateTimeField()
    # Who sent it to the mailbox (the forwarder, for a forwarded message).
    sender_address = models.CharField(max_length=320, blank=True)
    sender_name = models.CharField(max_length=200, blank=True)
    forwarded = models.BooleanField(default=False)
    # The coordinator who sent it, when they are one.
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    interaction = models.OneToOneField(
        Interaction,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="captured_message",
    )
    # The chains whose review queue shows it (the coordinator's, or those of its known people).
    value_chains = models.ManyToManyField(ValueChain, blank=True, related_name="captured_messages")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    mailbox_uid = models.BigIntegerField(null=True, blank=True)
    size = models.PositiveIntegerField(default=0)
    captured_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            # The claim that makes capture exactly-once; it outlives the interaction (deleted
            # from its timeline, the message is not captured again).
            models.UniqueConstraint(fields=["message_id"], name="captured_message_id_once"),
        ]
        indexes = [models.Index(fields=["status", "-sent_at", "-id"], name="captured_by_status")]

    def __str__(self) -> str:
        return self.subject or "(no subject)"

    def get_absolute_url(self) -> str:
        return reverse("capture:message", args=[self.pk])


class CapturedAddress(models.Model):
    """An address the message was with (the original ones, for a forwarded message)."""

    message = models.ForeignKey(CapturedMessage, on_delete=models.CASCADE, related_name="addresses")
    role = models.CharField(max_length=4, choices=AddressRole.choices)
    address = models.CharField(max_length=320)
    name = models.CharField(max_length=200, blank=True)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["message", "address"], name="captured_address_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.address}"


class CapturedAttachment(models.Model):
    """A file that came with the message. Over VCC_CAPTURE_MAX_ATTACHMENT_BYTES it is listed
    but not kept (`kept` false, no content)."""

    message = models.ForeignKey(
        CapturedMessage, on_delete=models.CASCADE, related_name="attachments"
    )
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    kept = models.BooleanField(default=True)
    content = models.BinaryField(editable=False)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["message", "id"], name="captured_attachment_message")]

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("capture:attachment", args=[self.pk])
