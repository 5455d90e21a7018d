"""What the privacy app and Django's admin hold about a person: the record of their exports
and erasures, and the admin's log of edits (whose descriptions may name them)."""

from __future__ import annotations

from partners.models import Person
from vcc.hooks import PersonData

from .models import PrivacyRequest


def _export(person: Person) -> dict[str, list[dict]]:
    return {
        "privacy_requests": list(
            PrivacyRequest.objects.filter(person=person).values(
                "kind", "at", "by_the_person", "asked_by__username"
            )
        )
    }


PERSON_DATA = PersonData(key="privacy", models=("admin.LogEntry",), export=_export)
