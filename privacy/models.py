"""The record of every data export and erasure: who asked, when, about whom (never the data)."""

from django.conf import settings
from django.db import models

from partners.models import Person


class RequestKind(models.TextChoices):
    EXPORT = "export", "Data export"
    ERASURE = "erasure", "Erasure"


class PrivacyRequest(models.Model):
    """A person's data exported or erased, by them or by a coordinator of their chain."""

    # Kept when the person row is deleted (an import undone): the record outlives it, by id.
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, related_name="privacy_requests"
    )
    person_ref = models.PositiveBigIntegerField(help_text="The person's id, kept after a delete.")
    kind = models.CharField(max_length=10, choices=RequestKind.choices)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    by_the_person = models.BooleanField(
        default=False, help_text="Asked by the person themself (not by a coordinator)."
    )
    at = models.DateTimeField(auto_now_add=True)
    # Erasure: how many rows of each model were changed ({"partners.Interaction": 3}).
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "-at"], name="privacy_request_person")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of person {self.person_ref}"
