"""What the outbox holds about a person: the messages to them and their opt-outs (for the
privacy app's export and erasure, through vcc.hooks.PERSON_DATA)."""

from __future__ import annotations

from django.db.models import Q

from partners.models import Person
from vcc.hooks import PersonData

from .models import Message, OptOut, State


def messages_to(person: Person):
    """Messages to the person: by their row, or to their address."""
    q = Q(person=person)
    if person.email:
        q |= Q(to_address__iexact=person.email)
    return Message.objects.filter(q)


def _export(person: Person) -> dict[str, list[dict]]:
    data = {
        "messages": list(
            messages_to(person).values(
                "kind",
                "to_address",
                "cc",
                "subject",
                "body_text",
                "state",
                "last_error",
                "due_at",
                "sent_at",
            )
        )
    }
    if person.email:
        data["opt_outs"] = list(
            OptOut.objects.filter(address=person.email.lower()).values("address", "kind", "at")
        )
    return data


def _erase(person: Person) -> None:
    """Nothing more is sent to them; their address leaves every message and the opt-outs
    (with no address left, nothing can reach them to opt out of)."""
    mine = messages_to(person)
    mine.filter(state=State.PENDING).update(
        state=State.SUPPRESSED, last_error="The person was removed: not sent."
    )
    mine.update(to_address="")
    if person.email:
        address = person.email.lower()
        OptOut.objects.filter(address=address).delete()
        for message in Message.objects.filter(cc__icontains=address).only("cc"):
            message.cc = ", ".join(
                a.strip()
                for a in message.cc.split(",")
                if a.strip() and a.strip().lower() != address
            )
            message.save(update_fields=["cc"])


PERSON_DATA = PersonData(
    key="outbox",
    models=("outbox.Message", "outbox.OptOut"),
    export=_export,
    mentions=lambda person: [messages_to(person)],
    erase=_erase,
)
