"""What followups hold about a person: the coordinators' tasks about them (for the privacy app,
vcc.hooks.PERSON_DATA); the erasure scrubs the tasks' text like every other."""

from __future__ import annotations

from partners.models import Person
from vcc.hooks import PersonData

from .models import Task


def _tasks(person: Person):
    return Task.objects.filter(person=person)


def _export(person: Person) -> dict[str, list[dict]]:
    return {"tasks": list(_tasks(person).values("id", "title", "notes", "due_on", "done_at"))}


PERSON_DATA = PersonData(
    key="followups",
    models=("followups.Task",),
    export=_export,
    mentions=lambda person: [_tasks(person)],
)
