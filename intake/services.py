"""Writes of intake forms: set a form up, take a visitor's answers (checked for a likely
duplicate among the chain's partners), and accept or reject them. Accepting goes through the
partners services, so the partner's change history says what was added and by whom."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.utils import timezone

from imports.services import norm_name, website_key
from partners import services as partner_services
from partners.models import (
    NAME_KEY,
    Affiliation,
    Need,
    Offer,
    Participation,
    ParticipationStatus,
    Partner,
    PartnerKind,
    Person,
    Product,
    ValueChain,
    WebsiteKey,
)

from .models import IntakeForm, IntakeSubmission, Section, SubmissionStatus

PARTNER_FIELDS = ("kind", "website", "region", "description")


class AlreadyDecided(Exception):
    """The answers were accepted or rejected already (by another coordinator, or a second
    click)."""


@transaction.atomic
def create_form(*, chain: ValueChain, values: Mapping[str, Any], by) -> IntakeForm:
    """A new public form for `chain`, open at once (its link is in form.public_path())."""
    form = IntakeForm(value_chain=chain, created_by=by)
    for name, value in values.items():
        setattr(form, name, value)
    form.save()
    return form


@transaction.atomic
def update_form(form: IntakeForm, *, values: Mapping[str, Any], by) -> IntakeForm:
    """Change what a form asks, its texts, closing date or whether it is open; answers
    already received stay as they were typed."""
    for name, value in values.items():
        setattr(form, name, value)
    form.save()
    return form


def likely_duplicate(
    *, chain: ValueChain, name: str, email: str = "", website: str = ""
) -> tuple[Partner | None, str]:
    """A partner of `chain` that these answers probably describe, and why: the same name
    (case and spacing aside), a person there with the same email, or the same website (the
    keys imports use, read through the same indexes)."""
    in_chain = Partner.objects.filter(
        Exists(Participation.objects.filter(partner=OuterRef("pk"), value_chain=chain))
    ).order_by("pk")
    found = in_chain.alias(key=NAME_KEY).filter(key=norm_name(name)).first()
    if found:
        return found, "same name"
    if email.strip():
        people = Affiliation.objects.alias(address=Lower("person__email")).filter(
            partner=OuterRef("pk"), address=email.strip().lower()
        )
        found = in_chain.filter(Exists(people)).first()
        if found:
            return found, "same email"
    if website_key(website.strip()):
        found = (
            in_chain.alias(site=WebsiteKey("website"))
            .filter(site=website_key(website.strip()))
            .first()
        )
        if found:
            return found, "same website"
    return None, ""


@transaction.atomic
def submit_answers(*, form: IntakeForm, values: Mapping[str, Any]) -> IntakeSubmission:
    """Keep a visitor's answers as a draft in the chain's review queue, with the likely
    duplicate they describe. Nothing in the directory changes until a coordinator accepts."""
    submission = IntakeSubmission(form=form, **values)
    submission.duplicate, submission.duplicate_reason = likely_duplicate(
        chain=form.value_chain,
        name=submission.partner_name,
        email=submission.email,
        website=submission.website,
    )
    submission.save()
    return submission


def _claim(submission: IntakeSubmission, *, status: str, by, **fields) -> None:
    """Mark the answers decided, once: a second decision (another tab, another coordinator)
    changes nothing and raises AlreadyDecided."""
    claimed = IntakeSubmission.objects.filter(
        pk=submission.pk, status=SubmissionStatus.REVIEW
    ).update(status=status, decided_by=by, decided_at=timezone.now(), **fields)
    if claimed != 1:
        raise AlreadyDecided
    submission.refresh_from_db()


def _product(name: str) -> dict[str, Any]:
    product = Product.objects.filter(name__iexact=name.strip()).first()
    return {"product": product} if product else {"new_product": name.strip()}


@transaction.atomic
def accept_submission(
    submission: IntakeSubmission, *, partner: Partner | None, chain_role: str, by
) -> Partner:
    """Make the answers records: a new partner in the form's chain (`partner` None), or an
    update of `partner` (the likely duplicate) with what was answered; then the person (the
    same email at that partner is updated, not added twice), the offer and the need. Each
    step is written to the partner's change history."""
    form = submission.form
    chain = form.value_chain
    _claim(submission, status=SubmissionStatus.ACCEPTED, by=by, chain_role=chain_role)
    profile = {
        name: getattr(submission, name)
        for name in PARTNER_FIELDS
        if form.asks(name) and getattr(submission, name)
    }
    if partner is None:
        profile.setdefault("kind", PartnerKind.BUSINESS)
        partner = partner_services.create_partner(
            values={"name": submission.partner_name, **profile},
            participation={
                "value_chain": chain,
                "chain_role": chain_role,
                "status": ParticipationStatus.PROSPECT,
            },
            by=by,
        )
    else:
        partner_services.update_partner(partner, values=profile, by=by)
    partner_services.record_change(partner, by, f"Answers to the intake form “{form.title}”")
    if form.asks(Section.PERSON) and submission.first_name:
        person_values = {
            "first_name": submission.first_name,
            "last_name": submission.last_name,
            "email": submission.email,
            "phone": submission.phone,
        }
        same = (
            Person.objects.filter(affiliations__partner=partner, email__iexact=submission.email)
            .order_by("pk")
            .first()
            if submission.email
            else None
        )
        if same:
            partner_services.update_person(same, values=person_values, by=by)
        else:
            partner_services.add_person(partner, values=person_values, by=by)
    for kind, prefix, section in ((Offer, "offer", Section.OFFER), (Need, "need", Section.NEED)):
        product = getattr(submission, f"{prefix}_product")
        if form.asks(section) and product:
            values = {
                **_product(product),
                "volume": getattr(submission, f"{prefix}_volume"),
                "unit": getattr(submission, f"{prefix}_unit"),
            }
            if getattr(submission, f"{prefix}_period"):
                values["period"] = getattr(submission, f"{prefix}_period")
            partner_services.save_listing(partner, kind=kind, values=values, by=by)
    IntakeSubmission.objects.filter(pk=submission.pk).update(partner=partner)
    submission.partner = partner
    return partner


@transaction.atomic
def reject_submission(submission: IntakeSubmission, *, note: str, by) -> IntakeSubmission:
    """Turn the answers down, keeping them and the coordinator's note of why."""
    _claim(submission, status=SubmissionStatus.REJECTED, by=by, note=note)
    return submission
