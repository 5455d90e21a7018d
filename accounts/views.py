"""Signing in (with a second factor for those who have one), recovering and keeping an
account. Every view acts on the signed-in user's own account, or on what a signed link
names; a session of someone else is a 404."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlencode, urlsafe_base64_decode
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.util import random_hex

from . import emails, selectors, services, twofactor
from .forms import (
    CodeForm,
    ConfirmDeviceForm,
    EmailChangeForm,
    InvitationPasswordForm,
    PasswordConfirmForm,
)
from .tokens import invitation_token_generator

PENDING_KEY = "accounts_2fa_pending"  # a user who gave the right password, owing the code
PENDING_SECONDS = 5 * 60
SETUP_KEY = "accounts_totp_key"  # the key of the app being set up, until it is confirmed


def _next_url(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


# --- signing in -------------------------------------------------------------------------------


class SignInView(auth_views.LoginView):
    """The password first; someone with an authenticator app then gives its code
    (`login_code`) before they are signed in."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not twofactor.has_two_factor(user):
            return super().form_valid(form)
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "at": time.time(),
        }
        query = urlencode({"next": self.get_redirect_url()}) if self.get_redirect_url() else ""
        return redirect(reverse("accounts:login_code") + (f"?{query}" if query else ""))


def _pending_user(request: HttpRequest):
    """The user owing a second factor: who just gave their password here (for five
    minutes), or who is signed in without one."""
    pending = request.session.get(PENDING_KEY)
    if pending and time.time() - pending["at"] < PENDING_SECONDS:
        user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
        if user is not None:
            user.backend = pending["backend"]
            return user, True
    if request.user.is_authenticated and not request.user.is_verified():
        return request.user, False
    return None, False


@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app, or a recovery code (used up)."""
    user, pending = _pending_user(request)
    if user is None or not twofactor.has_two_factor(user):
        return redirect("login")
    form = CodeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        if pending:
            request.session.pop(PENDING_KEY, None)
            login(request, user, backend=user.backend)
        otp_login(request, form.device)
        if isinstance(form.device, StaticDevice):
            left = twofactor.recovery_codes_left(user)
            messages.warning(
                request,
                f"You signed in with a recovery code; {left} left. "
                "Make new ones from your Account page when you run low.",
            )
        return redirect(_next_url(request, request.POST.get("next")))
    context = {"form": form, "next": request.GET.get("next", request.POST.get("next", ""))}
    return render(request, "accounts/login_code.html", context)


# --- invitations ------------------------------------------------------------------------------


def _invited_user(uidb64: str, token: str):
    User = get_user_model()
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None
    return user if invitation_token_generator.check_token(user, token) else None


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Set a password from the invitation link; the link works once."""
    user = _invited_user(uidb64, token)
    if user is None:
        return render(request, "registration/invitation_invalid.html", status=400)
    form = InvitationPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.accept_invitation(form=form)
        login(request, user, backend="partners.backends.RoleBackend")
        messages.success(request, "Welcome to vcc. Your password is set.")
        return redirect("home")
    return render(request, "registration/accept_invitation.html", {"form": form, "user": user})


