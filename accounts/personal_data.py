"""What accounts hold about a person: their sign-in sessions (device, address, times), the
sign-in attempts django-axes recorded for their username, and their two-factor devices (for
the privacy app, vcc.hooks.PERSON_DATA). The erasure signs them out
everywhere and removes their devices; the account itself is scrubbed by partners."""

from __future__ import annotations

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.sessions.models import Session
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.models import Person
from vcc.hooks import PersonData

from .models import UserSession


def _export(person: Person) -> dict[str, list[dict]]:
    if person.user_id is None:
        return {}
    return {
        "sign_in_sessions": list(
            UserSession.objects.filter(user_id=person.user_id).values(
                "user_agent", "ip", "signed_in_at", "last_seen_at"
            )
        ),
        "two_factor_devices": [
            {"kind": "authenticator app", "name": d.name, "confirmed": d.confirmed}
            for d in TOTPDevice.objects.filter(user_id=person.user_id)
        ],
    }


def _erase(person: Person) -> None:
    if person.user_id is None:
        return
    keys = UserSession.objects.filter(user_id=person.user_id).values("session_id")
    Session.objects.filter(session_key__in=keys).delete()
    TOTPDevice.objects.filter(user_id=person.user_id).delete()
    username = person.user.username
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username=username).delete()
    StaticDevice.objects.filter(user_id=person.user_id).delete()


PERSON_DATA = PersonData(
    key="accounts",
    # django-axes' records of sign-in attempts hold the username (the email) and address.
    models=(
        "accounts.UserSession",
        "axes.AccessAttempt",
        "axes.AccessLog",
        "axes.AccessFailureLog",
    ),
    export=_export,
    erase=_erase,
)
