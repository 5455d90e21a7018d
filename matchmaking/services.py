"""Writes of matchmaking: making introductions and moving them along the pipeline."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Introduction, IntroductionEvent, IntroductionStatus


@transaction.atomic
def introduce(form, *, by) -> Introduction:
    """Create an introduction (from a valid IntroductionForm), its first event, and (in the
    same transaction) the "how did it go?" follow-up to both sides.

    The database refuses a second open introduction of the same pair even when two
    coordinators race past the form's check; that surfaces as a ValidationError.
    """
    introduction = form.save(commit=False)
    introduction.created_by = by
    introduction.status_changed_at = timezone.now()
    try:
        with transaction.atomic():
            introduction.save()
    except IntegrityError as error:
        raise ValidationError("These two partners already have an open introduction.") from error
    IntroductionEvent.objects.create(
        introduction=introduction, status=introduction.status, by=by, note=introduction.reason
    )
    from convenings.followups import introduction as schedule_introduction_followup

    schedule_introduction_followup(introduction)
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
    return introduction
