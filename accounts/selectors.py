"""Reads of accounts."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef
from django.utils import timezone

from outbox.models import Message
from partners.models import Invitation
from partners.permissions import coordinates_partner

from .models import UserSession


def active_sessions(user, *, current: str | None) -> list[UserSession]:
    """The user's sessions that have not expired, most recently used first; the one making
    this request is marked `is_current` (one query)."""
    sessions = list(
        UserSession.objects.filter(user=user, session__expire_date__gt=timezone.now()).order_by(
            "-last_seen_at"
        )
    )
    for s in sessions:
        s.is_current = s.session_id == current
    return sessions


@dataclass(frozen=True)
class InvitationDelivery:
    invitation: Invitation
    message: Message | None


def invitation_deliveries(person, user) -> list[InvitationDelivery]:
    """The person's invitations to sign in, each with its outbox message (sent, pending,
    failed and why), for the coordinators of their organisation; nothing for anyone else.
    Two queries."""
    invitations = list(
        person.invitations.annotate(visible=coordinates_partner(user, OuterRef("partner")))
        .filter(visible=True)
        .select_related("partner", "invited_by")
        .order_by("-created_at")
    )
    if not invitations:
        return []
    messages = {
        m.about_id: m
        for m in Message.objects.filter(
            about_type="invitation", about_id__in=[i.pk for i in invitations]
        ).defer("body_text", "body_html", "attachments")
    }
    return [InvitationDelivery(i, messages.get(i.pk)) for i in invitations]
