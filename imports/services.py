"""Writes of the import: upload, map columns, the dry run, the all-or-nothing import, undo.

Rows are streamed in batches: each batch is checked cell by cell, then its likely duplicates are
found with one indexed query per batch (never a query per row), then (when importing) written
with COPY on PostgreSQL (bulk_create elsewhere). The import itself is one transaction: every row
or none."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, Lookup, OuterRef
from django.db.models.functions import Lower
from django.db.models.lookups import In
from django.utils import timezone

from partners.models import (
    NAME_KEY,
    Affiliation,
    Certification,
    ChainRole,
    ChangeRecord,
    Need,
    NetworkRole,
    Offer,
    Participation,
    ParticipationStatus,
    Partner,
    PartnerKind,
    Person,
    Product,
    ValueChain,
    WebsiteKey,
)
from partners.permissions import coordinated_chain_ids
from partners.search import add_search_words, refresh_search_documents
from vcc import hooks

from .columns import FIELDS, CellError, clean_cell, duplicate_targets, guess_mapping
from .columns import missing_required as _missing_required
from .deletion import SetDeletion
from .models import DuplicateAction, ImportJob, ImportState
from .spreadsheet import (
    SpreadsheetError,
    describe,
    estimate_rows,
    iter_rows,
    read_header,
    sheet_names,
)

BATCH = 5000
PARTNER_COLUMNS = [
    "name",
    "kind",
    "description",
    "address",
    "region",
    "website",
    "size",
    "locally_owned",
    "women_owned",
    "minority_owned",
    "worker_owned",
    "search_document",
    "created_at",
    "updated_at",
]
PARTICIPATION_COLUMNS = [
    "partner",
    "value_chain",
    "chain_role",
    "network_role",
    "status",
    "status_changed_on",
    "joined_on",
    # The name of a partner the import creates: the database's trigger looks up only the names
    # not given (a partner already there that joins the chain).
    "partner_name",
]
KEEP_ERRORS = 500
KEEP_DUPLICATES = 500
KEEP_PREVIEW = 100


class ImportRefused(ValueError):
    """The request cannot be carried out; the message says why."""


# --- upload and mapping -----------------------------------------------------------------------


def max_upload_bytes() -> int:
    return settings.VCC_IMPORT_MAX_BYTES


def check_upload(filename: str, data: bytes, sheet: str = "") -> list[str]:
    """The file's headers, or SpreadsheetError (size, encoding, emptiness, headers)."""
    limit = max_upload_bytes()
    if len(data) > limit:
        raise SpreadsheetError(
            f"The file is {len(data) / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB. "
            "Split it into smaller files."
        )
    if not filename.lower().endswith((".csv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods")):
        raise SpreadsheetError("Upload a .csv, .xlsx, .xls or .ods file.")
    return read_header(filename, data, sheet)


@transaction.atomic
def start_import(user, chain: ValueChain, kind: str, filename: str, data: bytes) -> ImportJob:
    headers = check_upload(filename, data)
    sheets, sheet = sheet_names(filename, data)
    return ImportJob.objects.create(
        value_chain=chain,
        kind=kind,
        uploaded_by=user,
        filename=filename[:255],
        data=data,
        read_as=describe(filename, data),
        sheets=sheets,
        sheet=sheet,
        headers=headers,
        mapping=guess_mapping(kind, headers),
    )


@transaction.atomic
def replace_file(job: ImportJob, filename: str, data: bytes) -> ImportJob:
    """A corrected file for the same import: the mapping is kept for the headers still there."""
    if job.state not in (ImportState.UPLOADED, ImportState.CHECKED, ImportState.FAILED):
        raise ImportRefused("This import can no longer take a new file.")
    headers = check_upload(filename, data)
    guessed = guess_mapping(job.kind, headers)
    job.mapping = {h: job.mapping.get(h, guessed[h]) for h in headers}
    job.headers = headers
    job.filename = filename[:255]
    job.data = data
    job.read_as = describe(filename, data)
    job.sheets, job.sheet = sheet_names(filename, data)
    _reset_findings(job)
    job.save()
    return job


@transaction.atomic
def choose_sheet(job: ImportJob, sheet: str) -> ImportJob:
    """Read another sheet of the workbook: its headers, the mapping guessed again (kept for
    the headers still there), the findings cleared."""
    if job.state not in (ImportState.UPLOADED, ImportState.CHECKED, ImportState.FAILED):
        raise ImportRefused("This import can no longer read another sheet.")
    if sheet not in job.sheets:
        raise ImportRefused(f"The workbook has no sheet “{sheet}”.")
    data = bytes(ImportJob.objects.values_list("data", flat=True).get(pk=job.pk))
    headers = check_upload(job.filename, data, sheet)
    guessed = guess_mapping(job.kind, headers)
    job.mapping = {h: job.mapping.get(h, guessed[h]) for h in headers}
    job.headers = headers
    job.sheet = sheet
    job.read_as = describe(job.filename, data, sheet)
    _reset_findings(job)
    job.save()
    return job


