"""What accounts send, as outbox rows written in the caller's transaction: the invitation to
sign in, the password reset link, and the two messages of an email change.

None of these carries an opt-out link: each answers something the person (or their
coordinator, for an invitation) asked for, and is about their sign-in.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from outbox.models import Kind
from outbox.services import schedule
from partners.models import Invitation, ValueChain
from vcc import hooks

from .tokens import invitation_token_generator

EMAIL_CHANGE_SALT = "accounts.email-change"


def possessive(name: str) -> str:
    """ "Amatola Sawmill's", but "Umvoti Timber Estates'" for a name ending in s."""
    return f"{name}'" if name.endswith(("s", "S")) else f"{name}'s"


def invitation_link(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = invitation_token_generator.make_token(user)
    return settings.SITE_URL + reverse("accept_invitation", args=[uid, token])


def invitation_email(invitation: Invitation):
    """The invitation email to set a password, in the outbox of the chain the inviting
    coordinator shares with the partner (where they see whether it was sent)."""
    person, partner = invitation.person, invitation.partner
    chains = ValueChain.objects.filter(participations__partner=partner).order_by("pk")
    chain = (
        chains.filter(coordinators=invitation.invited_by_id).first()
        if invitation.invited_by_id
        else None
    ) or chains.first()
    context = {
        "invitation": invitation,
        "link": invitation_link(person.user),
        "days": settings.VCC_INVITATION_TIMEOUT // 86400,
        "partner_possessive": possessive(partner.name),
        "notes": [n for note in hooks.INVITATION_NOTES.values() for n in note(person)],
    }
    return schedule(
        key=f"account-invitation:{invitation.pk}",
        kind=Kind.ACCOUNT_INVITATION,
        subject=f"You're invited to keep {possessive(partner.name)} profile on vcc",
        template="accounts/email/invitation",
        context=context,
        due_at=timezone.now(),
        person=person,
        value_chain=chain,
        about=invitation,
    )


def invitation_receiver(sender, invitation: Invitation, **kwargs) -> None:
    """vcc.hooks.person_invited: partners invited someone; write their email."""
    invitation_email(invitation)


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's password reset form, whose email is an outbox message (retried, and shown
    to an administrator if it fails) rather than sent from the request."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        user = context["user"]
        link = settings.SITE_URL + reverse(
            "accounts:password_reset_confirm", args=[context["uid"], context["token"]]
        )
        schedule(
            key=f"password-reset:{user.pk}:{context['token']}",
            kind=Kind.PASSWORD_RESET,
            subject="Reset your vcc password",
            template="accounts/email/password_reset",
            context={
                "user": user,
                "link": link,
                "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
            },
            due_at=timezone.now(),
            address=to_email,
        )


def email_change_token(user, new_email: str) -> str:
    """Signed: the user, the address asked for and the one it replaces (so the link stops
    working once the change is made)."""
    return signing.dumps(
        {"u": user.pk, "new": new_email, "old": user.email}, salt=EMAIL_CHANGE_SALT
    )


def read_email_change_token(token: str) -> dict | None:
    try:
        return signing.loads(
            token, salt=EMAIL_CHANGE_SALT, max_age=settings.VCC_EMAIL_CHANGE_TIMEOUT
        )
    except signing.BadSignature:  # includes SignatureExpired
        return None


def email_change_confirmation(user, new_email: str):
    """To the new address: the link that makes the change."""
    token = email_change_token(user, new_email)
    link = settings.SITE_URL + reverse("accounts:confirm_email", args=[token])
    return schedule(
        key=f"email-change:{user.pk}:{token[-27:]}",
        kind=Kind.EMAIL_CHANGE,
        subject="Confirm your new email address for vcc",
        template="accounts/email/email_change",
        context={
            "user": user,
            "link": link,
            "new_email": new_email,
            "hours": settings.VCC_EMAIL_CHANGE_TIMEOUT // 3600,
        },
        due_at=timezone.now(),
        address=new_email,
    )


def email_changed_notice(user, old_email: str, new_email: str):
    """To the old address: it no longer signs in; who to tell if that was not them."""
    return schedule(
        key=f"email-changed:{user.pk}:{timezone.now().isoformat()}",
        kind=Kind.EMAIL_CHANGED,
        subject="Your vcc email address was changed",
        template="accounts/email/email_changed",
        context={"user": user, "old_email": old_email, "new_email": new_email},
        due_at=timezone.now(),
        address=old_email,
    )
