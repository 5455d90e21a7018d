"""What imports hold about a person: the import records (rows previewed, errors, likely
duplicates) and uploaded files that name them (for the privacy app, vcc.hooks.PERSON_DATA)."""

from __future__ import annotations

from django.db import connection

from partners.models import Person
from partners.personal_data import identifiers, mentioning
from vcc.hooks import PersonData

from .models import ImportJob

TEXT = ("filename", "preview", "errors", "duplicates", "failure")


def _jobs(person: Person):
    return ImportJob.objects.filter(mentioning(person, *TEXT))


def _files_naming(person: Person) -> list[int]:
    """Import jobs whose uploaded file holds the person's name or email, found by the
    database (a byte search in each file; nothing is read into Python)."""
    found: set[int] = set()
    table = ImportJob._meta.db_table
    search = (
        "position(%s::bytea in data) > 0"
        if connection.vendor == "postgresql"
        else ("instr(data, %s) > 0")
    )
    with connection.cursor() as cursor:
        for text in identifiers(person):
            for variant in {text, text.lower(), text.upper()}:
                cursor.execute(f"SELECT id FROM {table} WHERE {search}", [variant.encode()])
                found.update(row[0] for row in cursor.fetchall())
    return sorted(found)


def _export(person: Person) -> dict[str, list[dict]]:
    return {
        "import_records": list(
            _jobs(person).values("id", "kind", "filename", "state", "created_at", "imported_at")
        )
    }


def _erase(person: Person) -> None:
    """The uploaded files that name them are emptied (an import still being checked must be
    uploaded again); the records' text is scrubbed like every other."""
    ids = set(_files_naming(person)) | set(_jobs(person).values_list("pk", flat=True))
    ImportJob.objects.filter(pk__in=ids).update(data=b"")


PERSON_DATA = PersonData(
    key="imports",
    models=("imports.ImportJob",),
    export=_export,
    mentions=lambda person: [_jobs(person)],
    erase=_erase,
)
