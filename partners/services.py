"""Writes to the partner directory. Each service is one transaction and records what changed
in the partner's history, so the change history shows who changed what, when."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.forms import (
    ChoiceField,
    ModelChoiceField,
    ModelForm,
    ModelMultipleChoiceField,
    MultipleChoiceField,
)
from django.utils import timezone

from .models import (
    MAX_SEARCH_WORD,
    Affiliation,
    ChangeRecord,
    Commitment,
    Interaction,
    InteractionPartner,
    Interest,
    Invitation,
    Need,
    Offer,
    Participation,
    Partner,
    Person,
    Relationship,
    SearchWord,
)
from .network import refresh_pair_strengths, refresh_strengths

SEARCH_BATCH = 2000


# --- search documents -------------------------------------------------------------------------


def partner_search_documents(partner_ids: Iterable[int]) -> dict[int, str]:
    """Name, place, people and products of each partner, lower-cased: what search matches."""
    ids = list(partner_ids)
    words: dict[int, list[str]] = defaultdict(list)
    for pk, name, region, address in Partner.objects.filter(pk__in=ids).values_list(
        "pk", "name", "region", "address"
    ):
        words[pk] += [name, region, address]
    for pk, first, last in Affiliation.objects.filter(partner_id__in=ids).values_list(
        "partner_id", "person__first_name", "person__last_name"
    ):
        words[pk] += [first, last]
    for model in (Offer, Need):
        for pk, product in (
            model.objects.filter(partner_id__in=ids)
            .values_list("partner_id", "product__name")
            .distinct()
        ):
            words[pk].append(product)
    return {pk: " ".join(w for w in parts if w).lower() for pk, parts in words.items()}


def person_search_documents(person_ids: Iterable[int]) -> dict[int, str]:
    """Name, email and organisations of each person, lower-cased."""
    ids = list(person_ids)
    words: dict[int, list[str]] = defaultdict(list)
    for pk, first, last, email in Person.objects.filter(pk__in=ids).values_list(
        "pk", "first_name", "last_name", "email"
    ):
        words[pk] += [first, last, email]
    for pk, partner in Affiliation.objects.filter(person_id__in=ids).values_list(
        "person_id", "partner__name"
    ):
        words[pk].append(partner)
    return {pk: " ".join(w for w in parts if w).lower() for pk, parts in words.items()}


def refresh_search_documents(
    partner_ids: Iterable[int] | None = None, person_ids: Iterable[int] | None = None
) -> None:
    """Rebuild the search text of the given partners and people (all of them when None)."""
    if partner_ids is None:
        partner_ids = Partner.objects.values_list("pk", flat=True)
    if person_ids is None:
        person_ids = Person.objects.values_list("pk", flat=True)
    for model, ids, build in (
        (Partner, list(partner_ids), partner_search_documents),
        (Person, list(person_ids), person_search_documents),
    ):
        for start in range(0, len(ids), SEARCH_BATCH):
            docs = build(ids[start : start + SEARCH_BATCH])
            rows = [model(pk=pk, search_document=doc) for pk, doc in docs.items()]
            model.objects.bulk_update(rows, ["search_document"])
            add_search_words(docs.values())


WORD = re.compile(rf"[^\W\d_]{{3,{MAX_SEARCH_WORD}}}")


def search_words(text: str) -> set[str]:
    """The words of `text` the search vocabulary keeps: three letters or more, no digits
    (the migration that fills SearchWord splits documents the same way)."""
    return set(WORD.findall(text.lower()))


def add_search_words(documents: Iterable[str]) -> None:
    """Add the documents' new words to the search vocabulary (words never leave it: a stale
    word only offers a correction that finds nothing)."""
    words = set().union(*(search_words(doc) for doc in documents))
    SearchWord.objects.bulk_create(
        [SearchWord(word=w) for w in sorted(words)], ignore_conflicts=True, batch_size=1000
    )


# --- change history ---------------------------------------------------------------------------


def _display(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Model):
        return str(value)
    if isinstance(value, list | tuple | set | QuerySet):
        return ", ".join(sorted(str(v) for v in value)) or "—"
    return str(value)


def form_changes(form: ModelForm) -> dict[str, list[str]]:
    """{label: [old, new]} for each field the form changed, as a person would read them."""
    changes = {}
    for name in form.changed_data:
        field = form.fields[name]
        old, new = form.initial.get(name), form.cleaned_data.get(name)
        if isinstance(field, ModelChoiceField) and not isinstance(field, ModelMultipleChoiceField):
            if old is not None and not isinstance(old, Model):
                old = field.queryset.model._default_manager.filter(pk=old).first()
        elif isinstance(field, ChoiceField) and not isinstance(field, MultipleChoiceField):
            labels = {str(k): v for k, v in field.choices}
            old, new = labels.get(str(old), old), labels.get(str(new), new)
        changes[str(field.label or name)] = [_display(old), _display(new)]
    return changes


def record_change(partner: Partner, user, summary: str, changes: dict | None = None) -> None:
    ChangeRecord.objects.create(
        partner=partner,
        user=user if user is not None and user.is_authenticated else None,
        summary=summary[:200],
        changes=changes or {},
    )


# --- partners ---------------------------------------------------------------------------------


@transaction.atomic
def create_partner(form: ModelForm, participation_form: ModelForm, *, by) -> Partner:
    """Create a partner and its first participation in a value chain."""
    partner = form.save()
    participation = participation_form.save(commit=False)
    participation.partner = partner
    participation.save()
    participation_form.save_m2m()
    record_change(partner, by, f"Created {partner.name} in {participation.value_chain}")
    refresh_search_documents([partner.pk], [])
    return partner


@transaction.atomic
def update_partner(form: ModelForm, *, by) -> Partner:
    """Save the profile form and note what changed."""
    changes = form_changes(form)
    partner = form.save()
    if changes:
        record_change(partner, by, "Profile edited", changes)
        people = partner.affiliations.values_list("person_id", flat=True)
        refresh_search_documents([partner.pk], people)
    return partner


@transaction.atomic
def save_participation(partner: Partner, form: ModelForm, *, by) -> Participation:
    """Add or change the partner's part in a value chain; the status date follows the status."""
    participation = form.save(commit=False)
    participation.partner = partner
    if "status" in form.changed_data or participation.pk is None:
        participation.status_changed_on = timezone.localdate()
    participation.save()
    form.save_m2m()
    verb = "Joined" if "value_chain" in form.changed_data else "Participation changed in"
    record_change(partner, by, f"{verb} {participation.value_chain}", form_changes(form))
    return participation


