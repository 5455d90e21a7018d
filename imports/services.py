"""Imports: upload, check (every row, and likely duplicates), import (all or nothing), undo.

Rows are handled in batches of BATCH: duplicates and organisations are looked up with one
query per batch, records written with bulk inserts; never a query per row.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from partners.generate import write_rows
from partners.models import (
    Affiliation,
    NetworkRole,
    Participation,
    ParticipationStatus,
    Partner,
    Person,
)
from partners.permissions import visible_partners, visible_people
from partners.services import add_search_words

from .models import DuplicateAction, ImportKind, ImportRun, ImportStatus
from .reading import FIELDS, FileProblem, RowError, clean_row, guess_mapping, read_table

BATCH = 5000
REPORT_LIMIT = 500  # errors and duplicates kept for the page; the counts are complete


def start_import(*, by, chain, kind: str, name: str, data: bytes) -> ImportRun:
    """Keep an uploaded file with the mapping guessed from its headers. Raises FileProblem."""
    limit = settings.VCC_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise FileProblem(
            f"The file is {len(data) / 1_000_000:.1f} MB; the limit is {limit / 1_000_000:.0f} MB."
        )
    headers, rows = read_table(name, data)
    return ImportRun.objects.create(
        value_chain=chain,
        kind=kind,
        file_name=name[:200],
        data=data,
        mapping=guess_mapping(kind, headers),
        rows=len(rows),
        created_by=by,
    )


def headers_of(run: ImportRun) -> list[str]:
    return read_table(run.file_name, bytes(run.data))[0]


def missing_required(run: ImportRun) -> list[str]:
    """Labels of the required fields the mapping leaves without a column."""
    return [f.label for f in FIELDS[run.kind] if f.required and run.mapping.get(f.name) is None]


# --- reading every row -------------------------------------------------------------------------


def _batches(run: ImportRun):
    """(first row number, [(row number, values)], [errors]) per batch of the file's rows."""
    headers, rows = read_table(run.file_name, bytes(run.data))
    for start in range(0, len(rows), BATCH):
        cleaned, errors = [], []
        for offset, raw in enumerate(rows[start : start + BATCH]):
            number = start + offset + 2  # the header is row 1
            values, problems = clean_row(run.kind, run.mapping, headers, raw, number)
            errors += problems
            if not problems:
                cleaned.append((number, values))
        yield start, cleaned, errors


def _existing(run: ImportRun, user, rows: list[tuple[int, dict]]) -> dict:
    """The records the rows would duplicate, and (people) the organisations they name."""
    if run.kind == ImportKind.PARTNERS:
        names = {v["name"].lower() for _, v in rows}
        sites = {v["website"].lower() for _, v in rows if v.get("website")}
        # Each through its own index (lower(name), lower(website)); then only the partners the
        # user may see. Three short queries per batch.
        candidates = {
            p.pk: p
            for column, values in (("name", names), ("website", sites))
            if values
            for p in Partner.objects.filter(_lower_in(column, values))
            .order_by()
            .only("id", "name", "website", "region", "address")
        }
        seen = set(
            visible_partners(user).filter(pk__in=list(candidates)).values_list("pk", flat=True)
        )
        by_name, by_site = {}, {}
        for p in (candidates[pk] for pk in sorted(seen)):
            by_name.setdefault(p.name.lower(), p)
            if p.website:
                by_site.setdefault(p.website.lower(), p)
        return {"name": by_name, "website": by_site}
    emails = {v["email"] for _, v in rows if v.get("email")}
    orgs = {v["organisation"].lower() for _, v in rows}
    people = {
        p.email.lower(): p
        for p in visible_people(user)
        .exclude(email="")  # lets PostgreSQL use the unique index on lower(email)
        .filter(_lower_in("email", emails))
        .order_by()
        .only("id", "email", "first_name", "last_name")
    }
    partners = {
        p.name.lower(): p
        for p in visible_partners(user)
        .filter(_lower_in("name", orgs))
        .order_by()
        .only("id", "name")
    }
    return {"email": people, "organisation": partners}


def _duplicate_of(run: ImportRun, values: dict, existing: dict):
    """(existing record, why) when the row looks like one already there, else None."""
    if run.kind == ImportKind.PARTNERS:
        if values["name"].lower() in existing["name"]:
            return existing["name"][values["name"].lower()], "same name"
        site = (values.get("website") or "").lower()
        if site and site in existing["website"]:
            return existing["website"][site], "same website"
        return None
    email = values.get("email")
    if email and email in existing["email"]:
        return existing["email"][email], "same email"
    return None


def _lower_in(column: str, values: set[str]) -> Q:
    """lower(column) is one of `values`. On PostgreSQL one array parameter, unnested: the
    planner then probes the expression index once per value (thousands of IN parameters cost
    more to send than to find, and an `= ANY` of thousands it answers with a full scan)."""
    if connection.vendor == "postgresql":
        sql = f"lower({column}) IN (SELECT unnest(%s::text[]))"
        return Q(RawSQL(sql, [sorted(values)], output_field=BooleanField()))
    return Q(**{f"{column}__lower__in": values})


