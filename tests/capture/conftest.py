"""A mailbox of its own for each test, in the test IMAP server (.ci/services.sh starts a
private Dovecot and prints VCC_TEST_IMAP_URL), and the messages delivered into it with APPEND."""

from __future__ import annotations

import base64
import imaplib
import os
import re
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from capture.mailbox import Mailbox, parse_url
from tests.conftest import require

MAIL = Path(__file__).parent / "mail"


class ImapFolder:
    def __init__(self, url: str):
        self.url = url
        self.config = parse_url(url)

    def append(self, raw: bytes | str) -> None:
        if isinstance(raw, str):
            raw = raw.replace("\r\n", "\n").replace("\n", "\r\n").encode()
        with Mailbox(self.config) as mailbox:
            mailbox.append(raw)

    def append_many(self, messages: list[bytes]) -> None:
        with Mailbox(self.config) as mailbox:
            for raw in messages:
                mailbox.append(raw)

    def captured_flags(self) -> int:
        """How many messages carry the captured mark."""
        with Mailbox(self.config) as mailbox:
            status, data = mailbox.imap.uid("SEARCH", "KEYWORD", "$VccCaptured")
            return len((data[0] or b"").split())


def imap_url_or_skip() -> str:
    url = os.environ.get("VCC_TEST_IMAP_URL", "")
    require(url.startswith("imap"), "the test IMAP server (VCC_TEST_IMAP_URL)")
    return url


@pytest.fixture
def imap(settings):
    """A fresh folder in the test IMAP server, configured as the capture mailbox."""
    base = imap_url_or_skip()
    config = parse_url(base)
    folder = f"test-{uuid.uuid4().hex[:12]}"
    conn = imaplib.IMAP4(config.host, config.port, timeout=30)
    conn.login(config.user, config.password)
    assert conn.create(folder)[0] == "OK"
    parts = urlsplit(base)
    url = urlunsplit(parts._replace(path=f"/{folder}"))
    settings.VCC_CAPTURE_IMAP_URL = url
    settings.VCC_CAPTURE_ADDRESS = "log@vcc.test"
    try:
        yield ImapFolder(url)
    finally:
        conn.delete(folder)
        conn.logout()


def _filled(name: str, values: dict[str, str]) -> bytes:
    text = (MAIL / name).read_bytes()
    for key, value in values.items():
        text = text.replace(("{" + key + "}").encode(), value.encode())
    return text.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def fixture_mail(name: str, **values: str) -> bytes:
    """A message of tests/capture/mail, its {placeholders} filled, with CRLF line ends;
    {base64:NAME} is the file NAME (filled too) in base64, as mail clients attach it."""
    text = _filled(name, values)
    for match in re.finditer(rb"\{file:([\w.-]+)\}", text):
        text = text.replace(match.group(0), _filled(match.group(1).decode(), values))
    for match in re.finditer(rb"\{base64:([\w.-]+)\}", text):
        encoded = base64.encodebytes(_filled(match.group(1).decode(), values))
        text = text.replace(match.group(0), encoded.rstrip().replace(b"\n", b"\r\n"))
    return text
