"""Who may see a captured message and its attachments.

- A message in the review queue belongs to its chains: their coordinators (and superusers)
  see and decide it; everybody else gets a 404.
- An attachment of a message on a timeline is seen by whoever sees that interaction: the
  coordinators of one of its partners, and, when it is shared, the people of those partners.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from partners.models import InteractionPartner, Participation, Visibility
from partners.permissions import is_coordinator, works_at

from .models import CapturedAttachment, CapturedMessage, CaptureStatus


def _coordinates_message(user, message) -> Exists:
    return Exists(
        CapturedMessage.value_chains.through.objects.filter(
            capturedmessage_id=message, valuechain__coordinators=user
        )
    )


def get_message_for_user(request, pk) -> CapturedMessage:
    """The captured message `pk`, for a coordinator of one of its chains (404 otherwise)."""
    user = request.user
    if not user.is_authenticated or not is_coordinator(user):
        raise Http404
    qs = CapturedMessage.objects.filter(pk=pk)
    if not user.is_superuser:
        qs = qs.filter(_coordinates_message(user, OuterRef("pk")))
    message = qs.select_related("coordinator", "interaction", "reviewed_by").first()
    if message is None:
        raise Http404("No such message.")
    return message


def get_attachment_for_user(request, pk) -> CapturedAttachment:
    """The attachment `pk` with its content, for whoever may see its message (404 otherwise)."""
    user = request.user
    if not user.is_authenticated:
        raise Http404
    qs = CapturedAttachment.objects.filter(pk=pk, kept=True)
    if not user.is_superuser:
        in_interaction = InteractionPartner.objects.filter(
            interaction_id=OuterRef("message__interaction_id")
        )
        coordinated = Exists(
            in_interaction.filter(
                Exists(
                    Participation.objects.filter(
                        partner_id=OuterRef("partner_id"), value_chain__coordinators=user
                    )
                )
            )
        )
        shared = Exists(in_interaction.filter(works_at(user, OuterRef("partner_id")))) & Q(
            message__interaction__visibility=Visibility.SHARED
        )
        if is_coordinator(user):
            # While it waits for review, the coordinators of its chains; after, its partners'.
            reviewing = _coordinates_message(user, OuterRef("message_id")) & Q(
                message__status=CaptureStatus.REVIEW
            )
            allowed = coordinated | reviewing | shared
        else:
            allowed = shared
        qs = qs.filter(allowed)
    attachment = qs.first()
    if attachment is None:
        raise Http404("No such attachment.")
    return attachment
