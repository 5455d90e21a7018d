"""Writes to the partner directory. Each service is one transaction and records what changed
in the partner's history, so the change history shows who changed what, when."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Max, Model, Q, QuerySet
from django.utils import timezone
from django.utils.text import capfirst

from vcc import hooks

from .models import (
    Affiliation,
    ChangeRecord,
    Commitment,
    CommitmentStatus,
    Interaction,
    InteractionPartner,
    Interest,
    Invitation,
    Need,
    Offer,
    Participation,
    Partner,
    Person,
    Product,
    Stage,
    ValueChain,
    describe_months,
)
from .search import refresh_search_documents

# --- change history ---------------------------------------------------------------------------

# Values a field holds that a person would not read as stored (a 12-bit mask of months).
SHOWN_AS = {"months": describe_months, "required_months": describe_months}


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


def _shown(field, value) -> str:
    if field.name in SHOWN_AS and isinstance(value, int):
        return SHOWN_AS[field.name](value)
    if field.choices and value not in (None, ""):
        return _display(dict(field.flatchoices).get(value, value))
    return _display(value)


@dataclass
class Changes:
    """What a write changed: the fields, and the history's words for them."""

    fields: set[str] = dataclass_field(default_factory=set)
    shown: dict[str, list[str]] = dataclass_field(default_factory=dict)  # {label: [old, new]}
    before: Model | None = None  # the row as it was stored (None: a new row)

    def __bool__(self) -> bool:
        return bool(self.fields)


def save_fields(instance: Model, values: Mapping[str, Any]) -> Changes:
    """Set `values` (field name -> value, as a form cleaned them) on `instance`, save it and
    its many-to-many values, and return what changed as the history records it: the field's
    verbose name, the values in words (choices by their label).

    "Before" is the row as stored, read again here: a ModelForm that validated has already
    written its values onto the instance it was given."""
    stored = type(instance)._base_manager.filter(pk=instance.pk).first() if instance.pk else None
    before = stored or instance
    changes, m2m = Changes(before=stored), {}
    for name, new in values.items():
        field = instance._meta.get_field(name)
        label = capfirst(str(field.verbose_name))
        if field.many_to_many:
            old = list(getattr(stored, name).all()) if stored else []
            new = m2m[name] = list(new)
            if {o.pk for o in old} != {o.pk for o in new}:
                changes.fields.add(name)
                changes.shown[label] = [_display(old), _display(new)]
            continue
        if field.is_relation:  # a foreign key: compared by id, shown by name
            old_id = getattr(before, field.attname)
            changed = old_id != (new.pk if new is not None else None)
            old = getattr(before, name) if changed and old_id is not None else None
        else:
            old = getattr(before, name)
            changed = old != new
        if changed:
            changes.fields.add(name)
            changes.shown[label] = [_shown(field, old), _shown(field, new)]
        setattr(instance, name, new)
    instance.save()
    for name, objects in m2m.items():
        getattr(instance, name).set(objects)
    return changes


def record_change(
    partner: Partner, user, summary: str, changes: Changes | dict | None = None
) -> None:
    """One line of the partner's change history (`changes`: what save_fields returned)."""
    shown = changes.shown if isinstance(changes, Changes) else changes
    ChangeRecord.objects.create(
        partner=partner,
        user=user if user is not None and user.is_authenticated else None,
        summary=summary[:200],
        changes=shown or {},
    )


# --- partners ---------------------------------------------------------------------------------


@transaction.atomic
def create_partner(*, values: Mapping[str, Any], participation: Mapping[str, Any], by) -> Partner:
    """Create a partner (`values`: its profile fields) and its first participation in a value
    chain (`participation`: value_chain, stages, chain_role, network_role, status)."""
    partner = Partner()
    save_fields(partner, values)
    joined = Participation(partner=partner, status_changed_on=timezone.localdate())
    save_fields(joined, participation)
    record_change(partner, by, f"Created {partner.name} in {joined.value_chain}")
    refresh_search_documents([partner.pk], [])
    return partner


