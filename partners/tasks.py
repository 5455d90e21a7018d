"""Celery tasks of the partner directory: take ids, load fresh rows, safe to run twice."""

from celery import shared_task
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from vcc import hooks

from .models import Invitation


def possessive(name: str) -> str:
    """ "Amatola Sawmill's", but "Umvoti Timber Estates'" for a name ending in s."""
    return f"{name}'" if name.endswith(("s", "S")) else f"{name}'s"


@shared_task
def send_invitation(invitation_id: int) -> bool:
    """Email the invitation once: the row is claimed by a conditional update before sending."""
    claimed = Invitation.objects.filter(pk=invitation_id, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    if claimed != 1:
        return False
    invitation = Invitation.objects.select_related("person__user", "partner", "invited_by").get(
        pk=invitation_id
    )
    user = invitation.person.user
    link = settings.SITE_URL + reverse(
        "accept_invitation",
        args=[
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(user),
        ],
    )
    context = {
        "invitation": invitation,
        "link": link,
        "site_url": settings.SITE_URL,
        "partner_possessive": possessive(invitation.partner.name),
        "notes": [n for note in hooks.INVITATION_NOTES.values() for n in note(invitation.person)],
    }
    message = EmailMultiAlternatives(
        subject=f"You're invited to keep {possessive(invitation.partner.name)} profile on vcc",
        body=render_to_string("partners/email/invitation.txt", context),
        to=[invitation.person.email],
        headers={"Message-ID": f"<invitation-{invitation.pk}@vcc>"},
    )
    message.attach_alternative(
        render_to_string("partners/email/invitation.html", context), "text/html"
    )
    try:
        message.send()
    except Exception:
        # Not delivered: release the claim so a retry sends it.
        Invitation.objects.filter(pk=invitation_id).update(sent_at=None)
        raise
    return True
