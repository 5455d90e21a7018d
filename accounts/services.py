"""Writes of accounts: sessions recorded and ended, invitations accepted, email changes,
second factors confirmed and removed. Keyword-only and one transaction each."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.models import Invitation, Person

from . import emails
from .models import UserSession, public_id

# The Account page's "last seen" is kept to the minute: a session's row is written at most
# once a minute, whatever the number of requests.
TOUCH_EVERY = datetime.timedelta(minutes=1)
SEEN_KEY = "accounts_seen"
RECOVERY_CODES = 10


# --- sessions ---------------------------------------------------------------------------------


def _client(request) -> tuple[str, str | None]:
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    return user_agent, request.META.get("REMOTE_ADDR") or None


def record_session(sender, request, user, **kwargs) -> None:
    """user_logged_in: note the new session's device, address and time."""
    session = getattr(request, "session", None)
    if session is None or session.session_key is None:
        return
    now = timezone.now()
    user_agent, ip = _client(request)
    UserSession.objects.update_or_create(
        session_id=session.session_key,
        defaults={
            "user": user,
            "user_agent": user_agent,
            "ip": ip,
            "signed_in_at": now,
            "last_seen_at": now,
        },
    )
    session[SEEN_KEY] = now.timestamp()


def forget_session(sender, request, user, **kwargs) -> None:
    """user_logged_out: the session is flushed; its row goes with it."""
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        UserSession.objects.filter(session_id=key).delete()


def touch_session(request) -> None:
    """Move the session's last use forward, at most once a minute (the time of the last
    write is kept in the session itself, so other requests cost no query)."""
    session = request.session
    now = timezone.now()
    seen = session.get(SEEN_KEY)
    if seen is not None and now.timestamp() - seen < TOUCH_EVERY.total_seconds():
        return
    if session.session_key is None:
        return
    user_agent, ip = _client(request)
    updated = UserSession.objects.filter(session_id=session.session_key).update(
        last_seen_at=now, ip=ip, user_agent=user_agent
    )
    if not updated and Session.objects.filter(pk=session.session_key).exists():
        # A session from before sessions were recorded.
        UserSession.objects.create(
            session_id=session.session_key,
            user=request.user,
            user_agent=user_agent,
            ip=ip,
            signed_in_at=now,
            last_seen_at=now,
        )
    session[SEEN_KEY] = now.timestamp()


@transaction.atomic
def end_session(*, user, session_id: str, keep: str | None) -> bool:
    """Sign out the user's session whose public id is `session_id` (never `keep`, the one
    asking); False when the user has no such session."""
    keys = UserSession.objects.filter(user=user).values_list("session_id", flat=True)
    match = [k for k in keys if public_id(k) == session_id and k != keep]
    if not match:
        return False
    Session.objects.filter(pk=match[0]).delete()
    return True


@transaction.atomic
def end_other_sessions(*, user, keep: str | None) -> int:
    """Sign the user out everywhere but the session `keep` (None: everywhere); how many."""
    keys = UserSession.objects.filter(user=user).exclude(session_id=keep or "")
    ended = Session.objects.filter(pk__in=list(keys.values_list("session_id", flat=True)))
    return ended.delete()[1].get(Session._meta.label, 0)


# --- invitations and passwords ----------------------------------------------------------------


@transaction.atomic
def accept_invitation(*, form) -> None:
    """Set the invited user's first password (`form`: a valid SetPasswordForm) and mark
    their open invitations accepted."""
    user = form.save()
    Invitation.objects.filter(person__user=user, accepted_at__isnull=True).update(
        accepted_at=timezone.now()
    )


@transaction.atomic
def change_password(*, request, form) -> None:
    """Save the new password (`form`: a valid PasswordChangeForm). This session stays signed
    in (under a new key, keeping its record); every other session of the user ends."""
    old = UserSession.objects.filter(session_id=request.session.session_key).first()
    form.save()
    update_session_auth_hash(request, form.user)  # cycles the session key
    new_key = request.session.session_key
    request.session.save()
    if old is not None:
        UserSession.objects.update_or_create(
            session_id=new_key,
            defaults={
                "user": form.user,
                "user_agent": old.user_agent,
                "ip": old.ip,
                "signed_in_at": old.signed_in_at,
                "last_seen_at": timezone.now(),
            },
        )
    end_other_sessions(user=form.user, keep=new_key)


# --- email change -----------------------------------------------------------------------------


@transaction.atomic
def request_email_change(*, user, new_email: str) -> None:
    """Mail the new address a link that makes the change; nothing changes until it is
    followed."""
    emails.email_change_confirmation(user, new_email)


class EmailTaken(Exception):
    """Another account signs in with that address."""


@transaction.atomic
def confirm_email_change(*, user, new_email: str) -> None:
    """Make the address the user's email and sign-in name (they sign in with their email),
    and their person record's where it was the old one; tell the old address."""
    User = get_user_model()
    if User.objects.filter(username__iexact=new_email).exclude(pk=user.pk).exists():
        raise EmailTaken(new_email)
    old_email = user.email
    user.email = new_email
    if user.username.lower() == old_email.lower():
        user.username = new_email.lower()
    user.save(update_fields=["email", "username"])
    Person.objects.filter(user=user, email__iexact=old_email).update(email=new_email)
    if old_email:
        emails.email_changed_notice(user, old_email, new_email)


# --- two-factor sign-in -----------------------------------------------------------------------


@transaction.atomic
def confirm_totp_device(*, user, key: str, last_t: int) -> tuple[TOTPDevice, list[str]]:
    """Keep the authenticator app whose code the user just confirmed (it replaces any earlier
    one), and give them a fresh set of single-use recovery codes, returned to be shown once."""
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(
        user=user, key=key, name="Authenticator app", last_t=last_t, confirmed=True
    )
    return device, new_recovery_codes(user=user)


@transaction.atomic
def new_recovery_codes(*, user) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODES new ones (each works once)."""
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="Recovery codes")
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=c) for c in codes)
    return codes


@transaction.atomic
def remove_two_factor(*, user) -> None:
    """Sign-in with the password alone again: the app and the recovery codes are removed."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