@transaction.atomic
def update_partner(partner: Partner, *, values: Mapping[str, Any], by) -> Partner:
    """Change the partner's profile and note what changed."""
    changes = save_fields(partner, values)
    if changes:
        record_change(partner, by, "Profile edited", changes)
        people = partner.affiliations.values_list("person_id", flat=True)
        refresh_search_documents([partner.pk], people)
    return partner


@transaction.atomic
def save_participation(
    partner: Partner,
    *,
    values: Mapping[str, Any],
    participation: Participation | None = None,
    by,
) -> Participation:
    """Add the partner to a value chain, or change its part in one (`participation`); the
    status date follows the status."""
    joining = participation is None
    participation = participation or Participation(partner=partner)
    changes = save_fields(participation, values)
    if joining or "status" in changes.fields:
        participation.status_changed_on = timezone.localdate()
        participation.save(update_fields=["status_changed_on"])
    verb = "Joined" if joining else "Participation changed in"
    record_change(partner, by, f"{verb} {participation.value_chain}", changes)
    return participation


LISTING_KINDS = (Offer, Need)


@transaction.atomic
def save_listing(
    partner: Partner,
    *,
    kind: type[Offer] | type[Need],
    values: Mapping[str, Any],
    listing: Offer | Need | None = None,
    by,
) -> Offer | Need:
    """Add an offer or a need (`kind`) to the partner, or edit one (`listing`); a product
    named in `values["new_product"]` joins the taxonomy first. Its suggestions are
    recomputed after the commit (vcc.hooks.listing_changed)."""
    creating = listing is None
    listing = listing or kind(partner=partner)
    values = dict(values)
    new_product = values.pop("new_product", "")
    parent = values.pop("new_product_parent", None)
    if new_product:  # named on the form: added to the taxonomy with the listing
        values["product"] = add_product(name=new_product, parent=parent, by=by)
    changes = save_fields(listing, values)
    verb = "Added" if creating else "Edited"
    record_change(partner, by, f"{verb} {listing._meta.verbose_name}: {listing.product}", changes)
    refresh_search_documents([partner.pk], [])
    hooks.listing_changed.send(
        type(listing),
        listing_id=listing.pk,
        # The product it had: a need it served before a change of product is touched too.
        product_id=changes.before.product_id if changes.before else listing.product_id,
        removed=False,
    )
    return listing


@transaction.atomic
def delete_listing(listing: Offer | Need, *, by) -> None:
    """Remove an offer or a need; the suggestions it was in are refilled after the commit."""
    partner = listing.partner
    noun = listing._meta.verbose_name
    summary = f"Removed {noun}: {listing.product} ({listing.volume} {listing.unit})"
    hooks.listing_changed.send(
        type(listing), listing_id=listing.pk, product_id=listing.product_id, removed=True
    )
    listing.delete()
    record_change(partner, by, summary)
    refresh_search_documents([partner.pk], [])


# --- people -----------------------------------------------------------------------------------


@transaction.atomic
def add_person(partner: Partner, *, values: Mapping[str, Any], title: str = "", by) -> Person:
    """Create a person and affiliate them with the partner."""
    person = Person()
    save_fields(person, values)
    Affiliation.objects.create(person=person, partner=partner, title=title)
    record_change(partner, by, f"Added person {person.full_name}", {"Title": ["—", title or "—"]})
    refresh_search_documents([partner.pk], [person.pk])
    return person


@transaction.atomic
def update_person(person: Person, *, values: Mapping[str, Any], by) -> Person:
    """Change a person's details, noted in the history of every partner they work at."""
    changes = save_fields(person, values)
    partner_ids = list(person.affiliations.values_list("partner_id", flat=True))
    if changes:
        for partner in Partner.objects.filter(pk__in=partner_ids):
            record_change(partner, by, f"Edited person {person.full_name}", changes)
    refresh_search_documents(partner_ids, [person.pk])
    return person