@transaction.atomic
def save_listing(partner: Partner, form: ModelForm, *, by) -> Offer | Need:
    """Add or edit an offer or a need of the partner."""
    creating = form.instance.pk is None
    changes = form_changes(form)
    listing = form.save(commit=False)
    listing.partner = partner
    listing.save()
    form.save_m2m()
    kind = listing._meta.verbose_name
    verb = "Added" if creating else "Edited"
    record_change(partner, by, f"{verb} {kind}: {listing.product}", changes)
    refresh_search_documents([partner.pk], [])
    return listing


@transaction.atomic
def delete_listing(listing: Offer | Need, *, by) -> None:
    partner = listing.partner
    kind = listing._meta.verbose_name
    summary = f"Removed {kind}: {listing.product} ({listing.volume} {listing.unit})"
    listing.delete()
    record_change(partner, by, summary)
    refresh_search_documents([partner.pk], [])


# --- people -----------------------------------------------------------------------------------


@transaction.atomic
def add_person(partner: Partner, form: ModelForm, title: str, *, by) -> Person:
    """Create a person and affiliate them with the partner."""
    person = form.save()
    Affiliation.objects.create(person=person, partner=partner, title=title)
    record_change(partner, by, f"Added person {person.full_name}", {"Title": ["—", title or "—"]})
    refresh_search_documents([partner.pk], [person.pk])
    return person


