"""Captured email in the full export (outcomes/export.py, through vcc.hooks.EXPORT_TABLES):
the messages of the coordinator's chains, their addresses and their attachments' names and
sizes (never the attachments' bytes)."""

from __future__ import annotations

from partners.exporting import model_header, model_rows
from vcc import hooks

from .models import CapturedAddress, CapturedAttachment, CapturedMessage


def _messages(chain_ids: list[int]):
    return CapturedMessage.objects.filter(value_chains__in=chain_ids).values("pk")


def _table(filename: str, model, rows) -> hooks.ExportTable:
    return hooks.ExportTable(filename, (model._meta.label,), model_header(model), rows)


TABLES = [
    _table(
        "captured_email.csv",
        CapturedMessage,
        lambda user, chain_ids: model_rows(
            CapturedMessage.objects.filter(pk__in=_messages(chain_ids)).order_by("sent_at", "id")
        ),
    ),
    _table(
        "captured_email_addresses.csv",
        CapturedAddress,
        lambda user, chain_ids: model_rows(
            CapturedAddress.objects.filter(message__in=_messages(chain_ids)).order_by(
                "message_id", "id"
            )
        ),
    ),
    _table(
        "captured_email_attachments.csv",
        CapturedAttachment,
        lambda user, chain_ids: model_rows(
            CapturedAttachment.objects.filter(message__in=_messages(chain_ids))
            .defer("content")
            .order_by("message_id", "id")
        ),
    ),
]

NOT_EXPORTED = {
    "capture.MailboxState": "where the mailbox poller stopped reading, not the chains' data",
}