@transaction.atomic
def unlock_sign_in(person: Person, *, by) -> int:
    """Lift the sign-in lockout of a person's account (django-axes' failed attempts for their
    username, from every address), noted in the history of every partner they work at.
    Returns how many attempt records were cleared (0: it was not locked)."""
    if person.user_id is None:
        return 0
    cleared = AxesProxyHandler.reset_attempts(username=person.user.get_username())
    if cleared:
        for partner in Partner.objects.filter(affiliations__person=person).distinct():
            record_change(partner, by, f"Unlocked the sign-in of {person.full_name}", {})
    return cleared


# --- interests and commitments -----------------------------------------------------------------


@transaction.atomic
def save_commitment(
    partner: Partner,
    *,
    values: Mapping[str, Any],
    commitment: Commitment | None = None,
    by,
) -> Commitment:
    """Record what the partner committed to in a chain, or update it (`commitment`); the
    partner it is toward sees it in its history too. A commitment toward a partner that
    becomes kept is announced (vcc.hooks.commitment_kept): matchmaking derives a relationship."""
    creating = commitment is None
    commitment = commitment or Commitment(partner=partner)
    changes = save_fields(commitment, values)
    verb = "Commitment recorded" if creating else "Commitment updated"
    record_change(partner, by, f"{verb}: {commitment.description[:80]}", changes)
    if commitment.toward_id:
        record_change(
            commitment.toward,
            by,
            f"{verb} by {partner.name} toward this partner: {commitment.description[:60]}",
        )
    if (
        commitment.toward_id
        and commitment.status == CommitmentStatus.KEPT
        and (creating or "status" in changes.fields)
    ):
        hooks.commitment_kept.send(
            Commitment,
            commitment_id=commitment.pk,
            partner_id=commitment.partner_id,
            toward_id=commitment.toward_id,
        )
    return commitment


@transaction.atomic
def save_interest(partner: Partner, *, values: Mapping[str, Any], by) -> Interest:
    """Record an interest (self, shared or common) the partner holds."""
    interest = Interest()
    save_fields(interest, values)
    interest.partners.add(partner)
    record_change(partner, by, f"Interest recorded: {interest.description[:80]}")
    return interest


# --- interactions ----------------------------------------------------------------------------


@transaction.atomic
def log_interaction(*, partners: list[Partner], values: Mapping[str, Any], by) -> Interaction:
    """Record an interaction with the given partners (`values`: kind, date, topic, the people
    in it...); their last contact moves forward, and the relationships among them are
    refreshed (vcc.hooks.interactions_logged)."""
    interaction = Interaction(logged_by=by)
    save_fields(interaction, values)
    InteractionPartner.objects.bulk_create(
        InteractionPartner(
            interaction=interaction, partner=partner, occurred_on=interaction.occurred_on
        )
        for partner in partners
    )
    partner_ids = [p.pk for p in partners]
    note_contact(partner_ids, interaction.occurred_on)
    hooks.interactions_logged.send(
        Interaction, partner_ids=partner_ids, interaction_id=interaction.pk
    )
    return interaction


def note_contact(partner_ids: list[int], on: datetime.date) -> None:
    """Move the partners' last contact forward to `on` (never back: an interaction logged
    late for an old date leaves a later contact standing)."""
    Partner.objects.filter(pk__in=partner_ids).filter(
        Q(last_contacted_on__isnull=True) | Q(last_contacted_on__lt=on)
    ).update(last_contacted_on=on)


# --- invitations ------------------------------------------------------------------------------


@transaction.atomic
def invite_person(person: Person, partner: Partner, *, by) -> Invitation:
    """Give the person a sign-in (without a password yet) and have the invitation emailed.

    The email is an outbox message written in this transaction by accounts (the
    `person_invited` hook); it carries a single-use link to set a password.
    """
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
    hooks.person_invited.send(Invitation, invitation=invitation)
    return invitation


