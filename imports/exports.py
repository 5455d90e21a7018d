"""The coordinator's imports in the full export (outcomes/export.py, through
vcc.hooks.EXPORT_TABLES): who uploaded which file when, and how it went; not the file's bytes
nor its parsed rows."""

from __future__ import annotations

from partners.exporting import model_header, model_rows
from vcc import hooks

from .models import ImportJob

_LEFT_OUT = ("headers", "mapping", "duplicate_choices", "duplicates", "errors")

TABLES = [
    hooks.ExportTable(
        "imports.csv",
        ("imports.ImportJob",),
        model_header(ImportJob, _LEFT_OUT),
        lambda user, chain_ids: model_rows(
            ImportJob.objects.filter(value_chain_id__in=chain_ids).order_by("id"), _LEFT_OUT
        ),
    ),
]
