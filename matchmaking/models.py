"""Market matchmaking: suggested buyer–supplier pairs (scored, explained, stored), and the
introductions of one partner to another with their pipeline. An accepted suggestion becomes an
introduction."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least
from django.urls import reverse
from django.utils import timezone

from partners.models import Certification, Need, Offer, Partner, Person, ValueChain


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


# --- suggestions --------------------------------------------------------------------------------


def _weight(default: float, help_text: str):
    return models.FloatField(
        default=default,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=help_text,
    )


WEIGHT_FIELDS = ["product", "season", "volume", "certifications", "distance", "values"]
VALUE_FIELDS = ["small_producers", "locally_owned", "diverse_ownership", "new_entrants"]


class MatchSettings(models.Model):
    """How a value chain's suggestions are scored and who sees them, set by its coordinator."""

    value_chain = models.OneToOneField(
        ValueChain, on_delete=models.CASCADE, related_name="match_settings"
    )
    weight_product = _weight(1.0, "Same product, or a parent or child in the taxonomy.")
    weight_season = _weight(1.0, "Months offered that overlap the months needed.")
    weight_volume = _weight(1.0, "Share of the need the offer can cover, after commitments.")
    weight_certifications = _weight(0.5, "Holds the certifications the chain prefers.")
    weight_distance = _weight(1.0, "Closer suppliers, within the delivery radius.")
    weight_values = _weight(0.5, "The chain's values below, together.")
    value_small_producers = _weight(1.0, "Micro, small and mid-sized producers.")
    value_locally_owned = _weight(1.0, "Locally owned businesses.")
    value_diverse_ownership = _weight(0.5, "Women-, minority- or worker-owned businesses.")
    value_new_entrants = _weight(0.5, "Partners who joined the chain in the last year.")
    preferred_certifications = models.ManyToManyField(
        Certification,
        blank=True,
        related_name="+",
        help_text="Certifications that add to a supplier's score (a need's required ones "
        "are a hard filter).",
    )
    show_to_partners = models.BooleanField(
        default=False, help_text="Partners see the buyers or suppliers suggested to them."
    )
    hold_back_days = models.PositiveIntegerField(
        default=90, help_text="How long a dismissed pair stays out of the suggestions."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "match settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    **{f"weight_{f}__gte": 0 for f in WEIGHT_FIELDS},
                    **{f"value_{f}__gte": 0 for f in VALUE_FIELDS},
                ),
                name="match_settings_weights_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"Matchmaking settings of {self.value_chain}"

    @property
    def weights(self) -> dict[str, float]:
        return {f: getattr(self, f"weight_{f}") for f in WEIGHT_FIELDS}

    @property
    def value_weights(self) -> dict[str, float]:
        return {f: getattr(self, f"value_{f}") for f in VALUE_FIELDS}


class Suggestion(models.Model):
    """An offer suggested for a need in a chain: one of the need's best-scoring offers, with
    each component's value in [0, 1] and the time it was computed. Recomputing replaces the
    rows; reasons are rebuilt from the stored values when shown."""

    # Derived rows, all rewritten by a recompute: the database does not check these keys
    # (five deferred checks per row doubled the time of a full recompute), and only the indexes
    # below are kept; Django's on_delete still removes a suggestion with its need, offer,
    # partner or chain.
    value_chain = models.ForeignKey(
        ValueChain, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    need = models.ForeignKey(
        Need,
        on_delete=models.CASCADE,
        related_name="suggestions",
        db_constraint=False,
        db_index=False,
    )
    offer = models.ForeignKey(
        Offer,
        on_delete=models.CASCADE,
        related_name="suggestions",
        db_constraint=False,
        db_index=False,
    )
    buyer = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    supplier = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    rank = models.PositiveSmallIntegerField(help_text="1 is the need's best offer.")
    score = models.FloatField()
    product_fit = models.FloatField()
    season = models.FloatField()
    volume = models.FloatField()
    certifications = models.FloatField()
    distance = models.FloatField()
    values = models.FloatField()
    # Facts behind the sentences: km apart (null when a location is unknown), months both
    # ways, the volume available per year after what is already committed.
    distance_km = models.FloatField(null=True, blank=True)
    overlap_months = models.PositiveSmallIntegerField()
    available_volume = models.FloatField()
    committed_volume = models.FloatField()
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["need_id", "rank"]
        # Few indexes: a full recompute writes every row again (each index costs time).
        constraints = [
            # Need first: it also serves a need's page (filtered by need and chain).
            models.UniqueConstraint(
                fields=["need", "value_chain", "offer"], name="suggestion_unique_pair"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=1), name="suggestion_score_in_range"
            ),
        ]
        indexes = [
            # A producer's buyers; and (supplier first) removing a pair's suggestions.
            models.Index(fields=["supplier", "-score"], name="suggestion_supplier_score"),
            models.Index(fields=["offer"], name="suggestion_offer"),
            # The overview: each need's best match, by chain.
            models.Index(
                fields=["value_chain", "-score", "id"],
                condition=Q(rank=1),
                name="suggestion_chain_best",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer_id} for {self.need_id} ({self.score:.2f})"


class DismissalKind(models.TextChoices):
    DISMISSED = "dismissed", "Dismissed"
    SNOOZED = "snoozed", "Snoozed"


class Dismissal(models.Model):
    """A coordinator dismissed (with a reason) or snoozed a suggested pair of partners: the
    pair is held back from suggestions until `until`. Kept after it ends, as a record."""

    value_chain = models.ForeignKey(ValueChain, on_delete=models.CASCADE, related_name="+")
    buyer = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    supplier = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    need = models.ForeignKey(Need, on_delete=models.SET_NULL, null=True, blank=True)
    offer = models.ForeignKey(Offer, on_delete=models.SET_NULL, null=True, blank=True)
    kind = models.CharField(max_length=10, choices=DismissalKind.choices)
    reason = models.TextField(blank=True)
    until = models.DateField(help_text="The pair is held back until this day (inclusive).")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["until", "buyer", "supplier"], name="dismissal_until_pair"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="dismissed") | ~Q(reason=""), name="dismissal_has_reason"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.buyer_id} / {self.supplier_id}"


class RecomputeStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class RecomputeRun(models.Model):
    """A recompute of suggestions (nightly or asked for), with its progress: of every chain, or
    (a coordinator's) of the chains in `value_chains` only."""

    status = models.CharField(
        max_length=10, choices=RecomputeStatus.choices, default=RecomputeStatus.QUEUED
    )
    total = models.PositiveIntegerField(default=0, help_text="Needs to score.")
    done = models.PositiveIntegerField(default=0)
    suggestions = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    every_chain = models.BooleanField(
        default=True, help_text="Nightly and a superuser's: every chain; else `value_chains`."
    )
    value_chains = models.ManyToManyField(ValueChain, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at"], name="recompute_created")]

    def __str__(self) -> str:
        return f"Recompute {self.pk}: {self.status}"

    @property
    def percent(self) -> int:
        if self.status == RecomputeStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (RecomputeStatus.DONE, RecomputeStatus.FAILED)


def hold_back_until(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)
