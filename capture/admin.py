from django.contrib import admin

from .models import CapturedMessage, MailboxState


@admin.register(CapturedMessage)
class CapturedMessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "sender_address", "status", "sent_at"]
    list_filter = ["status"]
    search_fields = ["subject", "sender_address", "message_id"]
    raw_id_fields = ["coordinator", "interaction", "reviewed_by"]
    filter_horizontal = ["value_chains"]


@admin.register(MailboxState)
class MailboxStateAdmin(admin.ModelAdmin):
    list_display = ["mailbox", "uidvalidity", "last_uid", "polled_at"]
