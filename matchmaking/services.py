"""Writes of matchmaking: making introductions and moving them along the pipeline; acting on
suggestions (accept, dismiss, snooze), the chain's settings and recomputes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from partners.models import (
    Need,
    Offer,
    Partner,
    Person,
    Relationship,
    RelationshipKind,
    RelationshipOrigin,
    ValueChain,
)
from partners.permissions import coordinated_chains
from partners.services import record_change, save_fields

from . import emails, tasks
from .models import (
    PIPELINE,
    Dismissal,
    DismissalKind,
    Introduction,
    IntroductionEvent,
    IntroductionStatus,
    MatchSettings,
    RecomputeRun,
    Suggestion,
    hold_back_until,
)
from .network import refresh_pair_strengths, refresh_strengths


@transaction.atomic
def introduce(
    *,
    value_chain: ValueChain,
    partner_a: Partner,
    partner_b: Partner,
    reason: str,
    person_a: Person | None = None,
    person_b: Person | None = None,
    offer: Offer | None = None,
    need: Need | None = None,
    by,
) -> Introduction:
    """Introduce partner A to partner B in a chain: the introduction, its first event, and
    (in the same transaction) the "how did it go?" follow-up to each side's contact person.

    The database refuses a second open introduction of the same pair even when two
    coordinators race past the form's check; that surfaces as a ValidationError.
    """
    introduction = Introduction(
        value_chain=value_chain,
        partner_a=partner_a,
        partner_b=partner_b,
        person_a=person_a,
        person_b=person_b,
        reason=reason,
        offer=offer,
        need=need,
        created_by=by,
        status_changed_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            introduction.save()
    except IntegrityError as error:
        raise ValidationError("These two partners already have an open introduction.") from error
    IntroductionEvent.objects.create(
        introduction=introduction, status=introduction.status, by=by, note=introduction.reason
    )
    refresh_pair_strengths([introduction.partner_a_id, introduction.partner_b_id])
    emails.introduction_followup(introduction)
    return introduction


@transaction.atomic
def move_introduction(
    introduction: Introduction,
    status: str,
    *,
    by,
    note: str = "",
    annual_sales_value=None,
    annual_volume=None,
    volume_unit: str = "",
) -> Introduction:
    """Move an introduction to `status` (or note how it is going), dating the change."""
    now = timezone.now()
    if status != introduction.status:
        introduction.status = status
        introduction.status_changed_at = now
    if status == IntroductionStatus.TRADING:
        if annual_sales_value is not None:
            introduction.annual_sales_value = annual_sales_value
        if annual_volume is not None:
            introduction.annual_volume = annual_volume
            introduction.volume_unit = volume_unit
    try:
        with transaction.atomic():
            introduction.save()
    except IntegrityError as error:
        raise ValidationError(
            "These two partners already have another open introduction."
        ) from error
    IntroductionEvent.objects.create(
        introduction=introduction, status=status, by=by, note=note, at=now
    )
    if status in RELATING:
        _relate_introduced(introduction, by=by)
    refresh_pair_strengths([introduction.partner_a_id, introduction.partner_b_id])
    return introduction


@transaction.atomic
def answer_introduction_by_email(
    introduction: Introduction, *, partner_id: int, answer: str, label: str
) -> bool:
    """One side's one-click answer to "how did the introduction go?": it moves the
    introduction forward (never back) and notes the answer. A replay of the same link (a mail
    scanner, a second click) records nothing. Returns whether this answer was new."""
    introduction = (
        Introduction.objects.select_for_update(of=("self",))
        .select_related("partner_a", "partner_b")
        .get(pk=introduction.pk)
    )
    side = (
        introduction.partner_a
        if partner_id == introduction.partner_a_id
        else introduction.partner_b
    )
    note = f"Answered by email for {side.name}: {label}."
    if introduction.events.filter(note=note).exists():
        return False
    moves_forward = (
        introduction.status in PIPELINE
        and answer in PIPELINE
        and PIPELINE.index(answer) > PIPELINE.index(introduction.status)
    ) or (answer == IntroductionStatus.DECLINED and introduction.is_open)
    move_introduction(
        introduction, answer if moves_forward else introduction.status, by=None, note=note
    )
    return True


# An introduction at one of these has made a relationship between its two partners.
RELATING = [
    IntroductionStatus.TALKING,
    IntroductionStatus.TRIAL_ORDER,
    IntroductionStatus.TRADING,
]


def _relate_introduced(introduction: Introduction, *, by) -> Relationship:
    """The buyer–supplier relationship an introduction that is talking (or beyond) makes:
    the side with the need (else partner A, the buyer when a suggestion was accepted) is
    the buyer."""
    buyer_id, supplier_id = introduction.partner_a_id, introduction.partner_b_id
    if introduction.need_id and introduction.need.partner_id == supplier_id:
        buyer_id, supplier_id = supplier_id, buyer_id
    return derive_relationship(
        source_id=buyer_id,
        target_id=supplier_id,
        kind=RelationshipKind.BUYER_SUPPLIER,
        origin=RelationshipOrigin.INTRODUCTION,
        origin_url=introduction.get_absolute_url(),
        by=by,
    )


# --- suggestions ------------------------------------------------------------------------------


@transaction.atomic
def accept_suggestion(
    suggestion: Suggestion,
    *,
    person_a: Person | None = None,
    person_b: Person | None = None,
    by,
) -> Introduction:
    """Introduce the buyer (contact `person_a`) and the supplier (`person_b`) through
    introduce(), with the offer and the need linked, and the reason the suggestion gives; the
    pair's suggestions go. `suggestion` may be unsaved: a pair a recompute no longer keeps."""
    score = "" if suggestion.score is None else f" (score {round(100 * suggestion.score)})"
    introduction = introduce(
        value_chain=suggestion.value_chain,
        partner_a=suggestion.buyer,
        partner_b=suggestion.supplier,
        person_a=person_a,
        person_b=person_b,
        reason=f"Suggested match: {suggestion.offer} for {suggestion.need}{score}.",
        offer=suggestion.offer,
        need=suggestion.need,
        by=by,
    )
    _drop_pair(suggestion)
    return introduction


