from django.contrib import admin

from .models import IntakeForm, IntakeSubmission


@admin.register(IntakeForm)
class IntakeFormAdmin(admin.ModelAdmin):
    list_display = ["title", "value_chain", "is_open", "closes_on", "created_at"]
    list_filter = ["is_open", "value_chain"]
    readonly_fields = ["token"]


@admin.register(IntakeSubmission)
class IntakeSubmissionAdmin(admin.ModelAdmin):
    """Read-only: answers are decided on the review queue, through the partners services."""

    list_display = ["partner_name", "form", "status", "submitted_at"]
    list_filter = ["status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
