"""What convenings holds about a person: convening invitations and attendance, working groups
they lead or sit in, their action items and the updates on them, their calendar feed (for
the privacy app, through vcc.hooks.PERSON_DATA)."""

from __future__ import annotations

from django.db.models import Q

from partners.models import Person
from vcc.hooks import PersonData

from .models import ActionItem, ActionUpdate, CalendarFeed, Convening, Invitee, WorkingGroup


def _groups(person: Person):
    return WorkingGroup.objects.filter(Q(lead=person) | Q(members=person)).distinct()


def _export(person: Person) -> dict[str, list[dict]]:
    return {
        "convening_invitations": list(
            Invitee.objects.filter(person=person).values(
                "convening__title",
                "convening__starts_at",
                "convening__place",
                "rsvp",
                "rsvp_at",
                "attended",
                "invited_at",
            )
        ),
        "working_groups": [
            {"name": g.name, "value_chain": g.value_chain.name, "lead": g.lead_id == person.pk}
            for g in _groups(person).select_related("value_chain")
        ],
        "action_items": list(
            ActionItem.objects.filter(owner=person).values(
                "id", "title", "detail", "due_on", "status", "created_at"
            )
        ),
        "action_item_updates": list(
            ActionUpdate.objects.filter(item__owner=person).values(
                "item_id", "status", "note", "at"
            )
        ),
        "calendar_feed": list(CalendarFeed.objects.filter(person=person).values("reset_at")),
    }


def _mentions(person: Person) -> list:
    return [
        Convening.objects.filter(invitees__person=person),
        _groups(person),
        ActionItem.objects.filter(owner=person),
        ActionUpdate.objects.filter(item__owner=person),
    ]


def _erase(person: Person) -> None:
    """Their private calendar address goes; invitations, attendance, membership and action
    items stay, under the anonymised person (the counts and the minutes keep their sense)."""
    CalendarFeed.objects.filter(person=person).delete()


PERSON_DATA = PersonData(
    key="convenings",
    models=(
        "convenings.Convening",
        "convenings.WorkingGroup",
        "convenings.ActionItem",
        "convenings.ActionUpdate",
    ),
    export=_export,
    mentions=_mentions,
    erase=_erase,
)
