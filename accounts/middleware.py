"""The accounts middleware: the session's last use, and the second factor coordinators and
administrators must have (both after django-otp's OTPMiddleware in settings.MIDDLEWARE)."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode

from . import services, twofactor

# Pages a user who still owes a second factor may reach: setting it up, giving the code,
# and signing out.
OPEN_WHILE_UNVERIFIED = {"login", "logout", "accounts:two_factor_setup", "accounts:login_code"}


class SessionActivityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # After the view: a sign-in or sign-out in it has already been recorded.
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            services.touch_session(request)
        return response


class RequireTwoFactorMiddleware:
    """A user for whom `requires_2fa` holds, signed in without a second factor, is sent to
    set one up (or, if they have one, to give its code) before any other page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            twofactor.requires_2fa(user)
            and not user.is_verified()
            and not request.path.startswith("/" + settings.STATIC_URL.lstrip("/"))
            and not self._open(request)
        ):
            if twofactor.has_two_factor(user):
                target = reverse("accounts:login_code")
            else:
                target = reverse("accounts:two_factor_setup")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _open(request) -> bool:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.view_name in OPEN_WHILE_UNVERIFIED