def _reset_findings(job: ImportJob) -> None:
    job.state = ImportState.UPLOADED
    job.errors, job.duplicates, job.preview = [], [], []
    job.rows_total = job.rows_with_errors = job.rows_duplicate = job.errors_total = 0
    job.progress_done = job.progress_total = 0
    job.duplicate_choices = {}
    job.failure = ""


def mapping_problems(kind: str, mapping: dict[str, str]) -> list[str]:
    problems = [
        f"Choose the column that holds “{f.label}” (required)."
        for f in _missing_required(kind, mapping)
    ]
    labels = {f.name: f.label for f in FIELDS[kind]}
    problems += [f"Only one column can be “{labels[name]}”." for name in duplicate_targets(mapping)]
    return problems


def request_check(job: ImportJob, mapping: dict[str, str], duplicate_action: str) -> ImportJob:
    """Save the mapping and queue the dry run (in Celery: the page shows its progress)."""
    from .tasks import check_import

    problems = mapping_problems(job.kind, mapping)
    if problems:
        raise ImportRefused(" ".join(problems))
    with transaction.atomic():
        updated = ImportJob.objects.filter(
            pk=job.pk,
            state__in=[ImportState.UPLOADED, ImportState.CHECKED, ImportState.FAILED],
        ).update(
            mapping=mapping,
            duplicate_action=duplicate_action,
            state=ImportState.VALIDATING,
            progress_done=0,
            progress_total=0,
            failure="",
            claimed_at=None,
        )
        if updated != 1:
            raise ImportRefused("This import is busy or finished.")
        check_import.delay_on_commit(job.pk)
    job.refresh_from_db()
    return job


def request_import(job: ImportJob, choices: dict[str, str]) -> ImportJob:
    """Queue the import of a checked file with no errors."""
    from .tasks import commit_import

    if not job.can_import:
        raise ImportRefused("Fix the errors and check the file again before importing.")
    valid = {DuplicateAction.SKIP, DuplicateAction.MERGE}
    choices = {row: action for row, action in choices.items() if action in valid}
    with transaction.atomic():
        updated = ImportJob.objects.filter(
            pk=job.pk, state=ImportState.CHECKED, rows_with_errors=0
        ).update(
            state=ImportState.IMPORTING,
            duplicate_choices=choices,
            progress_done=0,
            progress_total=0,
            claimed_at=None,
        )
        if updated != 1:
            raise ImportRefused("This import is busy or finished.")
        commit_import.delay_on_commit(job.pk)
    job.refresh_from_db()
    return job


# --- the dry run and the import ---------------------------------------------------------------


class Progress:
    """Writes the job's progress where the page can read it while the import's own transaction
    is still open: on PostgreSQL through a second, autocommitting connection."""

    def __init__(self, job_id: int, total: int):
        self.job_id, self.total, self.side = job_id, total, None
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            import psycopg

            self.side = psycopg.connect(**connection.get_connection_params(), autocommit=True)
        self.set(0)

    def set(self, done: int) -> None:
        done = min(done, self.total)
        table = ImportJob._meta.db_table
        if self.side is not None:
            self.side.execute(
                f"UPDATE {table} SET progress_done = %s, progress_total = %s WHERE id = %s",
                (done, self.total, self.job_id),
            )
        else:
            ImportJob.objects.filter(pk=self.job_id).update(
                progress_done=done, progress_total=self.total
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def insert_rows(model, fields: list[str], rows: list[tuple]) -> list[int]:
    """Insert the rows (values in the order of `fields`) and return their new ids, in order.

    On PostgreSQL: the ids are drawn from the table's sequence in one query and the rows sent
    with COPY; elsewhere, bulk_create."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        table = model._meta.db_table
        columns = ", ".join(["id", *(model._meta.get_field(f).column for f in fields)])
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(rows)],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for pk, row in zip(ids, rows, strict=True):
                    copy.write_row((pk, *row))
        return ids
    names = [model._meta.get_field(f).attname for f in fields]
    objects = [model(**dict(zip(names, row, strict=True))) for row in rows]
    model.objects.bulk_create(objects, batch_size=BATCH)
    return [o.pk for o in objects]


class AnyOf(Lookup):
    """`text expression = ANY(array)`: the values travel as one array parameter (PostgreSQL),
    behind a sub-select so the planner does not estimate each of thousands of values."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return ("%s", [list(value)])

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} IN (SELECT unnest(%s::text[]))", [*lhs_params, list(self.rhs)]


def one_of(expression, values):
    """A filter: `expression` is one of `values`, by the expression's index. On PostgreSQL
    the values are one array parameter, not one parameter each (thousands per batch)."""
    values = list(values)
    if connection.vendor == "postgresql":
        return AnyOf(expression, values)
    return In(expression, values)


