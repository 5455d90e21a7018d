"""A person's data export and erasure, gathered from what every app registers in
vcc.hooks.PERSON_DATA; each is recorded as a PrivacyRequest (who asked, when; not the data).

The erasure runs in one transaction: each app's own part first (the person row anonymised,
their account disabled, addresses cleared, their calendar feed deleted), then the text of
every registered model: in each row that holds their full name, email or phone, or that an
app lists as about them, those and their first and last name alone become "a removed person".
Rows are found by the database (a filter per model), never by reading a table into Python.
"""

from __future__ import annotations

import io
import json
import re
import zipfile

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from partners.models import Person
from partners.personal_data import REMOVED_PERSON, identifiers, name_parts
from vcc import hooks

from .models import PrivacyRequest, RequestKind

README = """Everything vcc holds about {name}, exported on {at:%Y-%m-%d %H:%M} UTC.

One JSON file per kind of record, in a folder per part of vcc:
{files}

Ask the coordinator of your value chain to correct anything wrong, or erase it all.
"""


def _record(*, person: Person, kind: str, by, counts: dict | None = None) -> PrivacyRequest:
    """Who asked, when, about whom (`person` as it was when asked)."""
    return PrivacyRequest.objects.create(
        person_id=person.pk,
        person_ref=person.pk,
        kind=kind,
        asked_by=by,
        by_the_person=by is not None and person.user_id is not None and person.user_id == by.pk,
        counts=counts or {},
    )


def person_data(person: Person) -> dict[str, dict[str, list[dict]]]:
    """{app: {section: rows}}: everything every app holds about the person."""
    return {key: data.export(person) for key, data in hooks.PERSON_DATA.items()}


@transaction.atomic
def export_person(*, person: Person, by) -> bytes:
    """The person's data as a zip of JSON files (one per app and section); recorded."""
    _record(person=person, kind=RequestKind.EXPORT, by=by)
    buffer = io.BytesIO()
    files = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for app, sections in person_data(person).items():
            for section, rows in sections.items():
                name = f"{app}/{section}.json"
                files.append(f"- {name}: {len(rows)} record{'s' if len(rows) != 1 else ''}")
                archive.writestr(name, json.dumps(rows, cls=DjangoJSONEncoder, indent=2))
        archive.writestr(
            "README.txt",
            README.format(name=person.full_name, at=timezone.now(), files="\n".join(files)),
        )
    return buffer.getvalue()


def text_fields(model) -> list[models.Field]:
    """The columns of `model` that can hold a name: text and JSON, not fixed choices."""
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        and not f.choices
        and not f.primary_key
    ]


def registered_models() -> list[type[models.Model]]:
    """Every model an app registered as possibly holding a person's name (PERSON_DATA)."""
    names = dict.fromkeys(n for data in hooks.PERSON_DATA.values() for n in data.models)
    return [apps.get_model(name) for name in names]


class _Scrubber:
    """Replaces the person's identifiers (anywhere) and name parts (as words) in a value."""

    def __init__(self, person: Person):
        strong = sorted(identifiers(person), key=len, reverse=True)
        parts = sorted(name_parts(person), key=len, reverse=True)
        self.patterns = [re.compile(re.escape(s), re.IGNORECASE) for s in strong] + [
            re.compile(rf"(?<!\w){re.escape(p)}(?!\w)", re.IGNORECASE) for p in parts
        ]

    def text(self, value: str) -> str:
        for pattern in self.patterns:
            value = pattern.sub(REMOVED_PERSON, value)
        return value

    def value(self, value):
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {self.text(k): self.value(v) for k, v in value.items()}
        return value


def _scrub_model(model, person: Person, about_pks: set, scrubber: _Scrubber) -> int:
    """Scrub the rows of `model` that name the person or are about them; how many changed."""
    fields = text_fields(model)
    if not fields:
        return 0
    q = Q(pk__in=about_pks)
    for field in fields:
        for text in identifiers(person):
            q |= Q(**{f"{field.name}__icontains": text})
    changed = []
    for row in model._base_manager.filter(q).only(*[f.attname for f in fields]):
        dirty = False
        for field in fields:
            old = getattr(row, field.attname)
            if old is None:
                continue
            new = scrubber.value(old)
            if isinstance(field, models.EmailField) and new != old:
                new = ""  # not an address any more
            elif isinstance(new, str) and field.max_length:
                new = new[: field.max_length]
            if new != old:
                setattr(row, field.attname, new)
                dirty = True
        if dirty:
            changed.append(row)
    if changed:
        model._base_manager.bulk_update(changed, [f.name for f in fields], batch_size=500)
    return len(changed)


@transaction.atomic
def erase_person(*, person: Person, by) -> PrivacyRequest:
    """Anonymise the person everywhere vcc holds them (see the module's docstring); counts
    and outcomes stay. Recorded with who asked and how many rows of each model changed."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    scrubber = _Scrubber(person)
    about: dict[type, set] = {}
    for data in hooks.PERSON_DATA.values():
        for queryset in data.mentions(person) if data.mentions else []:
            about.setdefault(queryset.model, set()).update(queryset.values_list("pk", flat=True))
    for data in hooks.PERSON_DATA.values():
        if data.erase:
            data.erase(person)
    counts = {}
    for model in registered_models():
        n = _scrub_model(model, person, about.get(model, set()), scrubber)
        if n:
            counts[model._meta.label] = n
    return _record(person=person, kind=RequestKind.ERASURE, by=by, counts=counts)


def is_erased(person: Person) -> bool:
    return PrivacyRequest.objects.filter(person=person, kind=RequestKind.ERASURE).exists()
