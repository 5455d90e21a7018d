"""The import log: each spreadsheet a coordinator brought in, what it made, and how to undo it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from partners.models import ValueChain


class ImportKind(models.TextChoices):
    PARTNERS = "partners", "Partners"
    PEOPLE = "people", "People"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded: map the columns"
    CHECKING = "checking", "Checking the rows"
    CHECKED = "checked", "Checked"
    IMPORTING = "importing", "Importing"
    IMPORTED = "imported", "Imported"
    FAILED = "failed", "Failed"
    UNDONE = "undone", "Undone"


class DuplicateAction(models.TextChoices):
    SKIP = "skip", "Skip the row (keep the existing record as it is)"
    MERGE = "merge", "Merge: fill the existing record's empty fields, add it to the chain"


class ImportRun(models.Model):
    """One spreadsheet: kept (the file itself, in the database, so the worker reads what the
    web server received) until it is imported, with its mapping, its check and its result."""

    value_chain = models.ForeignKey(ValueChain, on_delete=models.CASCADE, related_name="imports")
    kind = models.CharField(max_length=10, choices=ImportKind.choices)
    file_name = models.CharField(max_length=200)
    data = models.BinaryField(editable=False)
    mapping = models.JSONField(default=dict, help_text="Field name → column index.")
    duplicates = models.CharField(
        max_length=10, choices=DuplicateAction.choices, default=DuplicateAction.SKIP
    )
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    rows = models.PositiveIntegerField(default=0)
    progress = models.PositiveIntegerField(default=0, help_text="Rows checked or imported so far.")
    # Set when a check or an import is queued, cleared by the task that takes it: a task
    # delivered twice finds it gone and does nothing.
    job = models.CharField(max_length=32, blank=True, editable=False)
    # The check: counts, and the first errors and duplicates (the page lists those).
    report = models.JSONField(default=dict)
    # What the import made and changed, for undo: {"partner": [ids], ...} and merged records'
    # fields as they were before.
    created = models.JSONField(default=dict)
    merged = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["value_chain", "-created_at"], name="import_chain_date")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.file_name}"

    def get_absolute_url(self) -> str:
        return reverse("imports:run", args=[self.pk])

    @property
    def busy(self) -> bool:
        return self.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING)

    @property
    def percent(self) -> int:
        return int(100 * self.progress / self.rows) if self.rows else 0
