"""What each kind of import reads: its fields, which are required, how a cell is checked, and
the header names a coordinator's spreadsheet may use for them."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from partners.exporting import FORMULA_START
from partners.models import (
    ChainRole,
    NetworkRole,
    ParticipationStatus,
    PartnerKind,
    PartnerSize,
    Period,
)


class CellError(ValueError):
    """A cell's value is not acceptable; the message says what is expected."""


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text, email, url, decimal, date, choice, yesno, names (split on ";")
    required: bool = False
    max_length: int = 200
    synonyms: tuple[str, ...] = ()
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""
    extra: dict = field(default_factory=dict)


def _choices(text_choices) -> tuple[tuple[str, str], ...]:
    return tuple((value, str(label)) for value, label in text_choices.choices)


ORGANISATION_SYNONYMS = (
    "organisation",
    "organization",
    "organisation name",
    "organization name",
    "company",
    "company name",
    "business",
    "business name",
    "partner",
    "partner name",
    "org",
    "employer",
    "farm",
)

PARTNER_FIELDS = [
    Field("name", "Name", required=True, synonyms=ORGANISATION_SYNONYMS + ("name",)),
    Field(
        "kind",
        "Kind of organisation",
        kind="choice",
        choices=_choices(PartnerKind),
        synonyms=("type", "kind", "organisation type", "organization type", "category"),
    ),
    Field("region", "Region", max_length=120, synonyms=("region", "area", "county", "district")),
    Field("address", "Address", max_length=300, synonyms=("address", "street address", "location")),
    Field("website", "Website", kind="url", synonyms=("website", "web", "url", "web site", "site")),
    Field(
        "description", "Description", max_length=5000, synonyms=("description", "notes", "about")
    ),
    Field(
        "certifications",
        "Certifications",
        kind="names",
        max_length=100,
        synonyms=("certifications", "certification", "certified", "certificates"),
        help="Names separated by “;”, e.g. FSC; Organic.",
    ),
    Field(
        "size",
        "Size",
        kind="choice",
        choices=_choices(PartnerSize),
        synonyms=("size", "company size", "employees"),
    ),
    *(
        Field(name, label, kind="yesno", synonyms=(label.lower(),))
        for name, label in (
            ("locally_owned", "Locally owned"),
            ("women_owned", "Women-owned"),
            ("minority_owned", "Minority-owned"),
            ("worker_owned", "Worker-owned"),
        )
    ),
    Field(
        "chain_role",
        "Role in the chain",
        kind="choice",
        choices=_choices(ChainRole),
        synonyms=("role", "chain role", "role in chain", "sector", "activity"),
        help="Producer when blank.",
    ),
    Field(
        "network_role",
        "Role in the network",
        kind="choice",
        choices=_choices(NetworkRole),
        synonyms=("network role", "role in network"),
        help="Member when blank.",
    ),
    Field(
        "stages",
        "Stages",
        kind="names",
        max_length=100,
        synonyms=("stages", "stage in the chain", "chain stages"),
        help="Stages of the chain, by name, separated by “;”.",
    ),
    Field(
        "status",
        "Status in the chain",
        kind="choice",
        choices=_choices(ParticipationStatus),
        synonyms=("status", "stage", "engagement"),
        help="Prospect when blank.",
    ),
    Field(
        "joined_on",
        "Since (date)",
        kind="date",
        synonyms=("joined", "joined on", "since", "date joined", "start date", "member since"),
    ),
]

PERSON_FIELDS = [
    Field(
        "first_name",
        "First name",
        required=True,
        max_length=100,
        synonyms=("first name", "firstname", "given name", "forename", "first", "name", "contact"),
    ),
    Field(
        "last_name",
        "Last name",
        max_length=100,
        synonyms=("last name", "lastname", "surname", "family name", "last"),
    ),
    Field(
        "email",
        "Email",
        kind="email",
        synonyms=("email", "e mail", "email address", "e mail address", "mail"),
    ),
    Field(
        "phone",
        "Phone",
        max_length=40,
        synonyms=("phone", "tel", "telephone", "phone number", "mobile", "cell", "cellphone"),
    ),
    Field(
        "organisation",
        "Organisation",
        required=True,
        synonyms=ORGANISATION_SYNONYMS,
        help="A partner of the chain, by name.",
    ),
    Field(
        "title", "Job title", max_length=120, synonyms=("title", "job title", "position", "role")
    ),
]

