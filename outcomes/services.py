"""Writes of outcomes: one transaction each, recorded in the partner's change history."""

from __future__ import annotations

from django.db import transaction

from partners.models import ChangeRecord

from .models import OutcomeReport


@transaction.atomic
def save_outcome_report(form, *, by) -> OutcomeReport:
    """Create or update a report from a valid OutcomeReportForm."""
    creating = form.instance.pk is None
    report = form.save(commit=False)
    report.partner = form.partner
    if creating:
        report.reported_by = by
    report.save()
    form.save_m2m()
    ChangeRecord.objects.create(
        partner=form.partner,
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