def _batches(it: Iterator, size: int) -> Iterator[list]:
    while batch := list(islice(it, size)):
        yield batch


def norm_name(text: str) -> str:
    return " ".join(text.lower().split())


_WEBSITE_NOISE = re.compile(r"^https?://(www\.)?|/+$")


def website_key(url: str) -> str:
    """The same key as partners.models.WebsiteKey computes in SQL (on PostgreSQL)."""
    return _WEBSITE_NOISE.sub("", url.lower()) if url else ""


class Run:
    """One pass over the file: check every row, find duplicates, and (when `write`) write."""

    def __init__(self, job: ImportJob, write: bool):
        self.job, self.write = job, write
        self.fields = {f.name: f for f in FIELDS[job.kind]}
        header_index = {h: i for i, h in enumerate(job.headers)}
        # In the file's order, as the dry run's table heads them (a jsonb mapping's keys are not).
        self.columns = [
            (header_index[h], h, self.fields[job.mapping[h]])
            for h in job.headers
            if job.mapping.get(h) and h in header_index
        ]
        self.headers_by_field = {f.name: header for _, header, f in self.columns}
        self.chain = job.value_chain
        # Likely duplicates are looked for among the records the coordinator may see.
        user = job.uploaded_by
        self.chain_ids = sorted(
            set(coordinated_chain_ids(user) if user is not None else []) | {job.value_chain_id}
        )
        self.errors: list[dict] = []
        self.duplicates: list[dict] = []
        self.preview: list[dict] = []
        self.errors_total = self.rows_with_errors = self.rows_duplicate = self.rows_total = 0
        self.created: dict[str, list[int]] = {}
        self.filled: dict[str, list[str]] = {}
        self.rows_created = self.rows_merged = self.rows_skipped = 0
        self.seen: dict[str, int] = {}  # a key of the row (name, email) -> first row number
        self.products: dict[str, int] = {}
        # What the pages' services would also have done, done once at the end (finish()):
        # the search text of the partners and people the rows touched, a line of history per
        # record, and the suggestions of the new listings.
        self.touched_partners: set[int] = set()
        self.touched_people: set[int] = set()
        self.history: list[tuple[int, str]] = []  # (partner id, summary)
        self.new_listings: list[int] = []

    # rows -> values

    def clean(self, number: int, cells: list[str]) -> dict | None:
        values, failed = {}, False
        for index, header, f in self.columns:
            raw = cells[index] if index < len(cells) else ""
            try:
                values[f.name] = clean_cell(f, raw)
            except CellError as error:
                failed = True
                self.error(number, header, str(error))
        return None if failed else values

    def error(self, number: int, column: str, message: str) -> None:
        self.errors_total += 1
        if len(self.errors) < KEEP_ERRORS:
            self.errors.append({"row": number, "column": column, "message": message})

    def column_of(self, field_name: str) -> str:
        return self.headers_by_field.get(field_name, field_name)

    def run(self) -> None:
        rows = iter_rows(self.job.filename, bytes(self.job.data), self.job.sheet)
        next(rows)  # the header
        total = self.job.rows_total or estimate_rows(
            self.job.filename, bytes(self.job.data), self.job.sheet
        )
        progress = Progress(self.job.pk, max(total, 1))
        try:
            number = 1
            for batch in _batches(rows, BATCH):
                good: list[tuple[int, dict]] = []
                for cells in batch:
                    number += 1
                    self.rows_total += 1
                    values = self.clean(number, cells)
                    if values is None:
                        self.rows_with_errors += 1
                        self.note_preview(number, cells, "error")
                    else:
                        good.append((number, values))
                getattr(self, f"batch_{self.job.kind}")(good)
                progress.set(self.rows_total)
            if self.write:
                self.finish()
        finally:
            progress.close()

    @property
    def source(self) -> str:
        return f"imported from {self.job.filename}"[:120]

    def finish(self) -> None:
        """After the rows are written, in the import's transaction: the search text, history
        and suggestions, as if the rows had been typed in on the pages."""
        refresh_search_documents(sorted(self.touched_partners), sorted(self.touched_people))
        user = self.job.uploaded_by
        now = timezone.now()
        empty = {}
        if connection.vendor == "postgresql":  # COPY sends the JSON column as jsonb
            from psycopg.types.json import Jsonb

            empty = Jsonb({})
        insert_rows(
            ChangeRecord,
            ["partner", "user", "at", "summary", "changes"],
            [
                (partner_id, user.pk if user else None, now, summary[:200], empty)
                for partner_id, summary in self.history
            ],
        )
        if self.new_listings:
            model = Offer if self.job.kind == "offers" else Need
            hooks.listings_added.send(model, listing_ids=self.new_listings)

    def note_preview(self, number: int, values, result: str, message: str = "") -> None:
        if number > KEEP_PREVIEW + 1:  # the first rows of the file only
            return
        if isinstance(values, dict):
            shown = [_show(values.get(f.name)) for _, _, f in self.columns]
        else:
            shown = [values[i] if i < len(values) else "" for i, _, _ in self.columns]
        self.preview.append({"row": number, "values": shown, "result": result, "message": message})

    def note_duplicate(self, number: int, values: dict, label: str, existing, reason: str):
        self.rows_duplicate += 1
        if len(self.duplicates) < KEEP_DUPLICATES:
            self.duplicates.append(
                {
                    "row": number,
                    "label": label,
                    "existing_id": existing[0],
                    "existing": existing[1],
                    "reason": reason,
                }
            )
        self.note_preview(number, values, "duplicate", f"Like {existing[1]} ({reason})")

    def action_for(self, number: int) -> str:
        return self.job.duplicate_choices.get(str(number), self.job.duplicate_action)

    def in_file_twice(self, number: int, key: str, column: str, what: str) -> bool:
        if not key:
            return False
        first = self.seen.setdefault(key, number)
        if first != number:
            self.rows_with_errors += 1
            self.error(number, column, f"Same {what} as row {first}: keep one of the two rows.")
            return True
        return False

    def add_created(self, what: str, ids) -> None:
        self.created.setdefault(what, []).extend(ids)

    # partners

    def batch_partners(self, good, **_):
        rows = []
        for number, values in good:
            key = "n:" + norm_name(values["name"])
            if self.in_file_twice(number, key, self.column_of("name"), "name"):
                self.note_preview(number, values, "error", "Repeated in the file")
                continue
            rows.append((number, values))
        names = {norm_name(v["name"]) for _, v in rows}
        sites = {website_key(v["website"]) for _, v in rows if v.get("website")}
        visible = Exists(
            Participation.objects.filter(partner=OuterRef("pk"), value_chain_id__in=self.chain_ids)
        )
        by_name, by_site = {}, {}
        found = Partner.objects.filter(visible, one_of(NAME_KEY, names))
        for pk, name in found.values_list("pk", "name"):
            by_name.setdefault(norm_name(name), (pk, name))
        if sites:
            found = Partner.objects.filter(visible, one_of(WebsiteKey("website"), sites)).annotate(
                site=WebsiteKey("website")
            )
            for pk, name, site in found.values_list("pk", "name", "site"):
                by_site.setdefault(site, (pk, name))
        stages = self.chain_stages()
        known_rows = []
        for number, values in rows:
            unknown = [n for n in values.get("stages") or [] if n.lower() not in stages]
            if unknown:
                self.rows_with_errors += 1
                self.error(
                    number,
                    self.column_of("stages"),
                    f"Not a stage of {self.chain.name}: {', '.join(unknown)}.",
                )
                self.note_preview(number, values, "error", "Unknown stage")
                continue
            known_rows.append((number, values))
        rows = known_rows
        new, merge = [], []
        for number, values in rows:
            existing, reason = by_name.get(norm_name(values["name"])), "same name"
            if existing is None and values.get("website"):
                existing, reason = by_site.get(website_key(values["website"])), "same website"
            if existing is None:
                new.append(values)
                self.note_preview(number, values, "new")
                continue
            self.note_duplicate(number, values, values["name"], existing, reason)
            if self.action_for(number) == DuplicateAction.MERGE:
                merge.append((existing[0], values))
            else:
                self.rows_skipped += 1
        if self.write:
            self.write_partners(new, merge)

    def write_partners(self, new: list[dict], merge: list[tuple[int, dict]]) -> None:
        now = timezone.now()
        partner_ids = insert_rows(
            Partner,
            PARTNER_COLUMNS,
            [
                (
                    v["name"],
                    v.get("kind") or PartnerKind.BUSINESS,
                    v.get("description", ""),
                    v.get("address", ""),
                    v.get("region", ""),
                    v.get("website", ""),
                    v.get("size", ""),
                    bool(v.get("locally_owned")),
                    bool(v.get("women_owned")),
                    bool(v.get("minority_owned")),
                    bool(v.get("worker_owned")),
                    " ".join(
                        w for w in (v["name"], v.get("region", ""), v.get("address", "")) if w
                    ).lower(),
                    now,
                    now,
                )
                for v in new
            ],
        )
        self.add_created("partners", partner_ids)
        self.rows_created += len(partner_ids)
        self.history += [
            (pk, f"Created {v['name']} in {self.chain.name}, {self.source}")
            for pk, v in zip(partner_ids, new, strict=True)
        ]
        # New names join the search vocabulary, so a typo of them is corrected too.
        add_search_words(
            " ".join(w for w in (v["name"], v.get("region", ""), v.get("address", "")) if w)
            for v in new
        )
        self.link_certifications(zip(partner_ids, new, strict=True))
        participations = [
            self.participation(pk, v, v["name"]) for pk, v in zip(partner_ids, new, strict=True)
        ]
        # Merged partners join the chain unless they are already in it.
        merged_ids = [pk for pk, _ in merge]
        already = set(
            Participation.objects.filter(
                value_chain=self.chain, partner_id__in=merged_ids
            ).values_list("partner_id", flat=True)
        )
        participations += [self.participation(pk, v) for pk, v in merge if pk not in already]
        ids = insert_rows(Participation, PARTICIPATION_COLUMNS, participations)
        joining = [*new, *(v for pk, v in merge if pk not in already)]
        stages = self.chain_stages()
        through = Participation.stages.through
        through.objects.bulk_create(
            [
                through(participation_id=pk, stage_id=stages[n.lower()])
                for pk, v in zip(ids, joining, strict=True)
                for n in v.get("stages") or []
            ],
            ignore_conflicts=True,
        )
        self.add_created("participations", ids[len(partner_ids) :])
        filled = self.fill_blanks(
            Partner, merge, ["region", "address", "website", "description", "size"]
        )
        self.touched_partners.update(filled)
        joined = {pk for pk, _ in merge if pk not in already}
        for pk, _ in merge:
            what = [f"joined {self.chain.name}"] if pk in joined else []
            what += [f"{name} filled in" for name in self.filled.get(f"partner:{pk}", [])]
            if what:
                self.history.append((pk, f"Merged with a row {self.source}: {', '.join(what)}"))
        self.rows_merged += len(merge)

    def chain_stages(self) -> dict[str, int]:
        """The import chain's stages by name in lower case (read once)."""
        if not hasattr(self, "_stages"):
            pairs = self.chain.stages.values_list("name", "pk")
            self._stages = {name.lower(): pk for name, pk in pairs}
        return self._stages

    def link_certifications(self, rows) -> None:
        """New partners get the certifications their row names (by name, in any case); a
        name the directory does not know yet is added to it."""
        wanted = [(pk, v.get("certifications") or []) for pk, v in rows]
        names = {n.lower(): n for _, ns in wanted for n in ns}
        if not names:
            return
        named = Certification.objects.annotate(key=Lower("name")).filter(key__in=names)
        known = dict(named.values_list("key", "pk"))
        missing = [Certification(name=names[k]) for k in names if k not in known]
        if missing:
            Certification.objects.bulk_create(missing)
            known = dict(named.values_list("key", "pk"))  # the named ones only, new ones too
        through = Partner.certifications.through
        through.objects.bulk_create(
            [
                through(partner_id=pk, certification_id=known[n.lower()])
                for pk, ns in wanted
                for n in dict.fromkeys(ns)
            ],
            ignore_conflicts=True,
        )

    def participation(self, partner_id: int, v: dict, name: str = "") -> tuple:
        joined = v.get("joined_on") or timezone.localdate()
        return (
            partner_id,
            self.chain.pk,
            v.get("chain_role") or ChainRole.PRODUCER,
            v.get("network_role") or NetworkRole.MEMBER,
            v.get("status") or ParticipationStatus.PROSPECT,
            joined,
            joined,
            name,
        )

    def fill_blanks(self, model, merge: list[tuple[int, dict]], names: list[str]) -> list[int]:
        """Existing records get the file's values for the fields they leave blank; the ids of
        those that changed."""
        if not merge:
            return []
        wanted = {pk: v for pk, v in merge}
        rows = model.objects.filter(pk__in=wanted).only("pk", *names)
        changed = []
        for obj in rows:
            filled = [
                n
                for n in names
                if not getattr(obj, n) and wanted[obj.pk].get(n) and n in self.mapped
            ]
            for n in filled:
                setattr(obj, n, wanted[obj.pk][n])
            if filled:
                changed.append(obj)
                self.filled[f"{model._meta.model_name}:{obj.pk}"] = filled
        if changed:
            model.objects.bulk_update(changed, names, batch_size=BATCH)
        return [obj.pk for obj in changed]

    @property
    def mapped(self) -> set[str]:
        return {f.name for _, _, f in self.columns}

    # people and listings: the organisation is a partner of the chain

    def organisations(self, good) -> dict[str, int]:
        names = {norm_name(v["organisation"]) for _, v in good}
        found = Partner.objects.filter(
            one_of(NAME_KEY, names), participations__value_chain=self.chain
        )
        result: dict[str, int] = {}
        for pk, name in found.order_by("pk").values_list("pk", "name"):
            result.setdefault(norm_name(name), pk)
        return result

    def resolve_organisation(self, number: int, values: dict, orgs: dict[str, int]) -> int | None:
        pk = orgs.get(norm_name(values["organisation"]))
        if pk is None:
            self.rows_with_errors += 1
            self.error(
                number,
                self.column_of("organisation"),
                f"No partner called “{values['organisation'][:80]}” in {self.chain.name}: "
                "import the partners first, or correct the name.",
            )
            self.note_preview(number, values, "error", "Unknown organisation")
        return pk

    def batch_people(self, good, **_):
        orgs = self.organisations(good)
        rows = []
        for number, values in good:
            partner_id = self.resolve_organisation(number, values, orgs)
            if partner_id is None:
                continue
            email_key = "e:" + values["email"] if values.get("email") else ""
            if self.in_file_twice(number, email_key, self.column_of("email"), "email"):
                self.note_preview(number, values, "error", "Repeated in the file")
                continue
            rows.append((number, values, partner_id))
        emails = {v["email"] for _, v, _ in rows if v.get("email")}
        names = {(v["first_name"].lower(), v.get("last_name", "").lower()) for _, v, _ in rows}
        visible = Exists(
            Affiliation.objects.filter(
                person=OuterRef("pk"), partner__participations__value_chain_id__in=self.chain_ids
            )
        )
        by_email, by_name, taken = {}, {}, set()
        people = Person.objects.annotate(
            lemail=Lower("email"), lfirst=Lower("first_name"), llast=Lower("last_name")
        ).annotate(visible=visible)
        for pk, first, last, lemail, is_visible in people.filter(lemail__in=emails).values_list(
            "pk", "first_name", "last_name", "lemail", "visible"
        ):
            if is_visible:
                by_email[lemail] = (pk, f"{first} {last}".strip())
            else:
                taken.add(lemail)
        firsts = {f for f, _ in names}
        for pk, first, last, lfirst, llast in (
            people.filter(visible=True, lfirst__in=firsts)
            .filter(llast__in={last for _, last in names})
            .values_list("pk", "first_name", "last_name", "lfirst", "llast")
        ):
            by_name.setdefault((lfirst, llast), (pk, f"{first} {last}".strip()))
        new, merge = [], []
        for number, values, partner_id in rows:
            email = values.get("email", "")
            if email in taken:
                self.rows_with_errors += 1
                self.error(number, self.column_of("email"), "This email address is already in use.")
                self.note_preview(number, values, "error", "Email in use")
                continue
            label = f"{values['first_name']} {values.get('last_name', '')}".strip()
            existing, reason = (by_email.get(email), "same email") if email else (None, "")
            if existing is None:
                key = (values["first_name"].lower(), values.get("last_name", "").lower())
                existing, reason = by_name.get(key), "same name"
            if existing is None:
                new.append((values, partner_id))
                self.note_preview(number, values, "new")
                continue
            self.note_duplicate(number, values, label, existing, reason)
            if self.action_for(number) == DuplicateAction.MERGE:
                merge.append((existing[0], values, partner_id))
            else:
                self.rows_skipped += 1
        if self.write:
            self.write_people(new, merge)

    def write_people(self, new, merge) -> None:
        people = [
            Person(
                first_name=v["first_name"],
                last_name=v.get("last_name", ""),
                email=v.get("email", ""),
                phone=v.get("phone", ""),
                search_document=" ".join(
                    w for w in (v["first_name"], v.get("last_name", ""), v.get("email", "")) if w
                ).lower(),
            )
            for v, _ in new
        ]
        Person.objects.bulk_create(people, batch_size=BATCH)
        add_search_words(p.search_document for p in people)
        self.add_created("people", [p.pk for p in people])
        self.rows_created += len(people)
        links = [(p.pk, partner_id, v) for p, (v, partner_id) in zip(people, new, strict=True)]
        existing = set(
            Affiliation.objects.filter(person_id__in=[pk for pk, _, _ in merge]).values_list(
                "person_id", "partner_id"
            )
        )
        links += [
            (pk, partner_id, v) for pk, v, partner_id in merge if (pk, partner_id) not in existing
        ]
        affiliations = [
            Affiliation(person_id=pk, partner_id=partner_id, title=v.get("title", ""))
            for pk, partner_id, v in links
        ]
        Affiliation.objects.bulk_create(affiliations, batch_size=BATCH)
        self.add_created("affiliations", [a.pk for a in affiliations[len(people) :]])
        filled = self.fill_blanks(Person, [(pk, v) for pk, v, _ in merge], ["last_name", "phone"])
        # A person's search text holds their organisations, a partner's its people.
        self.touched_people.update(pk for pk, _, _ in links)
        self.touched_people.update(filled)
        self.touched_partners.update(partner_id for _, partner_id, _ in links)
        for _, partner_id, v in links:
            name = f"{v['first_name']} {v.get('last_name', '')}".strip()
            self.history.append((partner_id, f"Added person {name}, {self.source}"))
        self.rows_merged += len(merge)

    def batch_offers(self, good, **_):
        self.batch_listings(good, Offer)

    def batch_needs(self, good, **_):
        self.batch_listings(good, Need)

    def batch_listings(self, good, model) -> None:
        orgs = self.organisations(good)
        found = []
        for number, values in good:
            partner_id = self.resolve_organisation(number, values, orgs)
            if partner_id is not None:
                found.append((number, values, partner_id))
        existing = self.existing_listings(model, found)
        what = model._meta.verbose_name
        rows = []
        for number, values, partner_id in found:
            same = existing.get((partner_id, values["product"].lower()))
            if same is None:
                rows.append((values, partner_id))
                self.note_preview(number, values, "new")
                continue
            # The partner already lists this product: an import adds listings, it does not
            # change them, so a duplicate is skipped whatever the choice (edit it on the page).
            label = f"{values['product']} ({values.get('organisation', '')})".strip()
            self.note_duplicate(number, values, label, same, f"same {what}")
            self.rows_skipped += 1
        if self.write and rows:
            self.ensure_products({v["product"] for v, _ in rows})
            listings = [
                model(
                    partner_id=partner_id,
                    product_id=self.products[v["product"].lower()],
                    volume=v["volume"],
                    unit=v["unit"],
                    period=v.get("period") or "year",
                    notes=v.get("notes", ""),
                )
                for v, partner_id in rows
            ]
            model.objects.bulk_create(listings, batch_size=BATCH)
            self.add_created(self.job.kind, [x.pk for x in listings])
            self.new_listings += [x.pk for x in listings]
            self.touched_partners.update(x.partner_id for x in listings)
            noun = model._meta.verbose_name
            self.history += [
                (x.partner_id, f"Added {noun}: {v['product']}, {self.source}")
                for x, (v, _) in zip(listings, rows, strict=True)
            ]
            self.rows_created += len(listings)

    def existing_listings(self, model, found) -> dict[tuple[int, str], tuple[int, str]]:
        """The listings the rows' partners already have of the rows' products, in one query:
        (partner id, product name in lower case) -> (listing id, what to show)."""
        if not found:
            return {}
        partner_ids = {partner_id for _, _, partner_id in found}
        products = {values["product"].lower() for _, values, _ in found}
        listings = (
            model.objects.annotate(lproduct=Lower("product__name"))
            .filter(partner_id__in=partner_ids, lproduct__in=products)
            .values_list("pk", "partner_id", "lproduct", "product__name", "partner__name")
        )
        return {
            (partner_id, lproduct): (pk, f"{product} of {partner}")
            for pk, partner_id, lproduct, product, partner in listings
        }

    def ensure_products(self, names: set[str]) -> None:
        wanted = {n.lower(): n for n in names if n.lower() not in self.products}
        if not wanted:
            return
        for pk, lname in (
            Product.objects.annotate(lname=Lower("name"))
            .filter(lname__in=wanted)
            .values_list("pk", "lname")
        ):
            self.products[lname] = pk
        missing = [Product(name=wanted[k]) for k in wanted if k not in self.products]
        Product.objects.bulk_create(missing)
        self.add_created("products", [p.pk for p in missing])
        for p in missing:
            self.products[p.name.lower()] = p.pk


