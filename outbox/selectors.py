"""Reads of the outbox."""

from django.conf import settings

from partners.permissions import coordinated_chain_ids
from vcc.paging import keyset_page

from .models import Message, State


def outbox_messages(user):
    """The messages of the chains the user coordinates (every message for a superuser)."""
    if user.is_superuser:
        return Message.objects.all()
    return Message.objects.filter(value_chain_id__in=coordinated_chain_ids(user))


def outbox(user, *, state: str = "", cursor: str | None = None):
    """Messages of the chains the user coordinates, newest due first, one page."""
    qs = outbox_messages(user)
    if state in State.values:
        qs = qs.filter(state=state)
    qs = qs.select_related("person").defer("body_text", "body_html", "attachments")
    return keyset_page(qs, ["-due_at", "-id"], cursor, settings.VCC_PAGE_SIZE)
