"""What the accounts tests share: links out of outbox messages, TOTP codes from a key."""

from __future__ import annotations

import re
import time
from binascii import unhexlify

from django_otp.oath import TOTP

from outbox.models import Message

PASSWORD = "pass-2026-word"  # tests.factories.UserFactory's


def link_of(message: Message) -> str:
    """The path of the vcc link in an outbox message's plain text."""
    url = re.search(r"http://127\.0\.0\.1:8000(/\S+/)", message.body_text)
    return url.group(1)


def totp_code(hex_key: str, *, steps_ahead: int = 0) -> str:
    totp = TOTP(unhexlify(hex_key))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"
