"""What the outbox sends on behalf of the apps below it (vcc/hooks.py)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import Kind
from .services import schedule


def observer_appointed(sender, *, chain, user, by, new_account, **kwargs) -> None:
    """Invite a chain's new observer to sign in: a new sign-in sets its password from a
    single-use link (the invitation's own), an existing one signs in as usual."""
    if new_account:
        path = reverse(
            "accept_invitation",
            args=[
                urlsafe_base64_encode(force_bytes(user.pk)),
                default_token_generator.make_token(user),
            ],
        )
    else:
        path = reverse("login") + "?next=" + chain.get_absolute_url()
    schedule(
        key=f"observer:{chain.pk}:{user.pk}:{timezone.now().isoformat()}",
        kind=Kind.OTHER,
        subject=f"You can now follow {chain.name} on vcc",
        template="outbox/email/observer",
        context={
            "chain": chain,
            "user": user,
            "by_name": (by.get_full_name() or by.email) if by is not None else "",
            "link": settings.SITE_URL + path,
            "chain_url": settings.SITE_URL + chain.get_absolute_url(),
            "new_account": new_account,
        },
        due_at=timezone.now(),
        address=user.email or user.username,
        value_chain=chain,
    )
