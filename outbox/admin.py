"""The outbox in the administrators' admin: read-only, as a message's state belongs to the
claim-send-lease protocol of outbox.services (the outbox page's "Send again" is the way to
resend one)."""

from django.contrib import admin

from vcc.admin import ReadOnlyAdmin

from .models import Message, OptOut


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["kind", "to_address", "state", "due_at", "sent_at", "attempts"]
    list_filter = ["state", "kind"]
    search_fields = ["to_address", "subject", "idempotency_key"]
    raw_id_fields = ["person", "value_chain"]


admin.site.register(OptOut)