# --- password reset and change ----------------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    form_class = emails.OutboxPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever was signed in with the old password is signed out everywhere.
        services.end_other_sessions(user=form.user, keep=None)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change the password: this session stays signed in, every other one ends."""

    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form):
        services.change_password(request=self.request, form=form)
        messages.success(self.request, "Your password is changed. Other sessions are signed out.")
        return redirect(self.get_success_url())


# --- the Account page -------------------------------------------------------------------------


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "sessions": selectors.active_sessions(user, current=request.session.session_key),
        "two_factor": twofactor.has_two_factor(user),
        "two_factor_required": twofactor.requires_2fa(user),
        "recovery_codes_left": twofactor.recovery_codes_left(user),
    }
    return render(request, "accounts/account.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def change_email(request: HttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        new_email = form.cleaned_data["email"]
        services.request_email_change(user=request.user, new_email=new_email)
        messages.success(
            request,
            f"We sent a link to {new_email}. Your email changes when you follow it.",
        )
        return redirect("accounts:account")
    return render(request, "accounts/change_email.html", {"form": form})


@require_http_methods(["GET", "POST"])
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks, POST changes (a mail scanner following the link changes nothing)."""
    data = emails.read_email_change_token(token)
    user = None
    if data is not None:
        user = get_user_model().objects.filter(pk=data["u"], email=data["old"]).first()
    if user is None:
        return render(request, "accounts/email_link_invalid.html", status=400)
    if request.method == "POST":
        try:
            services.confirm_email_change(user=user, new_email=data["new"])
        except services.EmailTaken:
            return render(request, "accounts/email_link_invalid.html", {"taken": True}, status=400)
        messages.success(request, f"Your email is now {data['new']}; sign in with it.")
        return redirect("accounts:account" if request.user.is_authenticated else "login")
    return render(request, "accounts/confirm_email.html", {"new_email": data["new"]})


# --- sessions ---------------------------------------------------------------------------------


@login_required
@require_POST
def end_session(request: HttpRequest, session_id: str) -> HttpResponse:
    """Sign one of your other sessions out (someone else's, or none: 404)."""
    ended = services.end_session(
        user=request.user, session_id=session_id, keep=request.session.session_key
    )
    if not ended:
        raise Http404
    messages.success(request, "That session is signed out.")
    return redirect("accounts:account")


@login_required
@require_POST
def end_other_sessions(request: HttpRequest) -> HttpResponse:
    ended = services.end_other_sessions(user=request.user, keep=request.session.session_key)
    messages.success(
        request,
        f"Signed out of {ended} other session{'s' if ended != 1 else ''}."
        if ended
        else "You were signed in nowhere else.",
    )
    return redirect("accounts:account")


# --- two-factor sign-in -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Scan the QR code, confirm a code; the recovery codes are shown once, on this answer."""
    user = request.user
    if twofactor.has_two_factor(user):
        messages.info(
            request, "Two-factor sign-in is already on. To use a new app, turn it off first."
        )
        return redirect("accounts:account")
    key = request.session.get(SETUP_KEY) or random_hex(20)
    request.session[SETUP_KEY] = key
    device = twofactor.unsaved_device(user, key)
    form = ConfirmDeviceForm(device, request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, codes = services.confirm_totp_device(user=user, key=key, last_t=form.last_t)
        request.session.pop(SETUP_KEY, None)
        otp_login(request, device)
        # Sessions signed in with the password alone end: from now on a sign-in takes a code.
        services.end_other_sessions(user=user, keep=request.session.session_key)
        context = {"codes": codes, "next": _next_url(request, request.POST.get("next"))}
        return render(request, "accounts/recovery_codes.html", context)
    context = {
        "form": form,
        "qr": twofactor.qr_svg(device.config_url),
        "secret": twofactor.base32_secret(key),
        "required": twofactor.requires_2fa(user),
        "next": request.GET.get("next", request.POST.get("next", "")),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@login_required
@require_POST
def new_recovery_codes(request: HttpRequest) -> HttpResponse:
    form = PasswordConfirmForm(request.user, request.POST)
    if not twofactor.has_two_factor(request.user):
        return redirect("accounts:two_factor_setup")
    if not form.is_valid():
        messages.error(request, "That is not your password: your recovery codes are unchanged.")
        return redirect("accounts:account")
    codes = services.new_recovery_codes(user=request.user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "renewed": True})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    if not twofactor.has_two_factor(request.user):
        return redirect("accounts:account")
    form = PasswordConfirmForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.remove_two_factor(user=request.user)
        if twofactor.requires_2fa(request.user):
            messages.success(request, "Your app is removed. Set up the new one now.")
            return redirect("accounts:two_factor_setup")
        messages.success(request, "Two-factor sign-in is off: you sign in with your password.")
        return redirect("accounts:account")
    context = {"form": form, "required": twofactor.requires_2fa(request.user)}
    return render(request, "accounts/two_factor_disable.html", context)
