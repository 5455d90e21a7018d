"""What partners holds about a person, for their data export and erasure (vcc.hooks.PERSON_DATA,
read by the privacy app): the person row, affiliations, the interactions they were in, their
sign-in invitations, the change history that names them, and their user account."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db.models import Q

from vcc.hooks import PersonData

from .models import ChangeRecord, Person, SearchWord
from .search import refresh_search_documents, search_words

# What an erased person is called wherever their name was (the person row, notes, history).
REMOVED_PERSON = "a removed person"


def identifiers(person: Person) -> list[str]:
    """The strings that identify the person wherever they stand: full name, email, phone."""
    found = [person.full_name, person.email, person.phone]
    return [s for s in dict.fromkeys(s.strip() for s in found) if len(s) >= 3]


def name_parts(person: Person) -> list[str]:
    """Their first and last name alone, cleared from the rows about them."""
    parts = [person.first_name.strip(), person.last_name.strip()]
    return [p for p in dict.fromkeys(parts) if len(p) >= 2]


def mentioning(person: Person, *fields: str) -> Q:
    """Rows whose `fields` hold one of the person's identifiers (case-insensitive)."""
    q = Q(pk__in=[])
    for field in fields:
        for text in identifiers(person):
            q |= Q(**{f"{field}__icontains": text})
    return q


def changes_about(person: Person):
    """The change history of the partners they work at that names them."""
    return ChangeRecord.objects.filter(partner__affiliations__person=person).filter(
        mentioning(person, "summary", "changes")
    )


def _export(person: Person) -> dict[str, list[dict]]:
    user = person.user
    data = {
        "person": list(
            Person.objects.filter(pk=person.pk).values(
                "id",
                "first_name",
                "last_name",
                "email",
                "phone",
                "consent_to_contact",
                "created_at",
                "updated_at",
            )
        ),
        "affiliations": list(person.affiliations.values("partner_id", "partner__name", "title")),
        "interactions": list(
            person.interactions.values(
                "id",
                "kind",
                "occurred_on",
                "topic",
                "notes",
                "visibility",
                "hours",
                "follow_up_on",
                "created_at",
            )
        ),
        "sign_in_invitations": list(
            person.invitations.values("partner__name", "created_at", "accepted_at")
        ),
        "change_history": list(
            changes_about(person).distinct().values("partner__name", "at", "summary", "changes")
        ),
    }
    if user is not None:
        data["user_account"] = [
            {
                "username": user.username,
                "email": user.email,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "date_joined": user.date_joined,
                "last_login": user.last_login,
                "is_active": user.is_active,
            }
        ]
        data["changes_they_made"] = list(
            ChangeRecord.objects.filter(user=user).values("partner__name", "at", "summary")
        )
    return data


def _mentions(person: Person) -> list:
    return [Person.objects.filter(pk=person.pk), person.interactions.all(), changes_about(person)]


def _erase(person: Person) -> None:
    """The person row anonymised, their user account disabled and scrubbed, their name gone
    from the search vocabulary and documents. Affiliations and interactions stay (counts)."""
    partner_ids = list(person.affiliations.values_list("partner_id", flat=True))
    user_id = person.user_id
    Person.objects.filter(pk=person.pk).update(
        first_name=REMOVED_PERSON.capitalize(),
        last_name="",
        email="",
        phone="",
        consent_to_contact=False,
        user=None,
    )
    if user_id is not None:
        get_user_model().objects.filter(pk=user_id).update(
            username=f"removed-{user_id}",
            email="",
            first_name="",
            last_name="",
            is_active=False,
            is_staff=False,
            password=make_password(None),
        )
    # The vocabulary's words of their name and of their address's local part (the search's
    # own split: "Okwuosa-Vantreck" is two words); a word others share returns when their
    # documents are next refreshed.
    words = search_words(" ".join([*name_parts(person), person.email.split("@")[0]]))
    SearchWord.objects.filter(word__in=words).delete()
    refresh_search_documents(partner_ids, [person.pk])


PERSON_DATA = PersonData(
    key="partners",
    models=(
        "partners.Person",
        "partners.Affiliation",
        "partners.Partner",
        "partners.Interaction",
        "partners.ChangeRecord",
        "partners.Commitment",
        "partners.Interest",
        "partners.Offer",
        "partners.Need",
        "partners.Relationship",
        "partners.SearchWord",
        "partners.ValueChain",
        "auth.User",
    ),
    export=_export,
    mentions=_mentions,
    erase=_erase,
)
