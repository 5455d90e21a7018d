"""Intake forms and their answers in the full export (outcomes/export.py, through
vcc.hooks.EXPORT_TABLES): each form of the coordinator's chains (not its public link's
token) and every answer, reviewed or not."""

from __future__ import annotations

from partners.exporting import model_header, model_rows
from vcc import hooks

from .models import IntakeForm, IntakeSubmission

TABLES = [
    hooks.ExportTable(
        "intake_forms.csv",
        ("intake.IntakeForm",),
        model_header(IntakeForm),
        lambda user, chain_ids: model_rows(
            IntakeForm.objects.filter(value_chain_id__in=chain_ids).order_by("created_at", "id")
        ),
    ),
    hooks.ExportTable(
        "intake_answers.csv",
        ("intake.IntakeSubmission",),
        model_header(IntakeSubmission),
        lambda user, chain_ids: model_rows(
            IntakeSubmission.objects.filter(form__value_chain_id__in=chain_ids).order_by(
                "form_id", "id"
            )
        ),
    ),
]
