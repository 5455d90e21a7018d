"""CSV exports: each directory as it is filtered on screen, and everything a coordinator holds
as CSV files in one zip. The data is theirs.

Rows are read with `iterator()` in chunks of EXPORT_CHUNK (a server-side cursor on PostgreSQL),
so an export of 100,000 partners holds one chunk in memory at a time, and its queries grow with
the chunks (one, plus one per chunk for a prefetch), never with the rows.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal

from django.db.models import QuerySet

from matchmaking.models import Introduction

from .models import (
    Commitment,
    InteractionPartner,
    Interest,
    Need,
    Offer,
    Participation,
    Partner,
    Person,
    Relationship,
    describe_months,
)
from .permissions import coordinated_chain_ids, visible_partners
from .selectors import DirectoryFilters, partner_directory_queryset, people_directory_queryset

EXPORT_CHUNK = 2000
# A spreadsheet runs a cell starting with one of these as a formula: such text gets a quote.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str | int | float | Decimal:
    """A value as a spreadsheet should read it: numbers as numbers, yes/no, ISO dates, and
    text that could run as a formula ("=HYPERLINK(...)") made inert with a leading quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class _Echo:
    """A file-like object whose write returns the line: csv.writer for a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """The CSV text, line by line (a UTF-8 byte-order mark first, for spreadsheet programs)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow([cell(v) for v in row])


# --- tables ------------------------------------------------------------------------------------


PARTNER_HEADER = [
    "Name",
    "Kind",
    "Region",
    "Address",
    "Website",
    "Size",
    "Locally owned",
    "Women-owned",
    "Minority-owned",
    "Worker-owned",
    "Latitude",
    "Longitude",
    "Value chains",
    "Last contact",
    "Updated",
]


def partner_rows(qs: QuerySet[Partner]) -> Iterator[list]:
    """Rows of partners carrying `chains_shown` (see selectors.partner_directory_queryset)."""
    for p in qs.iterator(chunk_size=EXPORT_CHUNK):
        yield [
            p.name,
            p.get_kind_display(),
            p.region,
            p.address,
            p.website,
            p.get_size_display(),
            p.locally_owned,
            p.women_owned,
            p.minority_owned,
            p.worker_owned,
            p.latitude,
            p.longitude,
            "; ".join(
                f"{c.value_chain.name} ({c.get_chain_role_display()}, {c.get_status_display()})"
                for c in p.chains_shown
            ),
            p.last_contacted_on,
            p.updated_at,
        ]


PEOPLE_HEADER = ["First name", "Last name", "Email", "Phone", "Consent to contact", "Organisations"]


def people_rows(qs: QuerySet[Person]) -> Iterator[list]:
    for person in qs.iterator(chunk_size=EXPORT_CHUNK):
        yield [
            person.first_name,
            person.last_name,
            person.email,
            person.phone,
            person.consent_to_contact,
            "; ".join(
                f"{a.partner.name} ({a.title})" if a.title else a.partner.name
                for a in person.affiliations.all()
            ),
        ]


def directory_export(user, f: DirectoryFilters) -> Iterator[str]:
    """The partner directory as filtered and sorted on screen, every page of it."""
    qs, ordering = partner_directory_queryset(user, f)
    return csv_lines(PARTNER_HEADER, partner_rows(qs.order_by(*ordering)))


def people_export(user, q: str, chain: int | None, sort: str) -> Iterator[str]:
    """The people directory as searched and sorted on screen, every page of it."""
    qs, ordering = people_directory_queryset(user, q, chain, sort)
    return csv_lines(PEOPLE_HEADER, people_rows(qs.order_by(*ordering)))


# --- the full export ---------------------------------------------------------------------------


def _listing_rows(qs, extra: Callable) -> Iterator[list]:
    for item in (
        qs.select_related("partner", "product")
        .order_by("partner__name", "id")
        .iterator(chunk_size=EXPORT_CHUNK)
    ):
        yield [
            item.partner.name,
            item.product.name,
            item.volume,
            item.unit,
            item.get_period_display(),
            describe_months(item.months),
            *extra(item),
            item.notes,
        ]


