"""Tasks in the full export (outcomes/export.py, through vcc.hooks.EXPORT_TABLES)."""

from __future__ import annotations

from partners.exporting import model_header, model_rows
from vcc import hooks

from .models import Task

TABLES = [
    hooks.ExportTable(
        "tasks.csv",
        ("followups.Task",),
        model_header(Task),
        lambda user, chain_ids: model_rows(
            Task.objects.filter(value_chain_id__in=chain_ids).order_by("due_on", "id")
        ),
    ),
]

NOT_EXPORTED = {
    "followups.MyDayVisit": "when a coordinator last opened My day, for its “new since” marks",
}
