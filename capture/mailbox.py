"""The capture mailbox over IMAP (stdlib imaplib: UID SEARCH, FETCH and STORE are all the
poller needs, and it adds no dependency). Messages are read with BODY.PEEK[] (never marked
\\Seen, so a person reading the mailbox in a mail client changes nothing), and marked with the
keyword $VccCaptured only after their capture has committed: a poller killed in between reads
them again, and the unique Message-ID makes that a no-op."""

from __future__ import annotations

import imaplib
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

CAPTURED_FLAG = "$VccCaptured"
FETCH_CHUNK = 50
TIMEOUT = 60


@dataclass(frozen=True)
class MailboxConfig:
    secure: bool
    host: str
    port: int
    user: str
    password: str
    folder: str

    @property
    def key(self) -> str:
        """The mailbox's name in MailboxState: its URL without the password."""
        scheme = "imaps" if self.secure else "imap"
        return f"{scheme}://{self.user}@{self.host}:{self.port}/{self.folder}"[:500]

    @property
    def address(self) -> str:
        """The mailbox's own address: VCC_CAPTURE_ADDRESS, else the user when it has an @."""
        configured = getattr(settings, "VCC_CAPTURE_ADDRESS", "")
        if configured:
            return configured.strip().lower()
        return self.user.lower() if "@" in self.user else ""


def parse_url(url: str) -> MailboxConfig:
    """imaps://user:password@host[:port]/FOLDER (imap:// for plain IMAP); the user and
    password percent-encoded (log%40example.org)."""
    parts = urlsplit(url)
    if parts.scheme not in {"imap", "imaps"} or not parts.hostname:
        raise ImproperlyConfigured(
            "VCC_CAPTURE_IMAP_URL must look like imaps://user:password@host/INBOX"
        )
    secure = parts.scheme == "imaps"
    return MailboxConfig(
        secure=secure,
        host=parts.hostname,
        port=parts.port or (993 if secure else 143),
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
    )


def configured() -> MailboxConfig | None:
    url = getattr(settings, "VCC_CAPTURE_IMAP_URL", "")
    return parse_url(url) if url else None


class Mailbox:
    """One IMAP session on the capture folder."""

    def __init__(self, config: MailboxConfig):
        self.config = config
        if config.secure:
            self.imap = imaplib.IMAP4_SSL(
                config.host, config.port, ssl_context=ssl.create_default_context(), timeout=TIMEOUT
            )
        else:
            self.imap = imaplib.IMAP4(config.host, config.port, timeout=TIMEOUT)
        self.imap.login(config.user, config.password)
        status, data = self.imap.select(_quote(config.folder))
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot open {config.folder}: {data!r}")
        validity = self.imap.response("UIDVALIDITY")[1]
        self.uidvalidity = int(validity[0]) if validity and validity[0] else 0

    def __enter__(self) -> Mailbox:
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.imap.logout()
        except (OSError, imaplib.IMAP4.error):
            pass

    def uncaptured_uids(self) -> list[int]:
        """UIDs not yet marked captured, oldest first."""
        status, data = self.imap.uid("SEARCH", "NOT", "KEYWORD", CAPTURED_FLAG)
        if status != "OK":
            raise imaplib.IMAP4.error(f"SEARCH failed: {data!r}")
        return sorted(int(uid) for uid in (data[0] or b"").split())

    def fetch(self, uids: list[int]) -> Iterator[tuple[int, bytes]]:
        """(UID, raw message) of each, in chunks (one round trip per chunk)."""
        for start in range(0, len(uids), FETCH_CHUNK):
            chunk = uids[start : start + FETCH_CHUNK]
            status, data = self.imap.uid("FETCH", ",".join(map(str, chunk)), "(UID BODY.PEEK[])")
            if status != "OK":
                raise imaplib.IMAP4.error(f"FETCH failed: {data!r}")
            for item in data:
                if isinstance(item, tuple):
                    match = re.search(rb"UID (\d+)", item[0])
                    if match:
                        yield int(match.group(1)), item[1]

    def mark_captured(self, uids: list[int]) -> None:
        for start in range(0, len(uids), 500):
            chunk = ",".join(map(str, uids[start : start + 500]))
            self.imap.uid("STORE", chunk, "+FLAGS.SILENT", f"({CAPTURED_FLAG})")

    def append(self, raw: bytes) -> None:
        """Deliver a message into the folder (tests and the benchmark)."""
        status, data = self.imap.append(_quote(self.config.folder), None, None, raw)
        if status != "OK":
            raise imaplib.IMAP4.error(f"APPEND failed: {data!r}")


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