def _show(value) -> str:
    if value is None:
        return ""
    return str(value)


def _claim(job_id: int, state: str) -> bool:
    """Take a queued job: exactly one worker changes the row."""
    return (
        ImportJob.objects.filter(pk=job_id, state=state, claimed_at__isnull=True).update(
            claimed_at=timezone.now()
        )
        == 1
    )


def check_import(job_id: int) -> bool:
    """The dry run: every row checked, duplicates found, nothing written but the findings."""
    if not _claim(job_id, ImportState.VALIDATING):
        return False
    job = ImportJob.objects.select_related("value_chain", "uploaded_by").get(pk=job_id)
    run = Run(job, write=False)
    job.rows_total = 0
    try:
        run.run()
    except SpreadsheetError as error:
        ImportJob.objects.filter(pk=job_id).update(state=ImportState.FAILED, failure=str(error))
        return False
    ImportJob.objects.filter(pk=job_id, state=ImportState.VALIDATING).update(
        state=ImportState.CHECKED,
        rows_total=run.rows_total,
        rows_with_errors=run.rows_with_errors,
        rows_duplicate=run.rows_duplicate,
        errors=run.errors,
        errors_total=run.errors_total,
        duplicates=run.duplicates,
        preview=sorted(run.preview, key=lambda r: r["row"]),
        progress_done=run.rows_total,
        progress_total=run.rows_total,
        checked_at=timezone.now(),
    )
    return True