# --- roles: coordinators and observers ---------------------------------------------------------


@transaction.atomic
def make_coordinator(*, user, by=None) -> None:
    """Give `user` the coordinator role (the Coordinators group): they may create value chains
    and coordinate those they are named on. Not staff: the admin site is for administrators."""
    from django.contrib.auth.models import Group

    from .permissions import COORDINATORS_GROUP, forget_roles

    group, _ = Group.objects.get_or_create(name=COORDINATORS_GROUP)
    user.groups.add(group)
    forget_roles(user)


@dataclass
class ObserverAppointment:
    user: Any
    added: bool  # False when they already observed the chain
    new_account: bool  # a sign-in was made for them (they set a password from the email)


@transaction.atomic
def appoint_observer(chain: ValueChain, *, email: str, by) -> ObserverAppointment:
    """Let the person with this email read `chain`'s pages (and change nothing), making them
    a sign-in without a password when they have none; the email inviting them to sign in is
    queued by the outbox (vcc.hooks.observer_appointed)."""
    from .permissions import forget_roles

    User = get_user_model()
    email = email.strip()
    user = User.objects.filter(username__iexact=email).first()
    new_account = user is None
    if new_account:
        user = User(username=email.lower(), email=email)
        user.set_unusable_password()
        user.save()
    added = not chain.observers.filter(pk=user.pk).exists()
    if added:
        chain.observers.add(user)
        forget_roles(user)
        hooks.observer_appointed.send(
            sender=ValueChain, chain=chain, user=user, by=by, new_account=new_account
        )
    return ObserverAppointment(user, added, new_account)


@transaction.atomic
def remove_observer(chain: ValueChain, *, user, by) -> None:
    """`user` no longer reads `chain` (their sign-in stays, for other chains or a partner)."""
    from .permissions import forget_roles

    chain.observers.remove(user)
    forget_roles(user)


# --- value chains and their stages -------------------------------------------------------------
# A chain has no change history of its own (ChangeRecord belongs to a partner): what a chain
# is made of shows on its page, and the admin keeps the log of staff edits.


@transaction.atomic
def create_value_chain(*, values: Mapping[str, Any], by) -> ValueChain:
    """Create a value chain (`values`: name, market opportunity, region, phase, currency);
    its creator becomes one of its coordinators."""
    chain = ValueChain()
    save_fields(chain, values)
    chain.coordinators.add(by)
    return chain


@transaction.atomic
def update_value_chain(chain: ValueChain, *, values: Mapping[str, Any], by) -> ValueChain:
    """Change a chain's name, market opportunity, region, phase or currency."""
    save_fields(chain, values)
    return chain


@transaction.atomic
def set_chain_archived(chain: ValueChain, *, archived: bool, by) -> ValueChain:
    """Archive a chain (it leaves the lists and pickers; its data stays) or restore it."""
    chain.archived_at = timezone.now() if archived else None
    chain.save(update_fields=["archived_at"])
    return chain


@transaction.atomic
def add_stage(chain: ValueChain, *, name: str, by) -> Stage:
    """Add a stage at the end of the chain."""
    last = Stage.objects.select_for_update().filter(value_chain=chain).aggregate(m=Max("position"))
    return Stage.objects.create(value_chain=chain, name=name, position=(last["m"] or 0) + 1)


@transaction.atomic
def rename_stage(stage: Stage, *, name: str, by) -> Stage:
    """Give a stage a new name."""
    stage.name = name
    stage.save(update_fields=["name"])
    return stage


