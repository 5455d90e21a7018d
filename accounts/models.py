"""What accounts keep beyond Django's user: each signed-in session's device and last use."""

import hashlib

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import models


class UserSession(models.Model):
    """A session someone signed in with, as the Account page lists it. Deleting the session
    (signing it out, or clearsessions once it expired) deletes this row with it."""

    session = models.OneToOneField(
        Session, on_delete=models.CASCADE, primary_key=True, related_name="user_session"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions"
    )
    user_agent = models.CharField(max_length=300, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    signed_in_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_seen_at"]
        indexes = [models.Index(fields=["user", "-last_seen_at"], name="usersession_user_seen")]

    def __str__(self) -> str:
        return f"{self.user} on {self.device}"

    @property
    def public_id(self) -> str:
        """How the Account page names the session: never its key, which signs in whoever
        holds it."""
        return public_id(self.session_id)

    @property
    def device(self) -> str:
        """A short name for the browser and system in the user agent ("Firefox on Windows")."""
        return describe_user_agent(self.user_agent)


def public_id(session_key: str) -> str:
    return hashlib.sha256(f"accounts.session:{session_key}".encode()).hexdigest()[:20]


_BROWSERS = [
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
]
_SYSTEMS = [
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
]


def describe_user_agent(user_agent: str) -> str:
    if not user_agent:
        return "Unknown device"
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "A browser")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), "")
    return f"{browser} on {system}" if system else browser