def commit_import(job_id: int) -> bool:
    """The import: every row in one transaction, or none when anything fails."""
    if not _claim(job_id, ImportState.IMPORTING):
        return False
    job = ImportJob.objects.select_related("value_chain", "uploaded_by").get(pk=job_id)
    run = Run(job, write=True)
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # New rows' search words go to the GIN indexes' pending lists, merged later by
                # (auto)vacuum, rather than into the indexes row by row during the import.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL gin_pending_list_limit = '128MB'")
            run.run()
            if run.rows_with_errors:
                raise ImportRefused(
                    f"{run.rows_with_errors} rows have errors now: the file was checked again "
                    "and nothing was imported."
                )
            ImportJob.objects.filter(pk=job_id).update(
                state=ImportState.IMPORTED,
                created=run.created,
                filled=run.filled,
                rows_created=run.rows_created,
                rows_merged=run.rows_merged,
                rows_skipped=run.rows_skipped,
                progress_done=run.rows_total,
                progress_total=run.rows_total,
                imported_at=timezone.now(),
            )
    except (ImportRefused, SpreadsheetError) as error:
        ImportJob.objects.filter(pk=job_id).update(
            state=ImportState.FAILED, failure=str(error), progress_done=0
        )
        return False
    except Exception:
        ImportJob.objects.filter(pk=job_id).update(
            state=ImportState.FAILED,
            failure="The import failed and nothing was imported. Try again, or ask for help.",
            progress_done=0,
        )
        raise
    return True


