"""The partner directory: value chains and their stages, partners, people, offers and needs,
interests and commitments. Rules the data must keep are constraints in the database."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Lower, Trim
from django.urls import reverse
from django.utils import timezone

MAX_SEARCH_WORD = 64

ALL_MONTHS = (1 << 12) - 1
MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def months_to_mask(months) -> int:
    """[1, 2, 12] -> a 12-bit mask (bit 0 is January)."""
    mask = 0
    for m in months:
        m = int(m)
        if not 1 <= m <= 12:
            raise ValueError(f"month {m} is not 1-12")
        mask |= 1 << (m - 1)
    return mask


def mask_to_months(mask: int) -> list[int]:
    return [m for m in range(1, 13) if mask & (1 << (m - 1))]


def describe_months(mask: int) -> str:
    """'All year', or the months as short names: 'Jun, Jul, Aug'."""
    if mask == ALL_MONTHS:
        return "All year"
    return ", ".join(MONTH_NAMES[m - 1] for m in mask_to_months(mask)) or "No months"


class Phase(models.TextChoices):
    SCOPING = "scoping", "Scoping & feasibility"
    PLANNING = "planning", "Convening & planning"
    COORDINATION = "coordination", "Coordination & support"
    EVALUATION = "evaluation", "Monitoring & evaluation"


# The currency a new chain counts its money in, unless its coordinator picks another.
DEFAULT_CURRENCY = "ZAR"


class ValueChain(models.Model):
    """A chain of businesses from raw material to end buyer that a coordinator works on.

    An archived chain (archived_at set) has finished or paused: it leaves the chain list's
    main table and the pickers for new participations, commitments and interests, but its
    partners, stages and history stay, its pages stay readable, and it can be restored."""

    name = models.CharField(max_length=200, unique=True)
    market_opportunity = models.TextField(
        blank=True, help_text="The demand this chain is organised to meet."
    )
    region = models.CharField(max_length=200, blank=True)
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.SCOPING)
    currency = models.CharField(
        max_length=3,
        default=DEFAULT_CURRENCY,
        help_text="The ISO 4217 code the chain's sales and prices are in, e.g. ZAR, USD, EUR.",
    )
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="coordinated_chains", blank=True
    )
    observers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="observed_chains",
        blank=True,
        help_text="Funders and board members who read the chain's pages and change nothing.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="valuechain_currency_iso"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partners:chain", args=[self.pk])

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class Stage(models.Model):
    """One step of a value chain, e.g. grower -> sawmill -> manufacturer -> exporter."""

    value_chain = models.ForeignKey(ValueChain, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(help_text="1 is the first stage of the chain.")

    class Meta:
        ordering = ["value_chain_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["value_chain", "position"], name="stage_unique_position"
            ),
            models.UniqueConstraint(fields=["value_chain", "name"], name="stage_unique_name"),
            models.CheckConstraint(condition=Q(position__gte=1), name="stage_position_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Certification(models.Model):
    """A certification the chain cares about: organic, GAP, FSC, HACCP, halal..."""

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WebsiteKey(models.Func):
    """A web address without scheme, "www." and trailing slashes, lower-cased: the same site
    however it was written (https://www.x.org/ and x.org). Indexed, for likely duplicates."""

    output_field = models.CharField()

    def __init__(self, expression, **extra):
        super().__init__(expression, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        inner, params = compiler.compile(self.source_expressions[0])
        return f"regexp_replace(lower({inner}), '^https?://(www\\.)?|/+$', '', 'g')", params

    def as_sqlite(self, compiler, connection, **extra_context):
        inner, params = compiler.compile(self.source_expressions[0])
        sql = f"lower({inner})"
        for prefix in ("https://", "http://", "www."):
            sql = f"replace({sql}, '{prefix}', '')"
        return f"rtrim({sql}, '/')", params


class PartnerKind(models.TextChoices):
    BUSINESS = "business", "Business"
    COOPERATIVE = "cooperative", "Cooperative"
    NONPROFIT = "nonprofit", "Non-profit"
    PUBLIC_AGENCY = "public_agency", "Public agency"
    FUNDER = "funder", "Funder / CDFI"
    INSTITUTION = "institution", "Institution (school, hospital...)"


class PartnerSize(models.TextChoices):
    MICRO = "micro", "Micro (1-9)"
    SMALL = "small", "Small (10-49)"
    MEDIUM = "medium", "Medium (50-249)"
    LARGE = "large", "Large (250+)"


# A partner's last contact with "never" as the earliest date: who has gone quiet longest is
# then the start of one index (an expression index, as SQLite has no NULLS FIRST index).
NEVER = datetime.date(1, 1, 1)
LAST_CONTACT = Coalesce(F("last_contacted_on"), Value(NEVER))

# A partner's name as an import compares it with a spreadsheet's: case and outer spaces aside.
# Indexed for those lookups. Not lower(name) alone: with an index on that, PostgreSQL answers a
# search sorted by name (ORDER BY lower(name)) by walking every partner in name order and testing
# each against the search, instead of gathering the matches from the search index first.
NAME_KEY = Lower(Trim("name"))


class Partner(models.Model):
    """An organisation in one or more value chains."""

    name = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=20, choices=PartnerKind.choices, default=PartnerKind.BUSINESS
    )
    description = models.TextField(blank=True)
    address = models.CharField(max_length=300, blank=True)
    region = models.CharField(max_length=120, blank=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    website = models.URLField(blank=True)
    size = models.CharField(max_length=10, choices=PartnerSize.choices, blank=True)
    locally_owned = models.BooleanField(default=False)
    women_owned = models.BooleanField(default=False)
    minority_owned = models.BooleanField(default=False)
    worker_owned = models.BooleanField(default=False)
    certifications = models.ManyToManyField(Certification, blank=True, related_name="partners")
    # Lower-cased name, place, people and products: what directory search matches against
    # (partners.search keeps it and reads it). The database holds more for search than this
    # model shows: trigram and full-text GIN indexes on it (migration 0002), a trigram index on
    # lower(name), and `search_rest`, a generated column (the text without the name) with its
    # own trigram index (0012). None is a field: only partners.search reads them, in raw SQL.
    search_document = models.TextField(blank=True, editable=False, default="")
    # The date of the latest interaction with the partner (services.note_contact keeps it):
    # who has gone quiet is then an index range, not an aggregate over every interaction.
    last_contacted_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name", "id"], name="partner_name_id"),
            # Search results by name (selectors.partner_directory): a first look along it.
            models.Index(Lower("name"), "id", name="partner_lower_name_id"),
            models.Index(LAST_CONTACT, "id", name="partner_last_contacted"),
            models.Index(fields=["region", "name", "id"], name="partner_region_name_id"),
            models.Index(fields=["-updated_at", "-id"], name="partner_updated_id"),
            models.Index(fields=["kind"], name="partner_kind"),
            # Likely duplicates when importing a spreadsheet: same name, same website.
            models.Index(NAME_KEY, name="partner_name_key"),
            models.Index(WebsiteKey("website"), name="partner_website_key"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="partner_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="partner_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="partner_location_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partners:detail", args=[self.pk])

    @property
    def ownership(self) -> list[str]:
        facts = [
            ("locally owned", self.locally_owned),
            ("women-owned", self.women_owned),
            ("minority-owned", self.minority_owned),
            ("worker-owned", self.worker_owned),
        ]
        return [label for label, held in facts if held]


class ChainRole(models.TextChoices):
    PRODUCER = "producer", "Producer"
    PROCESSOR = "processor", "Processor"
    AGGREGATOR = "aggregator", "Aggregator"
    DISTRIBUTOR = "distributor", "Distributor"
    BUYER = "buyer", "Buyer"
    SUPPORT = "support", "Support"


class NetworkRole(models.TextChoices):
    MEMBER = "member", "Member"
    LEAD_FIRM = "lead_firm", "Lead firm"
    CHANGE_AGENT = "change_agent", "Internal change agent"
    INTERMEDIARY = "intermediary", "External intermediary"
    COORDINATOR = "coordinator", "Coordinator"


class ParticipationStatus(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    ENGAGED = "engaged", "Engaged"
    COMMITTED = "committed", "Committed"
    INACTIVE = "inactive", "Inactive"


class Participation(models.Model):
    """A partner in a value chain, at one or more of its stages."""

    # No index of their own: the unique (partner, value chain) index and the indexes below
    # start with them.
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="participations", db_index=False
    )
    value_chain = models.ForeignKey(
        ValueChain, on_delete=models.CASCADE, related_name="participations", db_index=False
    )
    stages = models.ManyToManyField(Stage, blank=True, related_name="participations")
    chain_role = models.CharField(max_length=20, choices=ChainRole.choices)
    network_role = models.CharField(
        max_length=20, choices=NetworkRole.choices, default=NetworkRole.MEMBER
    )
    status = models.CharField(
        max_length=20, choices=ParticipationStatus.choices, default=ParticipationStatus.PROSPECT
    )
    status_changed_on = models.DateField(default=datetime.date.today)
    # When the partner joined the chain (at its stages): "partners per stage over time".
    joined_on = models.DateField(default=datetime.date.today, editable=False)
    # The partner's name, copied here by database triggers (migration 0011: on insert, unless
    # the insert brings it (0018), and on every rename of the partner), so that a chain's
    # partners in name order are one index range. Read it in queries only: an instance in
    # memory may hold a stale value.
    partner_name = models.CharField(max_length=200, default="", editable=False)

    class Meta:
        ordering = ["value_chain__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "value_chain"], name="participation_unique_partner_chain"
            )
        ]
        indexes = [
            models.Index(fields=["value_chain", "partner"], name="participation_chain_partner"),
            models.Index(fields=["value_chain", "chain_role"], name="participation_chain_role"),
            models.Index(fields=["value_chain", "status"], name="participation_chain_status"),
            # The directory filtered by chain (and role, status): the chain's partners in name
            # order, role and status read from the index as it is walked.
            models.Index(
                fields=["value_chain", "partner_name", "partner"],
                include=["chain_role", "status"],
                name="participation_chain_name",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} in {self.value_chain}"


class Person(models.Model):
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    consent_to_contact = models.BooleanField(
        default=False, help_text="The person agreed to be contacted by the coordinator."
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    search_document = models.TextField(blank=True, editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["last_name", "first_name", "id"], name="person_name_id"),
            # Likely duplicates when importing a spreadsheet: same first and last name.
            models.Index(Lower("first_name"), Lower("last_name"), name="person_lower_name"),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~Q(email=""), name="person_unique_email"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("partners:person", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Affiliation(models.Model):
    """A person works at (or for) a partner."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="affiliations")
    title = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["person__last_name", "person__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "partner"], name="affiliation_unique")
        ]
        indexes = [models.Index(fields=["partner", "person"], name="affiliation_partner_person")]

    def __str__(self) -> str:
        return f"{self.person} at {self.partner}"


class Product(models.Model):
    """A node of the product taxonomy: 'Vegetables' > 'Tomatoes' > 'Roma tomatoes'."""

    name = models.CharField(max_length=120, unique=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    unit = models.CharField(max_length=20, default="kg", help_text="The usual unit: kg, t, m³...")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("id")), name="product_not_own_parent"),
            # "Dining sets" and "dining sets" are one product: the taxonomy adds no twins.
            models.UniqueConstraint(Lower("name"), name="product_unique_lower_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Period(models.TextChoices):
    WEEK = "week", "per week"
    MONTH = "month", "per month"
    SEASON = "season", "per season"
    YEAR = "year", "per year"


class Listing(models.Model):
    """What offers and needs share: a product, a volume per period, and the months."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="%(class)ss")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="%(class)ss")
    volume = models.DecimalField(max_digits=12, decimal_places=2)
    unit = models.CharField(max_length=20)
    period = models.CharField(max_length=10, choices=Period.choices, default=Period.YEAR)
    months = models.PositiveSmallIntegerField(
        default=ALL_MONTHS, help_text="The months of the year, as a 12-bit mask (bit 0: January)."
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def month_list(self) -> list[int]:
        return mask_to_months(self.months)

    @property
    def season(self) -> str:
        return describe_months(self.months)

    @classmethod
    def listing_constraints(cls, prefix: str) -> list:
        return [
            models.CheckConstraint(condition=Q(volume__gt=0), name=f"{prefix}_volume_positive"),
            models.CheckConstraint(
                condition=Q(months__gte=1, months__lte=ALL_MONTHS), name=f"{prefix}_months_valid"
            ),
        ]


class Offer(Listing):
    """What a partner supplies."""

    certifications = models.ManyToManyField(Certification, blank=True, related_name="offers")
    delivery_radius_km = models.PositiveIntegerField(
        "delivery radius (km)",
        null=True,
        blank=True,
        help_text="How far the partner delivers; blank if unknown.",
    )
    price_min = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    price_max = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["product__name", "id"]
        indexes = [models.Index(fields=["product", "partner"], name="offer_product_partner")]
        constraints = Listing.listing_constraints("offer") + [
            models.CheckConstraint(
                condition=Q(delivery_radius_km__isnull=True) | Q(delivery_radius_km__gte=0),
                name="offer_radius_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(price_min__isnull=True) | Q(price_min__gte=0),
                name="offer_price_min_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(price_min__isnull=True)
                | Q(price_max__isnull=True)
                | Q(price_min__lte=F("price_max")),
                name="offer_price_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} offers {self.product}"


class Need(Listing):
    """What a partner wants to buy."""

    required_certifications = models.ManyToManyField(
        Certification, blank=True, related_name="needs"
    )
    max_distance_km = models.PositiveIntegerField(
        "maximum distance (km)",
        null=True,
        blank=True,
        help_text="The farthest a supplier may be; blank for any distance.",
    )

    class Meta:
        ordering = ["product__name", "id"]
        indexes = [models.Index(fields=["product", "partner"], name="need_product_partner")]
        constraints = Listing.listing_constraints("need") + [
            models.CheckConstraint(
                condition=Q(max_distance_km__isnull=True) | Q(max_distance_km__gte=0),
                name="need_distance_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} needs {self.product}"


class InterestKind(models.TextChoices):
    SELF = "self", "Self-interest"
    SHARED = "shared", "Shared interest"
    COMMON = "common", "Common interest"


class Interest(models.Model):
    """What a partner (self), a few partners (shared) or the whole chain (common) wants."""

    value_chain = models.ForeignKey(ValueChain, on_delete=models.CASCADE, related_name="interests")
    kind = models.CharField(max_length=10, choices=InterestKind.choices)
    # Shown in a row of the partner page: a limit keeps a pasted page from breaking it.
    description = models.TextField(max_length=1000)
    partners = models.ManyToManyField(Partner, related_name="interests", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return self.description[:60]


class CommitmentStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    KEPT = "kept", "Kept"
    MISSED = "missed", "Missed"


class Commitment(models.Model):
    """A partner committed to something in a chain, possibly toward another partner."""

    value_chain = models.ForeignKey(
        ValueChain, on_delete=models.CASCADE, related_name="commitments"
    )
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="commitments")
    # Shown in the commitments table and the reminders: a limit keeps a pasted page out.
    description = models.TextField(max_length=1000, help_text="What was committed.")
    product = models.ForeignKey(
        "Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="commitments"
    )
    quantity = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    unit = models.CharField(max_length=20, blank=True, help_text="kg, t, m³, crates...")
    toward = models.ForeignKey(
        Partner,
        verbose_name="toward partner",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commitments_received",
    )
    due_on = models.DateField("due date", null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=CommitmentStatus.choices, default=CommitmentStatus.PROPOSED
    )
    evidence = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["partner", "due_on"], name="commitment_partner_due"),
            models.Index(fields=["value_chain", "status", "due_on"], name="commitment_chain_due"),
            # The receiver's page lists the commitments made toward it.
            models.Index(fields=["toward", "due_on"], name="commitment_toward_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(toward__isnull=True) | ~Q(toward=F("partner")),
                name="commitment_not_toward_self",
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gte=0),
                name="commitment_quantity_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner}: {self.description[:50]}"

    @property
    def is_overdue(self) -> bool:
        return (
            self.due_on is not None
            and self.status in (CommitmentStatus.PROPOSED, CommitmentStatus.ACTIVE)
            and self.due_on < timezone.localdate()
        )


class SearchWord(models.Model):
    """The vocabulary of the search documents: each word of three letters or more (no digits)
    once. A search word found nowhere as written is looked up here by trigram similarity (a
    small table, GIN index) and the directory then searches for the words it resembles: a
    typo costs what a correct word costs, not a similarity per partner."""

    word = models.CharField(max_length=MAX_SEARCH_WORD, unique=True)

    def __str__(self) -> str:
        return self.word


class ChangeRecord(models.Model):
    """Who changed what on a partner's record, and when: the partner's change history."""

    # No index of its own: change_partner_at starts with it.
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="changes", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    at = models.DateTimeField(default=timezone.now)
    summary = models.CharField(max_length=200)
    # {"field label": ["old", "new"]}
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["partner", "-at", "-id"], name="change_partner_at")]

    def __str__(self) -> str:
        return self.summary


class Invitation(models.Model):
    """A coordinator invited a person to sign in for their organisation. Its email is an
    outbox message about it (accounts/emails.py), which tells whether it was sent."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="invitations")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.person}"


class InteractionKind(models.TextChoices):
    CALL = "call", "Call"
    EMAIL = "email", "Email"
    MEETING = "meeting", "Meeting"
    SITE_VISIT = "site_visit", "Site visit"
    TECHNICAL_ASSISTANCE = "technical_assistance", "Technical assistance"


class Visibility(models.TextChoices):
    COORDINATORS = "coordinators", "Coordinators only"
    SHARED = "shared", "Shared with the partners in it"


class Interaction(models.Model):
    """A call, email, meeting, site visit or technical-assistance session the coordinator had."""

    kind = models.CharField(max_length=30, choices=InteractionKind.choices)
    occurred_on = models.DateField("date", default=datetime.date.today)
    topic = models.CharField(max_length=200)
    hours = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Time spent, for technical assistance.",
    )
    notes = models.TextField(blank=True)
    visibility = models.CharField(
        "who sees it", max_length=20, choices=Visibility.choices, default=Visibility.COORDINATORS
    )
    follow_up_on = models.DateField(
        "follow up on", null=True, blank=True, help_text="When to follow up."
    )
    partners = models.ManyToManyField(
        Partner, through="InteractionPartner", related_name="interactions"
    )
    people = models.ManyToManyField(
        Person, verbose_name="people involved", blank=True, related_name="interactions"
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | Q(hours__gte=0),
                name="interaction_hours_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.topic}"


class InteractionPartner(models.Model):
    """A partner in an interaction; the date is copied here so a partner's timeline is one
    index range scan, newest first."""

    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE)
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE)
    occurred_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["interaction", "partner"], name="interaction_partner_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["partner", "-occurred_on", "-interaction"], name="timeline_partner_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} in interaction {self.interaction_id}"


class RelationshipKind(models.TextChoices):
    BUYER_SUPPLIER = "buyer_supplier", "Buyer–supplier"
    PEER = "peer", "Peers"
    FUNDER_GRANTEE = "funder_grantee", "Funder–grantee"
    TECHNICAL_ASSISTANCE = "technical_assistance", "Technical assistance"
    MEMBERSHIP = "membership", "Membership"


class RelationshipOrigin(models.TextChoices):
    RECORDED = "recorded", "Recorded"
    INTRODUCTION = "introduction", "From an introduction"
    COMMITMENT = "commitment", "From a commitment kept"
    WORKING_GROUP = "working_group", "From a working group"


class StrengthLevel(models.TextChoices):
    STRONG = "strong", "Strong"
    ACTIVE = "active", "Active"
    DORMANT = "dormant", "Dormant"


class Relationship(models.Model):
    """A standing tie between two partners. For directed kinds, `source` is the buyer, the
    funder, the assistance provider or the association; `target` the other side."""

    source = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="relationships_out")
    target = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="relationships_in")
    kind = models.CharField(max_length=30, choices=RelationshipKind.choices)
    began_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    # Where the relationship came from: recorded by hand, or derived from a fact another app
    # keeps (matchmaking.network.derive_relationship), with the path of that fact's page.
    origin = models.CharField(
        max_length=20, choices=RelationshipOrigin.choices, default=RelationshipOrigin.RECORDED
    )
    origin_url = models.CharField(max_length=200, blank=True, editable=False)
    # Derived from recent joint interactions and the pair's introduction, and stored so the
    # network map reads it with the edge: matchmaking.network.refresh_strengths keeps it (on each
    # interaction, introduction change and new relationship, and nightly as contacts age).
    strength_level = models.CharField(
        max_length=10, choices=StrengthLevel.choices, default=StrengthLevel.DORMANT, editable=False
    )
    strength_reason = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source=F("target")), name="relationship_not_to_itself"
            ),
            models.UniqueConstraint(
                fields=["source", "target", "kind"], name="relationship_unique_kind"
            ),
        ]
        indexes = [
            models.Index(fields=["target", "kind"], name="relationship_target_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target} ({self.get_kind_display()})"
