"""Market matchmaking: introductions of one partner to another, and their pipeline.

(Match suggestions arrive with the matchmaking issue and hand accepted matches to
introductions.)"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least
from django.urls import reverse
from django.utils import timezone

from partners.models import Need, Offer, Partner, Person, ValueChain


class IntroductionStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    INTRODUCED = "introduced", "Introduced"
    TALKING = "talking", "Talking"
    TRIAL_ORDER = "trial_order", "Trial order"
    TRADING = "trading", "Trading"
    DECLINED = "declined", "Declined"
    STALLED = "stalled", "Stalled"


# The pipeline, in order; declined and stalled end it.
PIPELINE = [
    IntroductionStatus.PROPOSED,
    IntroductionStatus.INTRODUCED,
    IntroductionStatus.TALKING,
    IntroductionStatus.TRIAL_ORDER,
    IntroductionStatus.TRADING,
]
CLOSED = [IntroductionStatus.DECLINED, IntroductionStatus.STALLED]
OPEN = PIPELINE  # a pair with an introduction in one of these may not be introduced again


class Introduction(models.Model):
    """The coordinator introduces partner A to partner B, for a reason."""

    value_chain = models.ForeignKey(
        ValueChain, on_delete=models.CASCADE, related_name="introductions"
    )
    partner_a = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    partner_b = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    person_a = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person_b = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(help_text="Why these two should meet.")
    offer = models.ForeignKey(
        Offer, on_delete=models.SET_NULL, null=True, blank=True, related_name="introductions"
    )
    need = models.ForeignKey(
        Need, on_delete=models.SET_NULL, null=True, blank=True, related_name="introductions"
    )
    status = models.CharField(
        max_length=20, choices=IntroductionStatus.choices, default=IntroductionStatus.PROPOSED
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    annual_sales_value = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="When trading."
    )
    annual_volume = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    volume_unit = models.CharField(max_length=20, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-status_changed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(partner_a=F("partner_b")), name="introduction_not_to_itself"
            ),
            models.UniqueConstraint(
                Least("partner_a", "partner_b"),
                Greatest("partner_a", "partner_b"),
                condition=Q(status__in=OPEN),
                name="introduction_one_open_per_pair",
            ),
            models.CheckConstraint(
                condition=Q(annual_sales_value__isnull=True) | Q(annual_sales_value__gte=0),
                name="introduction_sales_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(annual_volume__isnull=True) | Q(annual_volume__gte=0),
                name="introduction_volume_not_negative",
            ),
        ]
        indexes = [
            models.Index(
                fields=["value_chain", "status", "-status_changed_at"], name="intro_board"
            ),
            models.Index(fields=["status", "status_changed_at"], name="intro_status_age"),
            models.Index(fields=["partner_a", "-status_changed_at"], name="intro_partner_a"),
            models.Index(fields=["partner_b", "-status_changed_at"], name="intro_partner_b"),
        ]

    def __str__(self) -> str:
        return f"{self.partner_a} ↔ {self.partner_b}"

    def get_absolute_url(self) -> str:
        return reverse("matchmaking:introduction", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def next_status(self) -> str | None:
        """The next step of the pipeline, if any."""
        if self.status in PIPELINE[:-1]:
            return PIPELINE[PIPELINE.index(self.status) + 1]
        return None

    @property
    def next_status_label(self) -> str:
        return IntroductionStatus(self.next_status).label if self.next_status else ""


class IntroductionEvent(models.Model):
    """A change of an introduction's status, or a note on how it is going, with its date."""

    introduction = models.ForeignKey(Introduction, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=20, choices=IntroductionStatus.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["introduction", "at"], name="intro_event_at")]

    def __str__(self) -> str:
        return f"{self.introduction_id}: {self.status}"
