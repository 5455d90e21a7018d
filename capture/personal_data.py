"""What the email capture holds about a person: the captured messages they were in (as sender
or recipient), their addresses there, and attachments that name them (for the privacy app,
vcc.hooks.PERSON_DATA)."""

from __future__ import annotations

from django.db.models import Q

from partners.models import Person
from partners.personal_data import REMOVED_PERSON, identifiers
from vcc.hooks import PersonData

from .models import CapturedAddress, CapturedAttachment, CapturedMessage


def _address_rows(person: Person):
    q = Q(person=person)
    if person.email:
        q |= Q(address__iexact=person.email)
    return CapturedAddress.objects.filter(q)


def _messages(person: Person):
    q = Q(pk__in=_address_rows(person).values("message_id"))
    if person.email:
        q |= Q(sender_address__iexact=person.email)
    return CapturedMessage.objects.filter(q)


def _export(person: Person) -> dict[str, list[dict]]:
    return {
        "captured_email": list(
            _messages(person).values(
                "id", "subject", "sent_at", "sender_name", "sender_address", "status", "body"
            )
        ),
        "captured_email_addresses": list(
            _address_rows(person).values("message_id", "role", "address", "name")
        ),
    }


def _erase(person: Person) -> None:
    """Their address rows go (the interactions stay on the timelines, without them), the
    sender of messages they sent becomes "a removed person", and attachments of their messages
    that hold their name or contact details are emptied (listed, not kept)."""
    messages = list(_messages(person).values_list("pk", flat=True))
    _address_rows(person).delete()
    if person.email:
        CapturedMessage.objects.filter(sender_address__iexact=person.email).update(
            sender_address="", sender_name=REMOVED_PERSON
        )
    naming = [
        a.pk
        for a in CapturedAttachment.objects.filter(message_id__in=messages, kept=True).only(
            "pk", "content"
        )
        if any(text.lower().encode() in bytes(a.content).lower() for text in identifiers(person))
    ]
    CapturedAttachment.objects.filter(pk__in=naming).update(content=b"", kept=False)


PERSON_DATA = PersonData(
    key="capture",
    models=("capture.CapturedMessage", "capture.CapturedAddress", "capture.CapturedAttachment"),
    export=_export,
    mentions=lambda person: [_messages(person)],
    erase=_erase,
)
