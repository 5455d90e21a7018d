"""Reading a coordinator's spreadsheet: the file (CSV or XLSX), its columns mapped to vcc's
fields, and each row checked into clean values or errors that name the row and the column.

Nothing here writes to the database: imports.services does, in one transaction.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from partners.models import ChainRole, ParticipationStatus, PartnerKind


class FileProblem(Exception):
    """The file as a whole cannot be read: its message is shown to the user as it is."""


# --- the fields an import can fill -------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text, number, date, yes/no, email, url, choice
    required: bool = False
    synonyms: tuple[str, ...] = ()
    choices: dict[str, str] = field(default_factory=dict)  # spelling (normalised) -> value
    max_length: int = 200
    bounds: tuple[int, int] | None = None  # a number's smallest and largest value


def _choices(text_choices, extra: dict[str, str] | None = None) -> dict[str, str]:
    spellings = {}
    for value, label in text_choices.choices:
        spellings[_norm(value)] = value
        spellings[_norm(str(label))] = value
    for spelling, value in (extra or {}).items():
        spellings[_norm(spelling)] = value
    return spellings


def _norm(text: str) -> str:
    """Lower case, letters and digits only: "E-mail address " and "email_address" agree."""
    return re.sub(r"[^a-z0-9]+", "", text.lower())


KINDS = _choices(
    PartnerKind,
    {
        "co-op": "cooperative",
        "coop": "cooperative",
        "ngo": "nonprofit",
        "non profit": "nonprofit",
        "nonprofit organisation": "nonprofit",
        "company": "business",
        "firm": "business",
        "government": "public_agency",
        "agency": "public_agency",
        "funder": "funder",
        "cdfi": "funder",
        "school": "institution",
        "hospital": "institution",
        "university": "institution",
    },
)
ROLES = _choices(ChainRole, {"farmer": "producer", "grower": "producer", "supplier": "producer"})
STATUSES = _choices(ParticipationStatus, {"active": "engaged", "lead": "prospect"})

PARTNER_FIELDS = [
    Field(
        "name",
        "Name",
        required=True,
        synonyms=(
            "organisation",
            "organization",
            "company",
            "company name",
            "business",
            "business name",
            "partner",
            "partner name",
            "org",
            "org name",
            "enterprise",
        ),
    ),
    Field(
        "kind",
        "Kind",
        "choice",
        synonyms=("type", "organisation type", "category", "sector"),
        choices=KINDS,
        max_length=20,
    ),
    Field(
        "region",
        "Region",
        synonyms=("province", "state", "county", "district", "area"),
        max_length=120,
    ),
    Field(
        "address",
        "Address",
        synonyms=("street address", "physical address", "location"),
        max_length=300,
    ),
    Field("website", "Website", "url", synonyms=("web", "url", "site", "web site", "homepage")),
    Field("latitude", "Latitude", "number", synonyms=("lat",), bounds=(-90, 90)),
    Field("longitude", "Longitude", "number", synonyms=("lon", "lng", "long"), bounds=(-180, 180)),
    Field(
        "chain_role",
        "Chain role",
        "choice",
        synonyms=("role", "value chain role", "function"),
        choices=ROLES,
        max_length=20,
    ),
    Field(
        "status",
        "Status",
        "choice",
        synonyms=("stage of engagement", "engagement"),
        choices=STATUSES,
        max_length=20,
    ),
    Field(
        "status_since",
        "Status since",
        "date",
        synonyms=("since", "date", "joined", "date joined", "engaged since"),
    ),
    Field("locally_owned", "Locally owned", "yes/no", synonyms=("local", "local ownership")),
    Field("women_owned", "Women-owned", "yes/no", synonyms=("woman owned", "female owned")),
]

PEOPLE_FIELDS = [
    Field(
        "first_name",
        "First name",
        required=True,
        synonyms=("first", "given name", "forename", "name", "contact", "contact name"),
        max_length=100,
    ),
    Field("last_name", "Last name", synonyms=("surname", "family name", "last"), max_length=100),
    Field("email", "Email", "email", synonyms=("e-mail", "email address", "mail")),
    Field(
        "phone",
        "Phone",
        synonyms=("telephone", "tel", "mobile", "cell", "phone number"),
        max_length=40,
    ),
    Field(
        "organisation",
        "Organisation",
        required=True,
        synonyms=("organization", "company", "partner", "employer", "org", "business"),
    ),
    Field("title", "Title", synonyms=("job title", "position", "role"), max_length=120),
    Field(
        "consent",
        "Consent to be contacted",
        "yes/no",
        synonyms=("consent", "opt in", "may contact", "ok to contact"),
    ),
]

FIELDS = {"partners": PARTNER_FIELDS, "people": PEOPLE_FIELDS}


def guess_mapping(kind: str, headers: list[str]) -> dict[str, int | None]:
    """{field name: column index or None}, from the header names: the field's own name or
    label, or a synonym, ignoring case, spaces and punctuation; each column used once."""
    normalised = [_norm(h) for h in headers]
    mapping: dict[str, int | None] = {}
    taken: set[int] = set()
    for f in FIELDS[kind]:
        spellings = [_norm(f.name), _norm(f.label), *(_norm(s) for s in f.synonyms)]
        mapping[f.name] = next(
            (
                i
                for spelling in spellings
                for i, header in enumerate(normalised)
                if header == spelling and i not in taken
            ),
            None,
        )
        if mapping[f.name] is not None:
            taken.add(mapping[f.name])
    return mapping


# --- the file ----------------------------------------------------------------------------------


def read_table(name: str, data: bytes) -> tuple[list[str], list[list[str]]]:
    """(headers, rows) of a CSV or XLSX file, every cell as text. Raises FileProblem."""
    if not data.strip():
        raise FileProblem("The file is empty.")
    if name.lower().endswith(".xlsx"):
        headers, rows = _read_xlsx(data)
    elif name.lower().endswith((".csv", ".txt")):
        headers, rows = _read_csv(data)
    else:
        raise FileProblem("Upload a .csv or an .xlsx file.")
    headers = [h.strip() for h in headers]
    if not any(headers):
        raise FileProblem("The first row should name the columns; it is empty.")
    if not rows:
        raise FileProblem("The file has a header row but no rows under it.")
    return headers, rows


def _read_csv(data: bytes) -> tuple[list[str], list[list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileProblem(
            "The file is not UTF-8 text (a byte at position "
            f"{error.start} cannot be read). In your spreadsheet, save it as “CSV UTF-8”, or "
            "upload the .xlsx itself."
        ) from error
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        table = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as error:
        raise FileProblem(f"The CSV cannot be read: {error}.") from error
    if not table:
        raise FileProblem("The file is empty.")
    return table[0], table[1:]


def _read_xlsx(data: bytes) -> tuple[list[str], list[list[str]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not xlsx
        raise FileProblem("The file is not a readable .xlsx workbook.") from error
    try:
        sheet = book.worksheets[0]
        table = [
            ["" if v is None else _xlsx_text(v) for v in row]
            for row in sheet.iter_rows(values_only=True)
            if any(v not in (None, "") for v in row)
        ]
    finally:
        book.close()
    if not table:
        raise FileProblem("The workbook's first sheet is empty.")
    return table[0], table[1:]


def _xlsx_text(value) -> str:
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- the rows ----------------------------------------------------------------------------------

YES = {"yes", "y", "true", "1", "x"}
NO = {"no", "n", "false", "0", ""}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y")
_email = EmailValidator()
_url = URLValidator()


@dataclass
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str
    message: str


def clean_row(kind: str, mapping: dict, headers: list[str], raw: list[str], number: int):
    """(values, errors) of one row: values by field name, errors naming row and column."""
    values, errors = {}, []
    for f in FIELDS[kind]:
        index = mapping.get(f.name)
        text = raw[index].strip() if index is not None and index < len(raw) else ""
        column = headers[index] if index is not None else f.label
        try:
            values[f.name] = _clean(f, text)
        except ValueError as error:
            errors.append(RowError(number, column, str(error)))
    if kind == "partners" and not errors:
        # A place is both coordinates or neither (the database holds to it too).
        located = [values["latitude"] is not None, values["longitude"] is not None]
        if any(located) and not all(located):
            missing = "longitude" if located[0] else "latitude"
            index = mapping.get(missing)
            column = headers[index] if index is not None else missing.title()
            errors.append(
                RowError(number, column, "Latitude and longitude go together: one is missing.")
            )
    return values, errors


def _clean(f: Field, text: str):
    if not text:
        if f.required:
            raise ValueError(f"{f.label} is required.")
        return (
            None
            if f.kind in ("number", "date", "choice")
            else ("" if f.kind != "yes/no" else False)
        )
    if len(text) > f.max_length:
        raise ValueError(f"{f.label} is longer than {f.max_length} characters.")
    if f.kind == "number":
        try:
            number = Decimal(text.replace(" ", "").replace(",", "."))
        except InvalidOperation:
            raise ValueError(f"“{text}” is not a number.") from None
        if not number.is_finite():
            raise ValueError(f"“{text}” is not a number.")
        if f.bounds and not f.bounds[0] <= number <= f.bounds[1]:
            raise ValueError(f"{f.label} must be between {f.bounds[0]} and {f.bounds[1]}.")
        return number.quantize(Decimal("0.00001"))
    if f.kind == "date":
        try:
            return datetime.date.fromisoformat(text)  # the usual case, and the fast one
        except ValueError:
            pass
        for fmt in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(f"“{text}” is not a date (write it as 2026-03-31).")
    if f.kind == "yes/no":
        if text.lower() in YES:
            return True
        if text.lower() in NO:
            return False
        raise ValueError(f"“{text}” is not yes or no.")
    if f.kind == "choice":
        value = f.choices.get(_norm(text))
        if value is None:
            known = ", ".join(sorted({v for v in f.choices.values()}))
            raise ValueError(f"“{text}” is not a known {f.label.lower()} ({known}).")
        return value
    if f.kind == "email":
        try:
            _email(text)
        except ValidationError:
            raise ValueError(f"“{text}” is not an email address.") from None
        return text.lower()
    if f.kind == "url":
        url = text if "://" in text else f"https://{text}"
        try:
            _url(url)
        except ValidationError:
            raise ValueError(f"“{text}” is not a web address.") from None
        return url
    return text
