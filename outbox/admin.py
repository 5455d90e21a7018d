from django.contrib import admin

from .models import Message, OptOut


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["kind", "to_address", "state", "due_at", "sent_at", "attempts"]
    list_filter = ["state", "kind"]
    search_fields = ["to_address", "subject", "idempotency_key"]
    raw_id_fields = ["person", "value_chain"]


admin.site.register(OptOut)