UNDO_ORDER = [
    ("affiliations", Affiliation),
    ("participations", Participation),
    ("offers", Offer),
    ("needs", Need),
    ("people", Person),
    ("partners", Partner),
    ("products", Product),
]


def unused_products(ids: list[int]) -> list[int]:
    """Of the products `ids`, those no offer, need or other product refers to."""
    return list(
        Product.objects.filter(
            ~Exists(Offer.objects.filter(product=OuterRef("pk"))),
            ~Exists(Need.objects.filter(product=OuterRef("pk"))),
            ~Exists(Product.objects.filter(parent=OuterRef("pk"))),
            pk__in=ids,
        ).values_list("pk", flat=True)
    )


def request_undo(job: ImportJob) -> ImportJob:
    """Queue the undo of an import (in Celery: a large one takes a while)."""
    from .tasks import undo_import

    with transaction.atomic():
        updated = ImportJob.objects.filter(pk=job.pk, state=ImportState.IMPORTED).update(
            state=ImportState.UNDOING, claimed_at=None, progress_done=0, progress_total=0
        )
        if updated != 1:
            raise ImportRefused("Only an imported file can be undone, once.")
        undo_import.delay_on_commit(job.pk)
    job.refresh_from_db()
    return job


def undo_import(job_id: int) -> bool:
    """Remove what the import created and blank again what it filled in: one transaction.

    Set-based (imports.deletion): children first, one statement per relation and batch, by
    the models' on_delete rules. What was added since to an imported partner or person goes
    with it (as a cascade would take it); a product used since by an offer, a need or as a
    parent stays."""
    if not _claim(job_id, ImportState.UNDOING):
        return False
    job = ImportJob.objects.get(pk=job_id)
    deletion = SetDeletion()
    try:
        with transaction.atomic():
            total = sum(len(job.created.get(key, [])) for key, _ in UNDO_ORDER)
            progress = Progress(job_id, max(total, 1))
            done = 0
            if connection.vendor == "postgresql":
                # Foreign keys checked as each statement runs, not all at the commit: the
                # progress bar then tells the time the checks take (most of an undo's).
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # Records the import added to and that stay: their search text and history follow.
            created = {key: job.created.get(key, []) for key, _ in UNDO_ORDER}
            kept_partners, kept_people = set(), set()
            kept_partners.update(
                int(ref.split(":")[1]) for ref in job.filled if ref.startswith("partner:")
            )
            kept_people.update(
                int(ref.split(":")[1]) for ref in job.filled if ref.startswith("person:")
            )
            listings = (("affiliations", Affiliation), ("participations", Participation))
            for key, model in (*listings, ("offers", Offer), ("needs", Need)):
                kept_partners.update(
                    model.objects.filter(pk__in=created[key]).values_list("partner_id", flat=True)
                )
            kept_people.update(
                Affiliation.objects.filter(pk__in=created["affiliations"]).values_list(
                    "person_id", flat=True
                )
            )
            kept_partners -= set(created["partners"])
            kept_people -= set(created["people"])
            try:
                for key, model in UNDO_ORDER:
                    ids = job.created.get(key, [])
                    for start in range(0, len(ids), BATCH):
                        batch = ids[start : start + BATCH]
                        gone = unused_products(batch) if model is Product else batch
                        deletion.delete(model, gone)
                        done += len(batch)
                        progress.set(done)
            finally:
                progress.close()
            for ref, names in job.filled.items():
                model_name, pk = ref.split(":")
                model = Partner if model_name == "partner" else Person
                model.objects.filter(pk=int(pk)).update(**{n: "" for n in names})
            refresh_search_documents(sorted(kept_partners), sorted(kept_people))
            summary = f"Import of {job.filename} undone"[:200]
            ChangeRecord.objects.bulk_create(
                ChangeRecord(partner_id=pk, user=job.uploaded_by, summary=summary)
                for pk in sorted(kept_partners)
            )
            ImportJob.objects.filter(pk=job_id).update(
                state=ImportState.UNDONE, undone_at=timezone.now(), progress_done=0
            )
            deletion.after_commit()
    except Exception:
        ImportJob.objects.filter(pk=job_id).update(
            state=ImportState.IMPORTED,
            failure="Undoing failed and nothing was removed. Try again, or ask for help.",
            progress_done=0,
        )
        raise
    return True