def full_export_tables(user) -> list[tuple[str, list[str], Iterable[list]]]:
    """Every table of the coordinator's value chains: (file name, header, rows)."""
    chain_ids = coordinated_chain_ids(user)
    partners, _ = partner_directory_queryset(user, DirectoryFilters())
    partner_ids = visible_partners(user, chain_ids).values("pk")
    people, _ = people_directory_queryset(user, "", None, "")
    participations = (
        Participation.objects.filter(value_chain_id__in=chain_ids)
        .select_related("partner", "value_chain")
        .order_by("value_chain__name", "partner__name", "id")
    )
    interactions = (
        InteractionPartner.objects.filter(partner_id__in=partner_ids)
        .select_related("interaction__logged_by", "partner")
        .order_by("-occurred_on", "interaction_id", "partner__name")
    )
    introductions = (
        Introduction.objects.filter(value_chain_id__in=chain_ids)
        .select_related("value_chain", "partner_a", "partner_b")
        .order_by("-status_changed_at", "id")
    )
    relationships = (
        Relationship.objects.filter(source_id__in=partner_ids, target_id__in=partner_ids)
        .select_related("source", "target")
        .order_by("source__name", "id")
    )
    commitments = (
        Commitment.objects.filter(value_chain_id__in=chain_ids)
        .select_related("value_chain", "partner", "toward")
        .order_by("value_chain__name", "due_on", "id")
    )
    interests = (
        Interest.objects.filter(value_chain_id__in=chain_ids)
        .select_related("value_chain")
        .prefetch_related("partners")
        .order_by("value_chain__name", "id")
    )
    it = {"chunk_size": EXPORT_CHUNK}
    return [
        ("partners.csv", PARTNER_HEADER, partner_rows(partners.order_by("name", "id"))),
        ("people.csv", PEOPLE_HEADER, people_rows(people.order_by("last_name", "id"))),
        (
            "participations.csv",
            ["Value chain", "Partner", "Chain role", "Network role", "Status", "Status since"],
            (
                [
                    p.value_chain.name,
                    p.partner.name,
                    p.get_chain_role_display(),
                    p.get_network_role_display(),
                    p.get_status_display(),
                    p.status_changed_on,
                ]
                for p in participations.iterator(**it)
            ),
        ),
        (
            "offers.csv",
            [
                *("Partner", "Product", "Volume", "Unit", "Per", "Months"),
                *("Delivery radius (km)", "Price from", "Price to", "Notes"),
            ],
            _listing_rows(
                Offer.objects.filter(partner_id__in=partner_ids),
                lambda o: [o.delivery_radius_km, o.price_min, o.price_max],
            ),
        ),
        (
            "needs.csv",
            [
                *("Partner", "Product", "Volume", "Unit", "Per", "Months"),
                *("Maximum distance (km)", "Notes"),
            ],
            _listing_rows(
                Need.objects.filter(partner_id__in=partner_ids), lambda n: [n.max_distance_km]
            ),
        ),
        (
            "interactions.csv",
            [
                *("Interaction", "Date", "Kind", "Topic", "Partner", "Hours"),
                *("Shared with partners", "Follow-up", "Notes", "Logged by"),
            ],
            (
                [
                    link.interaction_id,
                    link.occurred_on,
                    link.interaction.get_kind_display(),
                    link.interaction.topic,
                    link.partner.name,
                    link.interaction.hours,
                    link.interaction.visibility == "shared",
                    link.interaction.follow_up_on,
                    link.interaction.notes,
                    link.interaction.logged_by.email if link.interaction.logged_by else "",
                ]
                for link in interactions.iterator(**it)
            ),
        ),
        (
            "introductions.csv",
            [
                *("Value chain", "Partner", "Introduced to", "Reason", "Status"),
                *("Status since", "Annual sales value", "Annual volume", "Unit"),
            ],
            (
                [
                    i.value_chain.name,
                    i.partner_a.name,
                    i.partner_b.name,
                    i.reason,
                    i.get_status_display(),
                    i.status_changed_at,
                    i.annual_sales_value,
                    i.annual_volume,
                    i.volume_unit,
                ]
                for i in introductions.iterator(**it)
            ),
        ),
        (
            "relationships.csv",
            ["From", "To", "Kind", "Began", "Strength", "Why", "Notes"],
            (
                [
                    r.source.name,
                    r.target.name,
                    r.get_kind_display(),
                    r.began_on,
                    r.get_strength_level_display(),
                    r.strength_reason,
                    r.notes,
                ]
                for r in relationships.iterator(**it)
            ),
        ),
        (
            "commitments.csv",
            ["Value chain", "Partner", "Commitment", "Toward", "Due", "Status", "Evidence"],
            (
                [
                    c.value_chain.name,
                    c.partner.name,
                    c.description,
                    c.toward.name if c.toward else "",
                    c.due_on,
                    c.get_status_display(),
                    c.evidence,
                ]
                for c in commitments.iterator(**it)
            ),
        ),
        (
            "interests.csv",
            ["Value chain", "Kind", "Interest", "Partners"],
            (
                [
                    i.value_chain.name,
                    i.get_kind_display(),
                    i.description,
                    "; ".join(sorted(p.name for p in i.partners.all())),
                ]
                for i in interests.iterator(**it)
            ),
        ),
    ]


def write_full_export(user, target) -> None:
    """Write the coordinator's full export, a zip of CSV files, to the binary file `target`."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, header, rows in full_export_tables(user):
            with archive.open(name, "w") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                text.writelines(csv_lines(header, rows))
                text.flush()
                text.detach()
