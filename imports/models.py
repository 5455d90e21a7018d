"""Spreadsheet imports: the uploaded file, its column mapping, the dry run's findings, and the
log of what was imported (and can be undone)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from partners.models import ValueChain


class ImportKind(models.TextChoices):
    PARTNERS = "partners", "Partners"
    PEOPLE = "people", "People"
    OFFERS = "offers", "Offers"
    NEEDS = "needs", "Needs"


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded: check the columns"
    VALIDATING = "validating", "Checking the rows"
    CHECKED = "checked", "Dry run done"
    IMPORTING = "importing", "Importing"
    IMPORTED = "imported", "Imported"
    FAILED = "failed", "Failed"
    UNDOING = "undoing", "Undoing"
    UNDONE = "undone", "Undone"


# States in which a worker is busy with the job: the page polls for progress.
BUSY_STATES = [ImportState.VALIDATING, ImportState.IMPORTING, ImportState.UNDOING]


class DuplicateAction(models.TextChoices):
    SKIP = "skip", "Skip the row (keep the existing record as it is)"
    MERGE = "merge", "Merge: link the existing record to this chain and fill its blank fields"


class ImportJob(models.Model):
    """One spreadsheet a coordinator brought into one of their value chains: the import log."""

    value_chain = models.ForeignKey(ValueChain, on_delete=models.CASCADE, related_name="imports")
    kind = models.CharField(max_length=10, choices=ImportKind.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    filename = models.CharField(max_length=255)
    # The file itself, kept in the database so the web server and the worker read the same bytes.
    data = models.BinaryField(editable=False)
    # How the file was read ("Read as Windows-1252, semicolon-separated."), shown in the dry run.
    read_as = models.CharField(max_length=120, blank=True)
    # A workbook's sheets, and the one read (the first with data, unless the coordinator chose).
    sheets = models.JSONField(default=list, blank=True)
    sheet = models.CharField(max_length=100, blank=True)
    headers = models.JSONField(default=list, blank=True)
    # {"column header": "field name" or ""}
    mapping = models.JSONField(default=dict, blank=True)
    duplicate_action = models.CharField(
        max_length=10, choices=DuplicateAction.choices, default=DuplicateAction.SKIP
    )
    # {"row number": "skip" | "merge"}: the coordinator's choice for particular rows.
    duplicate_choices = models.JSONField(default=dict, blank=True)
    state = models.CharField(
        max_length=12, choices=ImportState.choices, default=ImportState.UPLOADED
    )
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    # The dry run: counts, the first errors and duplicates, a preview of the first rows.
    rows_total = models.PositiveIntegerField(default=0)
    rows_with_errors = models.PositiveIntegerField(default=0)
    rows_duplicate = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    errors_total = models.PositiveIntegerField(default=0)
    duplicates = models.JSONField(default=list, blank=True)
    preview = models.JSONField(default=list, blank=True)
    failure = models.TextField(blank=True)
    # Set by the worker that took the queued check or import: a second delivery finds it taken.
    claimed_at = models.DateTimeField(null=True, blank=True)
    # What the import wrote, so it can be undone: {"partners": [ids], "participations": [...]}.
    created = models.JSONField(default=dict, blank=True)
    # Existing records the import filled: {"partner:12": ["website", "region"]}.
    filled = models.JSONField(default=dict, blank=True)
    rows_created = models.PositiveIntegerField(default=0)
    rows_merged = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["value_chain", "-created_at", "-id"], name="import_chain_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress_done__lte=models.F("progress_total")),
                name="import_progress_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.filename}"

    def get_absolute_url(self) -> str:
        return reverse("imports:job", args=[self.pk])

    @property
    def is_busy(self) -> bool:
        return self.state in BUSY_STATES

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def can_import(self) -> bool:
        return self.state == ImportState.CHECKED and self.rows_with_errors == 0

    @property
    def can_undo(self) -> bool:
        return self.state == ImportState.IMPORTED
