"""Intake forms: a public form a coordinator shares for one value chain (no sign-in, an
unguessable token in its link), and the answers it receives, which wait in the chain's review
queue as drafts until a coordinator accepts (records are created or updated) or rejects them."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from partners.models import ChainRole, Partner, PartnerKind, Period, ValueChain


class Section(models.TextChoices):
    """The parts of a form beyond the organisation's name, which every form asks."""

    KIND = "kind", "Kind of organisation"
    WEBSITE = "website", "Website"
    REGION = "region", "Region"
    DESCRIPTION = "description", "What the organisation does"
    PERSON = "person", "A contact person (name, email, phone)"
    OFFER = "offer", "An offer (product, volume, unit)"
    NEED = "need", "A need (product, volume, unit)"


def new_token() -> str:
    return secrets.token_urlsafe(24)


class IntakeForm(models.Model):
    value_chain = models.ForeignKey(
        ValueChain, on_delete=models.CASCADE, related_name="intake_forms"
    )
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True, max_length=2000)
    # Section values (Section): what the form asks besides the organisation's name.
    sections = models.JSONField(default=list, blank=True)
    closes_on = models.DateField(null=True, blank=True)
    is_open = models.BooleanField(default=True)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["value_chain", "-created_at"], name="intake_form_chain")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("intake:form", args=[self.pk])

    def public_path(self) -> str:
        return reverse("intake:public", args=[self.token])

    def asks(self, section: str) -> bool:
        return section in self.sections

    @property
    def accepting(self) -> bool:
        """Open, and its closing date (the last day answers are taken) not passed."""
        if not self.is_open:
            return False
        return self.closes_on is None or timezone.localdate() <= self.closes_on


class SubmissionStatus(models.TextChoices):
    REVIEW = "review", "Waiting for review"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class IntakeSubmission(models.Model):
    """One set of answers to a form, kept as typed until a coordinator decides."""

    form = models.ForeignKey(IntakeForm, on_delete=models.CASCADE, related_name="submissions")
    status = models.CharField(
        max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.REVIEW
    )
    partner_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, blank=True)
    website = models.CharField(max_length=200, blank=True)
    region = models.CharField(max_length=120, blank=True)
    description = models.TextField(blank=True, max_length=2000)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    offer_product = models.CharField(max_length=120, blank=True)
    offer_volume = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    offer_unit = models.CharField(max_length=20, blank=True)
    offer_period = models.CharField(max_length=10, choices=Period.choices, blank=True)
    need_product = models.CharField(max_length=120, blank=True)
    need_volume = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    need_unit = models.CharField(max_length=20, blank=True)
    need_period = models.CharField(max_length=10, choices=Period.choices, blank=True)
    # The likely duplicate found when it arrived: a partner of the chain with the same name,
    # email or website (services.likely_duplicate).
    duplicate = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    duplicate_reason = models.CharField(max_length=40, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    # The decision: who, when, the partner it created or updated, a rejection's note.
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    chain_role = models.CharField(max_length=20, choices=ChainRole.choices, blank=True)
    note = models.TextField(blank=True, max_length=1000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            # The review queue: a form's (or chain's) waiting answers, newest first.
            models.Index(fields=["form", "status", "-submitted_at", "-id"], name="intake_queue"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(offer_volume__isnull=True) | models.Q(offer_volume__gt=0),
                name="intake_offer_volume_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(need_volume__isnull=True) | models.Q(need_volume__gt=0),
                name="intake_need_volume_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner_name} ({self.form})"

    def get_absolute_url(self) -> str:
        return reverse("intake:submission", args=[self.pk])

    @property
    def kind_label(self) -> str:
        return dict(PartnerKind.choices).get(self.kind, self.kind)

    @property
    def person_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
