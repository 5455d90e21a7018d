"""CSV exports of the directories, each as it is filtered on screen (the full export of
everything, a zip, is outcomes.export's, which builds on these).

Rows are read with `iterator()` in chunks of EXPORT_CHUNK (a server-side cursor on PostgreSQL),
so an export of 100,000 partners holds one chunk in memory at a time, and its queries grow with
the chunks (one, plus one per chunk for a prefetch), never with the rows.
"""

from __future__ import annotations

import csv
import datetime
import json
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
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


# Headers the import recognises (imports.columns), so an export goes back in as it came out;
# the columns after them are for reading (the import leaves them aside).
PARTNER_HEADER = [
    "Name",
    "Kind",
    "Region",
    "Address",
    "Website",
    "Description",
    "Certifications",
    "Size",
    "Role in the chain",
    "Role in the network",
    "Stages",
    "Status in the chain",
    "Since (date)",
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


def _participation_in(p: Partner, chain_id: int | None):
    """The partner's participation the chain columns describe: in the chain exported, or its
    only one; none when it is in several and no chain was chosen."""
    shown = p.chains_shown
    if chain_id is not None:
        return next((c for c in shown if c.value_chain_id == chain_id), None)
    return shown[0] if len(shown) == 1 else None


def partner_rows(qs: QuerySet[Partner], chain_id: int | None = None) -> Iterator[list]:
    """Rows of partners carrying `chains_shown` and their certifications prefetched (see
    selectors.partner_directory_queryset)."""
    for p in qs.iterator(chunk_size=EXPORT_CHUNK):
        part = _participation_in(p, chain_id)
        yield [
            p.name,
            p.get_kind_display(),
            p.region,
            p.address,
            p.website,
            p.description,
            "; ".join(c.name for c in p.certifications.all()),
            p.get_size_display(),
            part.get_chain_role_display() if part else "",
            part.get_network_role_display() if part else "",
            "; ".join(s.name for s in part.stages.all()) if part else "",
            part.get_status_display() if part else "",
            part.status_changed_on if part else "",
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


# One row per organisation a person works at, as the import reads them back.
PEOPLE_HEADER = [
    "First name",
    "Last name",
    "Email",
    "Phone",
    "Organisation",
    "Job title",
    "Consent to contact",
]


def people_rows(qs: QuerySet[Person]) -> Iterator[list]:
    for person in qs.iterator(chunk_size=EXPORT_CHUNK):
        start = [person.first_name, person.last_name, person.email, person.phone]
        affiliations = list(person.affiliations.all()) or [None]
        for a in affiliations:
            where = [a.partner.name, a.title] if a else ["", ""]
            yield [*start, *where, person.consent_to_contact]


def directory_export(user, f: DirectoryFilters) -> Iterator[str]:
    """The partner directory as filtered and sorted on screen, every page of it."""
    qs, ordering = partner_directory_queryset(user, f)
    return csv_lines(PARTNER_HEADER, partner_rows(qs.order_by(*ordering), f.chain))


def people_export(user, q: str, chain: int | None, sort: str) -> Iterator[str]:
    """The people directory as searched and sorted on screen, every page of it."""
    qs, ordering = people_directory_queryset(user, q, chain, sort)
    return csv_lines(PEOPLE_HEADER, people_rows(qs.order_by(*ordering)))


# --- any model, column by column (the full export's further tables) ----------------------------

# Fields no export shows: the bytes of a file, a sign-in token, a search index.
NEVER_EXPORTED_FIELDS = {"content", "data", "token", "search_document"}


def _columns(model, exclude: tuple[str, ...]) -> list:
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in exclude and f.name not in NEVER_EXPORTED_FIELDS
    ]


def model_header(model, exclude: tuple[str, ...] = ()) -> list[str]:
    """The header of `model_rows`: each concrete field's name as its forms say it."""
    return [
        "ID" if f.primary_key else str(f.verbose_name)[:1].upper() + str(f.verbose_name)[1:]
        for f in _columns(model, exclude)
    ]


def _related_text(related) -> str | int:
    if related is None:
        return ""
    if isinstance(related, get_user_model()):
        return related.email or related.get_username()
    # The models whose name (__str__) reads only their own fields: others show their ID, as
    # their own file of the export lists them.
    if related._meta.label in NAMED_MODELS:
        return str(related)
    return related.pk


NAMED_MODELS = {
    *("partners.Partner", "partners.Person", "partners.ValueChain", "partners.Product"),
    *("partners.Stage", "partners.Certification", "convenings.WorkingGroup"),
    *("convenings.Convening", "convenings.ActionItem", "capture.CapturedMessage"),
    "followups.Task",
    "intake.IntakeForm",
}


def model_rows(
    qs: QuerySet, exclude: tuple[str, ...] = (), extra: Callable[[Any], list] | None = None
) -> Iterator[list]:
    """Every row of `qs`, one cell per field of `model_header` (choices as displayed, related
    rows by name or ID, JSON as JSON), the relations read in the same query; then the cells
    `extra(obj)` adds (from what `qs` prefetched: one query more per chunk)."""
    fields = _columns(qs.model, exclude)
    relations = [f.name for f in fields if f.is_relation]
    for obj in qs.select_related(*relations).iterator(chunk_size=EXPORT_CHUNK):
        row: list = []
        for f in fields:
            if f.is_relation:
                row.append(_related_text(getattr(obj, f.name)))
            elif f.choices:
                row.append(getattr(obj, f"get_{f.name}_display")())
            else:
                value = getattr(obj, f.attname)
                row.append(
                    json.dumps(value, ensure_ascii=False, default=str)
                    if isinstance(value, dict | list)
                    else value
                )
        if extra is not None:
            row += extra(obj)
        yield row
