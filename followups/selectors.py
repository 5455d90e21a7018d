"""Reads of the outbox."""

from django.conf import settings

from partners.permissions import coordinated_chain_ids
from vcc.paging import keyset_page

from .models import Message, State


def outbox(user, *, state: str = "", cursor: str | None = None):
    """Messages of the chains the user coordinates, newest due first, one page."""
    qs = Message.objects.all()
    if not user.is_superuser:
        qs = qs.filter(value_chain_id__in=coordinated_chain_ids(user))
    if state in State.values:
        qs = qs.filter(state=state)
    qs = qs.select_related("person").defer("body_text", "body_html", "attachments")
    return keyset_page(qs, ["-due_at", "-id"], cursor, settings.VCC_PAGE_SIZE)
