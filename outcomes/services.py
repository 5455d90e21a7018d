"""Writes of outcomes: one transaction each, recorded in the partner's change history."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from partners.models import ChangeRecord, Partner
from partners.services import save_fields

from .models import OutcomeReport


@transaction.atomic
def save_outcome_report(
    partner: Partner, *, values: Mapping[str, Any], report: OutcomeReport | None = None, by
) -> OutcomeReport:
    """Report the partner's outcomes for a period (`values`, as the form cleaned them), or
    correct a report (`report`); noted in the partner's history."""
    creating = report is None
    report = report or OutcomeReport(partner=partner, reported_by=by)
    save_fields(report, values)
    ChangeRecord.objects.create(
        partner=partner,
        user=by,
        summary=f"{'Reported' if creating else 'Updated'} outcomes for "
        f"{report.period_start:%d %b %Y}–{report.period_end:%d %b %Y}",
    )
    return report


@transaction.atomic
def delete_outcome_report(report: OutcomeReport, *, by) -> None:
    """Remove a report (a mistaken or duplicate period), noted in the partner's history."""
    partner = report.partner
    summary = (
        f"Removed outcomes for {report.period_start:%d %b %Y}–{report.period_end:%d %b %Y} "
        f"in {report.value_chain}"
    )
    report.delete()
    ChangeRecord.objects.create(partner=partner, user=by, summary=summary[:200])