def _drop_pair(suggestion: Suggestion) -> None:
    """The pair's suggestions go now; their needs are refilled after the commit (the next
    offers move up), so a need's top of fewer than TOP holds all its candidates, as
    suggestions.merge_offer_change() relies on."""
    rows = Suggestion.objects.filter(supplier=suggestion.supplier_id, buyer=suggestion.buyer_id)
    need_ids = sorted(set(rows.values_list("need_id", flat=True)))
    rows.delete()
    transaction.on_commit(lambda: tasks.refill_needs.delay(need_ids))


@transaction.atomic
def dismiss_suggestion(suggestion: Suggestion, reason: str, *, by) -> Dismissal:
    """Hold the pair back for the chain's set time, keeping the reason."""
    settings = MatchSettings.objects.filter(value_chain_id=suggestion.value_chain_id).first()
    days = settings.hold_back_days if settings else MatchSettings().hold_back_days
    return _hold_back(suggestion, DismissalKind.DISMISSED, reason, hold_back_until(days), by)


@transaction.atomic
def snooze_suggestion(suggestion: Suggestion, until, *, by) -> Dismissal:
    """Hold the pair back until `until`; it comes back after."""
    return _hold_back(suggestion, DismissalKind.SNOOZED, "", until, by)


def _hold_back(suggestion, kind, reason, until, by) -> Dismissal:
    dismissal = Dismissal.objects.create(
        value_chain_id=suggestion.value_chain_id,
        buyer_id=suggestion.buyer_id,
        supplier_id=suggestion.supplier_id,
        need_id=suggestion.need_id,
        offer_id=suggestion.offer_id,
        kind=kind,
        reason=reason,
        until=until,
        by=by,
    )
    _drop_pair(suggestion)
    return dismissal


@transaction.atomic
def save_match_settings(settings: MatchSettings, *, values: Mapping[str, Any]) -> MatchSettings:
    """Save a chain's weights and rules; its suggestions are recomputed after the commit."""
    save_fields(settings, values)
    chain_id = settings.value_chain_id
    transaction.on_commit(lambda: tasks.recompute_chain.delay(chain_id))
    return settings


