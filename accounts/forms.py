"""Forms of accounts: what a user types to sign in, recover and keep their account."""

from __future__ import annotations

import time

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordForm
from django_otp.oath import TOTP

from . import twofactor


class InvitationPasswordForm(SetPasswordForm):
    """Set a password from an invitation link."""


class CurrentPasswordMixin:
    """A field for the user's current password, checked against their account."""

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your current password.")
        return password


class EmailChangeForm(CurrentPasswordMixin, forms.Form):
    email = forms.EmailField(
        label="New email address",
        max_length=254,
        help_text="We send a link to this address; your email changes when you follow it.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label="Your current password",
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if email.lower() == (self.user.email or "").lower():
            raise forms.ValidationError("This is already your email address.")
        taken = get_user_model().objects.filter(username__iexact=email)
        if taken.exclude(pk=self.user.pk).exists():
            raise forms.ValidationError("Another account signs in with this address.")
        return email


class CodeForm(forms.Form):
    """A code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The 6-digit code your authenticator app shows, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        self.device = None
        super().__init__(*args, **kwargs)

    def clean_code(self):
        code = self.cleaned_data["code"]
        self.device = twofactor.verify_code(self.user, code)
        if self.device is None:
            raise forms.ValidationError(
                "That code is not right, or was used already. Try the newest code."
            )
        return code


class ConfirmDeviceForm(forms.Form):
    """The first code of the app being set up, proving it was scanned."""

    code = forms.CharField(
        label="Code from the app",
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, device, *args, **kwargs):
        self.device = device  # unsaved: the check below writes nothing
        self.last_t = None
        super().__init__(*args, **kwargs)

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        d = self.device
        totp = TOTP(d.bin_key, d.step, d.t0, d.digits, d.drift)
        totp.time = time.time()
        if code.isdigit() and totp.verify(int(code), d.tolerance):
            self.last_t = totp.t()  # kept on the device: this code cannot be used again
        else:
            raise forms.ValidationError(
                "That code does not match. Check the app shows vcc, and type the current code."
            )
        return code


class PasswordConfirmForm(CurrentPasswordMixin, forms.Form):
    password = forms.CharField(
        label="Your password",
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
