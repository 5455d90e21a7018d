"""Two-factor sign-in with django-otp: an authenticator app (TOTP) and single-use recovery
codes. Who must have one is decided in one place, `requires_2fa`."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.permissions import is_coordinator


def requires_2fa(user) -> bool:
    """Must this user sign in with a second factor? Coordinators and administrators (who see
    every partner's data in their chains) when VCC_REQUIRE_2FA_FOR_STAFF is on."""
    if not settings.VCC_REQUIRE_2FA_FOR_STAFF or not user.is_authenticated:
        return False
    return bool(user.is_staff or user.is_superuser or is_coordinator(user))


def has_two_factor(user) -> bool:
    """Has the user a confirmed authenticator app? (Recovery codes alone do not count.)"""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def verify_code(user, code: str):
    """The device that accepts `code` (a 6-digit app code, or a recovery code, which is used
    up), or None. Spaces and dashes people type are ignored."""
    code = "".join(code.split()).replace("-", "")
    if not code:
        return None
    with transaction.atomic():  # the devices are locked while a code is checked and used
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if isinstance(device, TOTPDevice) and not code.isdigit():
                continue
            if device.verify_token(code):
                return device
    return None


def recovery_codes_left(user) -> int:
    device = StaticDevice.objects.filter(user=user).first()
    return device.token_set.count() if device else 0


def unsaved_device(user, key: str) -> TOTPDevice:
    """The app the user is setting up (saved only once they confirm a code from it)."""
    return TOTPDevice(user=user, key=key, name="Authenticator app")


def qr_svg(url: str) -> str:
    """The otpauth:// address as an SVG QR code (markup to place in the page; no styles)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg") :].replace(
        "<svg ", '<svg class="qr" role="img" aria-label="QR code to scan" ', 1
    )


def base32_secret(hex_key: str) -> str:
    """The key as authenticator apps take it typed by hand, in groups of four."""
    import base64

    text = base64.b32encode(bytes.fromhex(hex_key)).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