def check_import(run: ImportRun, user) -> ImportRun:
    """Read every row: errors (row and column), duplicates within the file and of existing
    records, organisations that do not exist. Saves the report; writes nothing else."""
    errors: list[RowError] = []
    duplicates: list[dict] = []
    error_count = duplicate_count = new = 0
    seen: dict[str, int] = {}
    key = "name" if run.kind == ImportKind.PARTNERS else "email"
    for start, rows, problems in _batches(run):
        error_count += len(problems)
        errors += problems[: max(0, REPORT_LIMIT - len(errors))]
        existing = _existing(run, user, rows) if rows else {}
        for number, values in rows:
            mark = (values.get(key) or "").lower()
            if mark and mark in seen:
                error_count += 1
                if len(errors) < REPORT_LIMIT:
                    errors.append(
                        RowError(number, key, f"Same {key} as row {seen[mark]} of this file.")
                    )
                continue
            if mark:
                seen[mark] = number
            if (
                run.kind == ImportKind.PEOPLE
                and values["organisation"].lower() not in existing["organisation"]
            ):
                error_count += 1
                if len(errors) < REPORT_LIMIT:
                    errors.append(
                        RowError(
                            number,
                            "organisation",
                            f"No partner named “{values['organisation']}” in your value chains.",
                        )
                    )
                continue
            twin = _duplicate_of(run, values, existing)
            if twin:
                duplicate_count += 1
                if len(duplicates) < REPORT_LIMIT:
                    record, why = twin
                    duplicates.append(
                        {
                            "row": number,
                            "value": values.get(key) or values.get("name"),
                            "existing_id": record.pk,
                            "existing": str(record),
                            "why": why,
                        }
                    )
            else:
                new += 1
        ImportRun.objects.filter(pk=run.pk).update(progress=min(run.rows, start + BATCH))
    run.report = {
        "errors": [e.__dict__ for e in errors],
        "error_count": error_count,
        "duplicates": duplicates,
        "duplicate_count": duplicate_count,
        "new": new,
    }
    run.status = ImportStatus.CHECKED
    run.progress = run.rows
    run.save(update_fields=["report", "status", "progress"])
    return run


# --- importing ---------------------------------------------------------------------------------

PARTNER_COPY = ("region", "address", "website")
PARTNER_COLUMNS = (
    *("name", "kind", "region", "address", "website", "latitude", "longitude"),
    *("locally_owned", "women_owned", "search_document"),
)