@transaction.atomic
def update_person(form: ModelForm, *, by) -> Person:
    changes = form_changes(form)
    person = form.save()
    partner_ids = list(person.affiliations.values_list("partner_id", flat=True))
    if changes:
        for partner in Partner.objects.filter(pk__in=partner_ids):
            record_change(partner, by, f"Edited person {person.full_name}", changes)
    refresh_search_documents(partner_ids, [person.pk])
    return person


# --- interests and commitments -----------------------------------------------------------------


@transaction.atomic
def save_commitment(partner: Partner, form: ModelForm, *, by) -> Commitment:
    creating = form.instance.pk is None
    changes = form_changes(form)
    commitment = form.save(commit=False)
    commitment.partner = partner
    commitment.save()
    verb = "Commitment recorded" if creating else "Commitment updated"
    record_change(partner, by, f"{verb}: {commitment.description[:80]}", changes)
    return commitment


@transaction.atomic
def save_interest(partner: Partner, form: ModelForm, *, by) -> Interest:
    creating = form.instance.pk is None
    interest = form.save()
    interest.partners.add(partner)
    verb = "Interest recorded" if creating else "Interest updated"
    record_change(partner, by, f"{verb}: {interest.description[:80]}")
    return interest


# --- interactions ----------------------------------------------------------------------------


@transaction.atomic
def log_interaction(form: ModelForm, partners: list[Partner], *, by) -> Interaction:
    """Record an interaction with the given partners (and the people chosen in the form)."""
    interaction = form.save(commit=False)
    interaction.logged_by = by
    interaction.save()
    form.save_m2m()
    InteractionPartner.objects.bulk_create(
        InteractionPartner(
            interaction=interaction, partner=partner, occurred_on=interaction.occurred_on
        )
        for partner in partners
    )
    note_contact([p.pk for p in partners], interaction.occurred_on)
    refresh_pair_strengths([p.pk for p in partners])
    return interaction


def note_contact(partner_ids: list[int], on: datetime.date) -> None:
    """Move the partners' last contact forward to `on` (never back: an interaction logged
    late for an old date leaves a later contact standing)."""
    Partner.objects.filter(pk__in=partner_ids).filter(
        Q(last_contacted_on__isnull=True) | Q(last_contacted_on__lt=on)
    ).update(last_contacted_on=on)


# --- relationships ---------------------------------------------------------------------------


@transaction.atomic
def add_relationship(partner: Partner, form: ModelForm, *, by):
    """Record a relationship between the partner and another (sides set by the form)."""
    relationship = form.save()
    refresh_strengths(Relationship.objects.filter(pk=relationship.pk))
    other = relationship.target if relationship.source_id == partner.pk else relationship.source
    summary = f"Relationship recorded: {relationship.get_kind_display()} with {other.name}"
    record_change(partner, by, summary)
    record_change(
        other, by, f"Relationship recorded: {relationship.get_kind_display()} with {partner.name}"
    )
    return relationship


# --- invitations ------------------------------------------------------------------------------


@transaction.atomic
def invite_person(person: Person, partner: Partner, *, by) -> Invitation:
    """Give the person a sign-in (without a password yet) and queue the invitation email.

    The email carries a single-use link to set a password: Django's token generator binds it
    to the password hash and last sign-in, so it stops working once used.
    """
    from .tasks import send_invitation

    User = get_user_model()
    if person.user_id is None:
        user = User.objects.filter(username__iexact=person.email).first()
        if user is None:
            user = User(username=person.email.lower(), email=person.email)
            user.first_name, user.last_name = person.first_name, person.last_name
            user.set_unusable_password()
            user.save()
        person.user = user
        person.save(update_fields=["user"])
    invitation = Invitation.objects.create(person=person, partner=partner, invited_by=by)
    record_change(partner, by, f"Invited {person.full_name} to sign in")
    send_invitation.delay_on_commit(invitation.pk)
    return invitation
