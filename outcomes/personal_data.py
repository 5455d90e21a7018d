"""What outcomes hold about a person: the outcome reports their account made (for the privacy
app, vcc.hooks.PERSON_DATA). The figures stay after an erasure; only text naming them goes."""

from __future__ import annotations

from partners.models import Person
from vcc.hooks import PersonData

from .models import OutcomeReport


def _export(person: Person) -> dict[str, list[dict]]:
    if person.user_id is None:
        return {"outcome_reports": []}
    return {
        "outcome_reports": list(
            OutcomeReport.objects.filter(reported_by_id=person.user_id).values(
                "partner__name",
                "value_chain__name",
                "period_start",
                "period_end",
                "sales_value",
                "jobs_created",
                "jobs_retained",
                "practices_adopted",
                "created_at",
            )
        )
    }


PERSON_DATA = PersonData(key="outcomes", models=("outcomes.OutcomeReport",), export=_export)
