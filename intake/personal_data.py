"""What intake forms hold about a person: the answers they (or someone about them) sent to a
public form, by their email or name (for the privacy app, vcc.hooks.PERSON_DATA)."""

from __future__ import annotations

from django.db.models import Q

from partners.models import Person
from partners.personal_data import mentioning
from vcc.hooks import PersonData

from .models import IntakeSubmission

TEXT = ("first_name", "last_name", "email", "phone", "description", "note")


def _submissions(person: Person):
    q = mentioning(person, *TEXT)
    if person.email:
        q |= Q(email__iexact=person.email)
    return IntakeSubmission.objects.filter(q)


def _export(person: Person) -> dict[str, list[dict]]:
    return {
        "intake_answers": list(
            _submissions(person).values(
                "id",
                "form__title",
                "submitted_at",
                "status",
                "partner_name",
                "first_name",
                "last_name",
                "email",
                "phone",
                "description",
            )
        )
    }


def _erase(person: Person) -> None:
    """Their contact details go from the answers (the organisation's part stays)."""
    _submissions(person).update(first_name="", last_name="", email="", phone="")


PERSON_DATA = PersonData(
    key="intake",
    models=("intake.IntakeSubmission", "intake.IntakeForm"),
    export=_export,
    mentions=lambda person: [_submissions(person)],
    erase=_erase,
)