def _insert(model, fields: list[str], rows: list[tuple]) -> list[int]:
    """Insert rows (values in the order of `fields`) and return their ids. PostgreSQL: the ids
    are drawn from the table's sequence in one query, and the rows sent with COPY (a hundred
    thousand in a second or two); elsewhere bulk_create."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
        write_rows(model, ["id", *fields], [(pk, *row) for pk, row in zip(ids, rows, strict=True)])
        return ids
    objects = model.objects.bulk_create(
        [model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=1000
    )
    return [o.pk for o in objects]


def _partner_document(values: dict) -> str:
    # What partners.services.partner_search_documents builds for a partner with no people,
    # offers or needs yet.
    return " ".join(w for w in (values["name"], values["region"], values["address"]) if w).lower()


@transaction.atomic
def import_rows(run: ImportRun, user) -> ImportRun:
    """Write every row, or nothing: one transaction. Duplicates are skipped or merged as the
    run says; what was made and changed is kept on the run for undo."""
    created: dict[str, list[int]] = {
        "partner": [],
        "participation": [],
        "person": [],
        "affiliation": [],
    }
    merged: list[dict] = []
    today = timezone.localdate()
    for _start, rows, problems in _batches(run):
        if problems:
            raise ValueError("The file has errors: check it again.")
        existing = _existing(run, user, rows)
        if run.kind == ImportKind.PARTNERS:
            _import_partners(run, rows, existing, created, merged, today)
        else:
            _import_people(run, rows, existing, created, merged)
    run.created, run.merged = created, merged
    run.status, run.progress, run.finished_at = ImportStatus.IMPORTED, run.rows, timezone.now()
    run.save(update_fields=["created", "merged", "status", "progress", "finished_at"])
    return run


def _import_partners(run, rows, existing, created, merged, today) -> None:
    fresh, links = [], []
    chain_members = set(
        Participation.objects.filter(
            value_chain=run.value_chain,
            partner_id__in=[p.pk for p in existing["name"].values()]
            + [p.pk for p in existing["website"].values()],
        ).values_list("partner_id", flat=True)
    )
    for _number, v in rows:
        twin = _duplicate_of(run, v, existing)
        participation = dict(
            value_chain=run.value_chain,
            chain_role=v["chain_role"] or "producer",
            status=v["status"] or ParticipationStatus.PROSPECT,
            status_changed_on=v["status_since"] or today,
        )
        if twin:
            if run.duplicates == DuplicateAction.SKIP:
                continue
            partner = twin[0]
            before = {f: getattr(partner, f) for f in PARTNER_COPY}
            changed = [f for f in PARTNER_COPY if not before[f] and v.get(f)]
            for f in changed:
                setattr(partner, f, v[f])
            if changed:
                partner.save(update_fields=[*changed, "updated_at"])
            link_id = None
            if partner.pk not in chain_members:
                link_id = Participation.objects.create(partner=partner, **participation).pk
                chain_members.add(partner.pk)
            merged.append(
                {
                    "model": "partner",
                    "id": partner.pk,
                    "before": {f: before[f] for f in changed},
                    "participation": link_id,
                }
            )
            continue
        fresh.append(
            (
                v["name"],
                v["kind"] or "business",
                v["region"],
                v["address"],
                v["website"],
                v["latitude"],
                v["longitude"],
                v["locally_owned"],
                v["women_owned"],
                _partner_document(v),
            )
        )
        links.append(participation)
    now = timezone.now()
    partner_ids = _insert(
        Partner,
        [*PARTNER_COLUMNS, "description", "size", "minority_owned", "worker_owned"]
        + ["created_at", "updated_at"],
        [(*row, "", "", False, False, now, now) for row in fresh],
    )
    link_ids = _insert(
        Participation,
        ["partner_id", "value_chain_id", "chain_role", "network_role", "status"]
        + ["status_changed_on"],
        [
            (
                pk,
                run.value_chain_id,
                link["chain_role"],
                NetworkRole.MEMBER,
                link["status"],
                link["status_changed_on"],
            )
            for pk, link in zip(partner_ids, links, strict=True)
        ],
    )
    add_search_words(row[-1] for row in fresh)
    created["partner"] += partner_ids
    created["participation"] += link_ids


def _import_people(run, rows, existing, created, merged) -> None:
    from partners.services import refresh_search_documents

    fresh, orgs, titles = [], [], []
    for _number, v in rows:
        partner = existing["organisation"][v["organisation"].lower()]
        twin = _duplicate_of(run, v, existing)
        if twin:
            if run.duplicates == DuplicateAction.SKIP:
                continue
            person = twin[0]
            link = Affiliation.objects.filter(person=person, partner=partner).first()
            link_id = None
            if link is None:
                link_id = Affiliation.objects.create(
                    person=person, partner=partner, title=v["title"]
                ).pk
            merged.append(
                {"model": "person", "id": person.pk, "before": {}, "affiliation": link_id}
            )
            continue
        fresh.append(
            Person(
                first_name=v["first_name"],
                last_name=v["last_name"],
                email=v["email"],
                phone=v["phone"],
                consent_to_contact=v["consent"],
            )
        )
        orgs.append(partner)
        titles.append(v["title"])
    people = Person.objects.bulk_create(fresh, batch_size=1000)
    links = Affiliation.objects.bulk_create(
        [
            Affiliation(person=p, partner=o, title=t)
            for p, o, t in zip(people, orgs, titles, strict=True)
        ],
        batch_size=1000,
    )
    created["person"] += [p.pk for p in people]
    created["affiliation"] += [a.pk for a in links]
    refresh_search_documents(
        {o.pk for o in orgs} | {m["id"] for m in merged if m["model"] == "partner"},
        [p.pk for p in people],
    )


@transaction.atomic
def undo_import(run: ImportRun) -> ImportRun:
    """Remove what the import made and put merged records back as they were."""
    locked = ImportRun.objects.select_for_update().get(pk=run.pk)
    if locked.status != ImportStatus.IMPORTED:
        raise ValueError("Only an imported file can be undone.")
    created = locked.created
    for model, key in (
        (Affiliation, "affiliation"),
        (Person, "person"),
        (Participation, "participation"),
        (Partner, "partner"),
    ):
        ids = created.get(key, [])
        for start in range(0, len(ids), BATCH):
            model.objects.filter(pk__in=ids[start : start + BATCH]).delete()
    for m in locked.merged:
        if m["model"] == "partner":
            if m["before"]:
                Partner.objects.filter(pk=m["id"]).update(**m["before"])
            if m.get("participation"):
                Participation.objects.filter(pk=m["participation"]).delete()
        elif m.get("affiliation"):
            Affiliation.objects.filter(pk=m["affiliation"]).delete()
    locked.status, locked.undone_at = ImportStatus.UNDONE, timezone.now()
    locked.save(update_fields=["status", "undone_at"])
    return locked


def queue(run_id: int, before: tuple[str, ...], after: str) -> str | None:
    """Move a run from one of `before` to `after` (checking, importing) with a new job token,
    only if it is still there: of two clicks, one queues the work. Returns the token."""
    job = uuid.uuid4().hex
    moved = ImportRun.objects.filter(pk=run_id, status__in=before).update(
        status=after, progress=0, job=job
    )
    return job if moved == 1 else None


def take(run_id: int, job: str) -> bool:
    """The task's side: take the queued job, exactly once however often it is delivered."""
    return ImportRun.objects.filter(pk=run_id, job=job).update(job="") == 1