@transaction.atomic
def start_recompute(*, by) -> RecomputeRun:
    """Record a recompute and queue it; its progress is on the record. A coordinator's touches
    only the chains they coordinate; a superuser's, every chain."""
    run = RecomputeRun.objects.create(requested_by=by, every_chain=by.is_superuser)
    if not by.is_superuser:
        run.value_chains.set(coordinated_chains(by))
    transaction.on_commit(lambda: tasks.recompute_all.delay(run.pk))
    return run


# --- relationships ----------------------------------------------------------------------------


@transaction.atomic
def derive_relationship(
    *, source_id: int, target_id: int, kind: str, origin: str, origin_url: str, by=None
) -> Relationship:
    """Make the relationship a fact implies (an introduction at "talking" or beyond, a kept
    commitment, two partners in one working group), with where it came from, and a line in
    both partners' history; when the pair already has one of that kind (either way round)
    it is kept as it is (a recorded one stays "recorded") and its strength refreshed."""
    existing = Relationship.objects.filter(
        Q(source_id=source_id, target_id=target_id) | Q(source_id=target_id, target_id=source_id),
        kind=kind,
    ).first()
    relationship = existing or Relationship.objects.create(
        source_id=source_id,
        target_id=target_id,
        kind=kind,
        began_on=timezone.localdate(),
        origin=origin,
        origin_url=origin_url,
    )
    refresh_strengths(Relationship.objects.filter(pk=relationship.pk))
    if existing is None:
        names = dict(
            Partner.objects.filter(pk__in=[source_id, target_id]).values_list("pk", "name")
        )
        label = f"{relationship.get_kind_display()} ({relationship.get_origin_display().lower()})"
        record_change(
            Partner(pk=source_id), by, f"Relationship made: {label} with {names[target_id]}"
        )
        record_change(
            Partner(pk=target_id), by, f"Relationship made: {label} with {names[source_id]}"
        )
    return relationship


def relate_group_members(*, person_ids: list[int], group_url: str, by=None) -> int:
    """Partners whose people sit in one working group become peers (origin "working group"):
    the pairs with no peer relationship yet get one, in a few set-based queries whatever the
    group's size, with a line in each partner's history. Returns how many were made."""
    from partners.models import Affiliation, ChangeRecord

    partner_ids = sorted(
        set(
            Affiliation.objects.filter(person_id__in=person_ids).values_list(
                "partner_id", flat=True
            )
        )
    )
    related = {
        _pair(a, b)
        for a, b in Relationship.objects.filter(
            source_id__in=partner_ids, target_id__in=partner_ids, kind=RelationshipKind.PEER
        ).values_list("source_id", "target_id")
    }
    pairs = [
        (a, b)
        for i, a in enumerate(partner_ids)
        for b in partner_ids[i + 1 :]
        if (a, b) not in related
    ]
    if not pairs:
        return 0
    today = timezone.localdate()
    made = Relationship.objects.bulk_create(
        Relationship(
            source_id=a,
            target_id=b,
            kind=RelationshipKind.PEER,
            began_on=today,
            origin=RelationshipOrigin.WORKING_GROUP,
            origin_url=group_url,
        )
        for a, b in pairs
    )
    refresh_pair_strengths(partner_ids)
    names = dict(Partner.objects.filter(pk__in=partner_ids).values_list("pk", "name"))
    user = by if by is not None and by.is_authenticated else None
    ChangeRecord.objects.bulk_create(
        ChangeRecord(
            partner_id=one,
            user=user,
            summary=f"Relationship made: Peers (from a working group) with {names[other]}"[:200],
            changes={},
        )
        for a, b in pairs
        for one, other in ((a, b), (b, a))
    )
    return len(made)


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


@transaction.atomic
def record_relationship(
    *, source: Partner, target: Partner, kind: str, began_on=None, notes: str = "", by
) -> Relationship:
    """Record a standing relationship (for directed kinds `source` is the buyer, funder,
    provider or association), its strength, and a line in both partners' history."""
    relationship = Relationship.objects.create(
        source=source, target=target, kind=kind, began_on=began_on, notes=notes
    )
    refresh_strengths(Relationship.objects.filter(pk=relationship.pk))
    label = relationship.get_kind_display()
    record_change(source, by, f"Relationship recorded: {label} with {target.name}")
    record_change(target, by, f"Relationship recorded: {label} with {source.name}")
    return relationship
