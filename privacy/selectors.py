"""Reads of the privacy app."""

from partners.models import Person
from partners.permissions import is_coordinator

from .models import PrivacyRequest, RequestKind


def requests_about(person: Person) -> list[PrivacyRequest]:
    """The exports and erasures of the person's data, newest first (one query)."""
    return list(PrivacyRequest.objects.filter(person=person).select_related("asked_by")[:20])


def data_summary(person: Person) -> list[tuple[str, int]]:
    """What vcc holds about the person: (what, how many records), from every app's export."""
    from . import services  # (the export is the one account of what is held)

    return [
        (section.replace("_", " ").capitalize(), len(rows))
        for sections in services.person_data(person).values()
        for section, rows in sections.items()
        if rows
    ]


def person_section(request, person: Person) -> dict:
    """The "Personal data" card of a person's page (vcc.hooks.PERSON_SECTIONS)."""
    requests = requests_about(person)
    return {
        "privacy_requests": requests,
        "is_self": person.user_id == request.user.pk,
        # The person themself, or a coordinator (an observer reads the record of requests).
        "can_handle": person.user_id == request.user.pk or is_coordinator(request.user),
        "erased": next((r for r in requests if r.kind == RequestKind.ERASURE), None),
    }