LISTING_FIELDS = [
    Field(
        "organisation",
        "Organisation",
        required=True,
        synonyms=ORGANISATION_SYNONYMS + ("supplier", "buyer"),
        help="A partner of the chain, by name.",
    ),
    Field(
        "product",
        "Product",
        required=True,
        max_length=120,
        synonyms=("product", "item", "commodity", "crop", "product name"),
    ),
    Field(
        "volume",
        "Volume",
        kind="decimal",
        required=True,
        synonyms=("volume", "quantity", "qty", "amount"),
        extra={"positive": True},
    ),
    Field("unit", "Unit", required=True, max_length=20, synonyms=("unit", "units", "uom")),
    Field(
        "period",
        "Per",
        kind="choice",
        choices=_choices(Period),
        synonyms=("period", "per", "frequency"),
        help="Per year when blank.",
    ),
    Field("notes", "Notes", max_length=5000, synonyms=("notes", "comments", "remarks")),
]

FIELDS = {
    "partners": PARTNER_FIELDS,
    "people": PERSON_FIELDS,
    "offers": LISTING_FIELDS,
    "needs": LISTING_FIELDS,
}


def normalize_header(text: str) -> str:
    """'  E-Mail_Address ' -> 'e mail address': case, spacing and punctuation set aside."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


# How alike (rapidfuzz's ratio, 0–100) a header must be to a field's name, label or synonym to
# be guessed as it: "Emial" ~ "email" (80), "Company / Org name" ~ "company name" (86), while
# "Contact name" ~ "name" (50) is not.
NEAR_MATCH = 80


def _names_of(f: Field) -> set[str]:
    return {normalize_header(f.label), f.name.replace("_", " "), *f.synonyms}


def guess_mapping(kind: str, headers: list[str]) -> dict[str, str]:
    """{header: field name or ""}: each field to the first header that names it, exactly
    (its label, then its synonyms, most specific first), or else nearly (`near_matches`)."""
    mapping, _ = _guess(kind, headers)
    return mapping


def near_matches(kind: str, headers: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """{header: field label} of the columns `mapping` gives the field a near match guessed
    (a misspelt or longer header), for the page to say which guess it made."""
    _, near = _guess(kind, headers)
    labels = {f.name: f.label for f in FIELDS[kind]}
    return {h: labels[name] for h, name in near.items() if mapping.get(h) == name}


def _guess(kind: str, headers: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    from rapidfuzz import fuzz, process

    mapping: dict[str, str] = dict.fromkeys(headers, "")
    near: dict[str, str] = {}
    taken: set[str] = set()
    fields = FIELDS[kind]
    # Exact names first, then synonyms in the order they are listed (most specific first).
    for pass_ in ("label", "synonym"):
        for header in headers:
            if mapping[header]:
                continue
            key = normalize_header(header)
            for f in fields:
                if f.name in taken:
                    continue
                names = (
                    {normalize_header(f.label), f.name.replace("_", " ")}
                    if pass_ == "label"
                    else set(f.synonyms)
                )
                if key in names:
                    mapping[header] = f.name
                    taken.add(f.name)
                    break
    # Then near misses, for the columns still unmatched, each to the closest field left.
    for header in headers:
        if mapping[header]:
            continue
        candidates = {name: f.name for f in fields if f.name not in taken for name in _names_of(f)}
        best = process.extractOne(
            normalize_header(header), list(candidates), scorer=fuzz.ratio, score_cutoff=NEAR_MATCH
        )
        if best is not None:
            mapping[header] = near[header] = candidates[best[0]]
            taken.add(candidates[best[0]])
    return mapping, near


def missing_required(kind: str, mapping: dict[str, str]) -> list[Field]:
    mapped = set(mapping.values())
    return [f for f in FIELDS[kind] if f.required and f.name not in mapped]


def duplicate_targets(mapping: dict[str, str]) -> list[str]:
    seen, twice = set(), []
    for name in mapping.values():
        if name and name in seen:
            twice.append(name)
        seen.add(name)
    return twice


# --- cells ------------------------------------------------------------------------------------

_url = URLValidator()
# The common shape (host.name/path), accepted without the full validator's slower regex.
_PLAIN_URL = re.compile(
    r"https?://(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}(?:/[^\s]*)?", re.I
)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d %b %Y", "%d %B %Y")


# A spreadsheet repeats the same few words in a choice column: each is matched once.
_CHOICES_SEEN: dict[tuple, str | None] = {}


def _choice(f: Field, value: str) -> str | None:
    if len(_CHOICES_SEEN) > 10_000:
        _CHOICES_SEEN.clear()
    key = normalize_header(value)
    for choice, label in f.choices:
        if key in (choice.replace("_", " "), normalize_header(label)):
            return choice
    for choice, label in f.choices:
        if key and normalize_header(label).startswith(key):
            return choice
    return None


YES = frozenset({"yes", "y", "true", "1", "x"})
NO = frozenset({"no", "n", "false", "0", ""})


def clean_cell(f: Field, raw: str):
    """The cell's value for field f, or CellError."""
    value = raw.strip()
    if value.startswith("'") and value[1:2] and value[1] in FORMULA_START:
        # The quote our exports (and spreadsheets) put before text that would run as a
        # formula ("+27 43 ...", "=HYPERLINK"): not part of the value.
        value = value[1:]
    if f.kind == "names":
        names = [n.strip() for n in value.split(";") if n.strip()]
        for name in names:
            if len(name) > f.max_length:
                raise CellError(f"At most {f.max_length} characters a name (one has {len(name)}).")
        return names
    if f.kind == "yesno":
        key = value.lower()
        if key in YES:
            return True
        if key in NO:
            return False
        raise CellError(f"“{value[:60]}” is not yes or no.")
    if not value:
        if f.required:
            raise CellError(f"{f.label} is required.")
        return None if f.kind in ("decimal", "date") else ""
    if f.kind == "text":
        if len(value) > f.max_length:
            raise CellError(f"At most {f.max_length} characters (this has {len(value)}).")
        return value
    if f.kind == "email":
        try:
            validate_email(value)
        except ValidationError:
            raise CellError(f"“{value[:60]}” is not an email address.") from None
        return value.lower()
    if f.kind == "url":
        candidate = value if "://" in value else f"https://{value}"
        if not _PLAIN_URL.fullmatch(candidate):
            try:
                _url(candidate)
            except ValidationError:
                raise CellError(f"“{value[:60]}” is not a web address.") from None
        return candidate[:200]
    if f.kind == "decimal":
        text = value.replace(" ", "").replace("\u00a0", "")
        if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", text):
            text = text.replace(",", "")
        elif re.fullmatch(r"-?\d+,\d+", text):
            text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise CellError(f"“{value[:60]}” is not a number.") from None
        if not number.is_finite() or abs(number) >= Decimal("1e10"):
            raise CellError(f"“{value[:60]}” is not a usable number.")
        if f.extra.get("positive") and number <= 0:
            raise CellError("Must be more than 0.")
        return number.quantize(Decimal("0.01"))
    if f.kind == "date":
        if len(value) == 10 and value[4] == "-":
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        for fmt in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(value, fmt).date()
            except ValueError:
                continue
        raise CellError(f"“{value[:60]}” is not a date: write it as 2026-03-31.")
    if f.kind == "choice":
        cache_key = (f.choices, value)
        if cache_key not in _CHOICES_SEEN:
            _CHOICES_SEEN[cache_key] = _choice(f, value)
        choice = _CHOICES_SEEN[cache_key]
        if choice is None:
            allowed = ", ".join(label for _, label in f.choices)
            raise CellError(f"“{value[:60]}” is not one of: {allowed}.")
        return choice
    raise AssertionError(f.kind)
