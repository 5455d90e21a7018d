"""What matchmaking holds about a person: the introductions they are a contact of, and those
introductions' history (for the privacy app, through vcc.hooks.PERSON_DATA)."""

from __future__ import annotations

from django.db.models import Q

from partners.models import Person
from vcc.hooks import PersonData

from .models import Introduction, IntroductionEvent


def introductions_of(person: Person):
    return Introduction.objects.filter(Q(person_a=person) | Q(person_b=person))


def _export(person: Person) -> dict[str, list[dict]]:
    return {
        "introductions": list(
            introductions_of(person).values(
                "id",
                "partner_a__name",
                "partner_b__name",
                "status",
                "reason",
                "annual_sales_value",
                "created_at",
            )
        ),
        "introduction_history": list(
            IntroductionEvent.objects.filter(introduction__in=introductions_of(person)).values(
                "introduction_id", "status", "note", "at"
            )
        ),
    }


PERSON_DATA = PersonData(
    key="matchmaking",
    models=(
        "matchmaking.Introduction",
        "matchmaking.IntroductionEvent",
        "matchmaking.Dismissal",
        "matchmaking.RecomputeRun",
    ),
    export=_export,
    mentions=lambda person: [
        introductions_of(person),
        IntroductionEvent.objects.filter(introduction__in=introductions_of(person)),
    ],
)
