"""CSV exports of the directories, each as it is filtered on screen (the full export of
everything, a zip, is outcomes.export's, which builds on these).

Rows are read with `iterator()` in chunks of EXPORT_CHUNK (a server-side cursor on PostgreSQL),
so an export of 100,000 partners holds one chunk in memory at a time, and its queries grow with
the chunks (one, plus one per chunk for a prefetch), never with the rows.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db.models import QuerySet

from .models import (
    Partner,
    Person,
)
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