@transaction.atomic
def move_stage(stage: Stage, *, up: bool, by) -> Stage:
    """Swap the stage with the one before it (`up`) or after it; at either end, nothing."""
    stages = Stage.objects.select_for_update().filter(value_chain_id=stage.value_chain_id)
    neighbour = (
        stages.filter(position__lt=stage.position).order_by("-position").first()
        if up
        else stages.filter(position__gt=stage.position).order_by("position").first()
    )
    if neighbour is None:
        return stage
    mine, theirs = stage.position, neighbour.position
    # Positions are unique within a chain: park this stage past the end while they swap.
    stage.position = stages.aggregate(m=Max("position"))["m"] + 1
    stage.save(update_fields=["position"])
    neighbour.position = mine
    neighbour.save(update_fields=["position"])
    stage.position = theirs
    stage.save(update_fields=["position"])
    return stage


class StageNotEmpty(Exception):
    """A stage with partners at it is not removed: move them first."""


@transaction.atomic
def remove_stage(stage: Stage, *, by) -> None:
    """Remove a stage no partner is placed at; the later stages move up one place."""
    count = stage.participations.count()
    if count:
        raise StageNotEmpty(
            f"{stage.name} still has {count} partner{'s' if count != 1 else ''}: "
            "move them to another stage first."
        )
    chain_id, position = stage.value_chain_id, stage.position
    stage.delete()
    # One at a time, lowest first: each step moves into the place just freed.
    for later in Stage.objects.filter(value_chain_id=chain_id, position__gt=position).order_by(
        "position"
    ):
        Stage.objects.filter(pk=later.pk).update(position=F("position") - 1)


# --- the product taxonomy ----------------------------------------------------------------------


@transaction.atomic
def add_product(*, name: str, parent: Product | None, unit: str = "", by) -> Product:
    """Add a product to the taxonomy, under `parent` (or at the top); its usual unit is the
    parent's unless given."""
    unit = unit or (parent.unit if parent is not None else "kg")
    return Product.objects.create(name=name, parent=parent, unit=unit)


def product_references() -> list:
    """Every foreign key and many-to-many field, in any installed app, that points at a
    product (the taxonomy's own parent link aside): what a merge must move."""
    return [
        rel.remote_field
        for rel in Product._meta.related_objects
        if not (rel.related_model is Product and rel.remote_field.name == "parent")
    ]


@transaction.atomic
def merge_products(*, loser: Product, survivor: Product, by) -> Product:
    """Fold `loser` into `survivor`: every offer, need (and any other row) naming the loser
    names the survivor instead, the loser's children move under the survivor, and the loser
    is deleted. Each partner whose listings moved gets a line in its history."""
    if loser.pk == survivor.pk:
        raise ValueError("A product cannot be merged into itself.")
    summary = f"Product {loser.name} merged into {survivor.name}"
    partner_ids: set[int] = set()
    moved: dict[type, list[int]] = {}
    for field in product_references():
        model = field.model
        if field.many_to_many:
            through = field.remote_field.through
            source = field.m2m_field_name()
            target = field.m2m_reverse_field_name()
            has_both = through.objects.filter(**{target: survivor}).values(source)
            through.objects.filter(**{target: loser, f"{source}__in": has_both}).delete()
            through.objects.filter(**{target: loser}).update(**{target: survivor})
            continue
        rows = model._base_manager.filter(**{field.name: loser})
        if model in LISTING_KINDS:
            for pk, partner_id in rows.values_list("pk", "partner_id"):
                moved.setdefault(model, []).append(pk)
                partner_ids.add(partner_id)
        rows.update(**{field.name: survivor})
    Product.objects.filter(parent=loser).exclude(pk=survivor.pk).update(parent=survivor)
    if survivor.parent_id == loser.pk:
        survivor.parent_id = loser.parent_id
        survivor.save(update_fields=["parent"])
    loser.delete()
    for partner in Partner.objects.filter(pk__in=partner_ids):
        record_change(partner, by, summary)
    refresh_search_documents(sorted(partner_ids), [])
    for model, listing_ids in moved.items():  # their suggestions are recomputed after commit
        hooks.listings_added.send(model, listing_ids=listing_ids)
    return survivor
