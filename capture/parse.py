"""Reading one email as vcc needs it: who it was with (the original sender and recipients of a
forwarded message), its subject, date, text body (HTML-only mail turned into text), its
attachments, and an iTIP REPLY (text/calendar METHOD:REPLY) when it carries one.

Mail is messy: a header that does not parse, a charset Python does not know or a part that
lies about its charset is read as best it can be (undecodable bytes replaced), never refused.
"""

from __future__ import annotations

import datetime
import email
import hashlib
import re
from dataclasses import dataclass, field
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser

from django.utils import timezone

FORWARD_SUBJECT = re.compile(r"^\s*((fwd?|fw|wg|tr|rv)\s*:\s*)+", re.IGNORECASE)
# The lines that open an inline forward in Gmail, Outlook and Apple Mail (and Thunderbird).
FORWARD_MARKERS = re.compile(
    r"^\s*(-{5,}\s*forwarded message\s*-{5,}|-{3,}\s*original message\s*-{3,}|begin forwarded "
    r"message:|-{5,}\s*weitergeleitete nachricht\s*-{5,}|_{20,})\s*$",
    re.IGNORECASE | re.MULTILINE,
)
ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(\.[\w-]+)+")
ENCODED_WORD = re.compile(r"=\?[^?]+\?[bBqQ]\?")
FORWARDED_PHRASE = re.compile(r"forwarded message|weitergeleitete nachricht", re.IGNORECASE)
FORWARD_HEADER = re.compile(r"^\s*\**(from|to|cc|date|sent|subject)\**\s*:\s*(.*)$", re.IGNORECASE)


@dataclass
class Attachment:
    filename: str
    content_type: str
    content: bytes


@dataclass
class CalendarReply:
    uid: str
    attendee: str
    partstat: str


@dataclass
class ParsedEmail:
    message_id: str
    subject: str
    sent_at: datetime.datetime
    sender: tuple[str, str]  # (name, address) of who sent it to the mailbox
    # (role, name, address) of the people it was with: the original ones when forwarded.
    addresses: list[tuple[str, str, str]] = field(default_factory=list)
    body: str = ""
    forwarded: bool = False
    attachments: list[Attachment] = field(default_factory=list)
    calendar_reply: CalendarReply | None = None


def parse_email(raw: bytes) -> ParsedEmail:
    """Read the raw message (RFC 5322 bytes) into what capture keeps."""
    # compat32, the parser's legacy policy: several times faster than policy.default, whose
    # header objects cost more than everything else here; headers are decoded by _header.
    message = email.message_from_bytes(raw)
    sender = _first_address(_header(message, "From"))
    subject = _clean(_header(message, "Subject"))
    parsed = ParsedEmail(
        message_id=_message_id(message, raw),
        subject=subject,
        sent_at=_date(_header(message, "Date")),
        sender=sender,
    )
    body, attachments, embedded, calendar = _walk(message)
    parsed.attachments = attachments
    parsed.calendar_reply = calendar
    addresses = _addresses(message)
    if embedded is not None:  # forwarded as an attachment (message/rfc822)
        parsed.forwarded = True
        inner_body, inner_attachments, _, _ = _walk(embedded)
        parsed.attachments += inner_attachments
        parsed.addresses = _addresses(embedded)
        parsed.subject = _clean(_header(embedded, "Subject")) or _strip_forward(subject)
        parsed.sent_at = _date(_header(embedded, "Date"), parsed.sent_at)
        parsed.body = _join(body, inner_body)
        return parsed
    # A quoted "Original Message" is a reply's history unless the subject says it is forwarded.
    looks_forwarded = FORWARD_SUBJECT.match(subject) or FORWARDED_PHRASE.search(body)
    inline = _inline_forward(body) if looks_forwarded else None
    if inline is not None:
        parsed.forwarded = True
        parsed.addresses, inner_subject, inner_date = inline
        parsed.subject = inner_subject or _strip_forward(subject)
        parsed.sent_at = _date(inner_date, parsed.sent_at)
    else:
        parsed.addresses = addresses
    parsed.body = body
    return parsed


# --- headers ----------------------------------------------------------------------------------


def _header(message: Message, name: str) -> str:
    """A header as text: encoded words (RFC 2047) decoded, raw 8-bit bytes read as UTF-8 or
    else windows-1252; whatever does not decode is replaced, never refused."""
    value = message.get(name)
    if value is None:
        return ""
    return _decode(value)


def _bytes_text(data: bytes, charset: str | None) -> str:
    charset = (charset or "").lower()
    if charset in {"", "unknown-8bit", "us-ascii", "ascii"}:  # unlabelled: UTF-8 if it is
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("cp1252", errors="replace")
    if charset in {"iso-8859-1", "latin-1", "latin1"}:  # as browsers read it (WHATWG)
        return data.decode("cp1252", errors="replace")
    try:
        return data.decode(charset, errors="replace")
    except LookupError:
        return data.decode("cp1252", errors="replace")


def _decode(value) -> str:
    if isinstance(value, str) and not ENCODED_WORD.search(value):
        if any("\udc80" <= ch <= "\udcff" for ch in value):  # raw 8-bit, surrogate-escaped
            return _bytes_text(value.encode("ascii", "surrogateescape"), None)
        return value
    try:
        parts = decode_header(value)
    except Exception:  # a malformed encoded word
        return str(value)
    return "".join(
        _bytes_text(part, charset) if isinstance(part, bytes) else part for part, charset in parts
    )


C1 = re.compile("[\x80-\x9f]")


def _clean(text: str) -> str:
    """One line of header text; C1 controls (windows-1252 labelled ISO-8859-1) as cp1252."""
    text = C1.sub(lambda m: bytes([ord(m.group())]).decode("cp1252", errors="replace"), text)
    return " ".join(text.replace("\x00", "").split())[:200]


def _first_address(value: str) -> tuple[str, str]:
    name, address = parseaddr(value)
    return _clean(name), address.strip().lower()


def _address_list(role: str, value: str) -> list[tuple[str, str, str]]:
    found = []
    for name, address in getaddresses([value]):
        address = address.strip().lower()
        if not ADDRESS.fullmatch(address):  # a broken header: the address inside it, if any
            found_in = ADDRESS.search(address) or ADDRESS.search(name.lower())
            address = found_in.group() if found_in else ""
        if address and len(address) <= 320:
            found.append((role, _clean(name), address))
    return found


def _addresses(message: Message) -> list[tuple[str, str, str]]:
    found = _address_list("from", _header(message, "From"))[:1]
    found += _address_list("to", _header(message, "To"))
    found += _address_list("cc", _header(message, "Cc"))
    return _unique(found)


def _unique(addresses: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    seen, kept = set(), []
    for role, name, address in addresses:
        if address not in seen:
            seen.add(address)
            kept.append((role, name, address))
    return kept


def _message_id(message: Message, raw: bytes) -> str:
    """The Message-ID; without one, a hash of the headers that identify the message (the same
    message read twice hashes the same)."""
    value = _header(message, "Message-ID").strip()
    if value:
        return value[:500]
    head = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[0]
    keep = [
        line
        for line in re.split(rb"\r?\n(?![ \t])", head)
        if line.split(b":", 1)[0].strip().lower() in {b"from", b"to", b"cc", b"date", b"subject"}
    ]
    digest = hashlib.sha256(b"\n".join(keep) + b"\n" + raw[len(head) :]).hexdigest()
    return f"hash:{digest}"


def _date(value: str, default: datetime.datetime | None = None) -> datetime.datetime:
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return default or timezone.now()
    if when is None:
        return default or timezone.now()
    if timezone.is_naive(when):
        when = timezone.make_aware(when, datetime.UTC)
    return when


def _strip_forward(subject: str) -> str:
    return FORWARD_SUBJECT.sub("", subject).strip()


# --- parts --------------------------------------------------------------------------------------


def _text(part: Message) -> str:
    """A text part's content in its charset; an unknown charset or bad bytes are replaced."""
    payload = part.get_payload(decode=True) or b""
    charset = (part.get_content_charset() or "utf-8").lower()
    # As browsers do (WHATWG), Latin-1 and ASCII labels are read as windows-1252: mail
    # clients label it so and use its quotes and dashes.
    if charset in {"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"}:
        charset = "cp1252"
    try:
        text = payload.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know: UTF-8 if it is, else cp1252
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError:
            text = payload.decode("cp1252", errors="replace")
    # PostgreSQL text holds no NUL character; mail sometimes does.
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def _walk(message: Message):
    """(text body, attachments, an embedded forwarded message, an iTIP reply) of a message."""
    plain, html, attachments = [], [], []
    embedded, calendar = None, None
    for part in _leaves(message):
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message) and embedded is None:
                embedded = inner
            continue
        try:
            filename = part.get_filename()
            filename = _decode(filename) if filename else None
        except Exception:
            filename = None
        disposition = (part.get_content_disposition() or "").lower()
        if ctype == "text/calendar":
            reply = _calendar_reply(_text(part))
            if reply is not None:
                calendar = reply
                continue
        if disposition == "attachment" or (filename and ctype not in {"text/plain", "text/html"}):
            content = part.get_payload(decode=True) or b""
            attachments.append(
                Attachment(_clean(filename or "attachment")[:255] or "attachment", ctype, content)
            )
        elif ctype == "text/plain":
            plain.append(_text(part))
        elif ctype == "text/html":
            html.append(_text(part))
    body = "\n\n".join(p.strip() for p in plain) if plain else "\n\n".join(map(html_to_text, html))
    return body.strip(), attachments, embedded, calendar


def _leaves(message: Message):
    """The message's parts that are not containers; an attached message (message/rfc822) is
    one part, not walked into."""
    if message.get_content_type() == "message/rfc822" or not message.is_multipart():
        yield message
        return
    for part in message.get_payload():
        yield from _leaves(part)


def _join(note: str, original: str) -> str:
    return f"{note}\n\n{original}".strip() if note else original


def _inline_forward(body: str):
    """The original From, To, Cc, Subject and Date of a forward quoted in the body (Gmail's
    "---------- Forwarded message ---------", Outlook's "From: ... Sent: ..." block, Apple's
    "Begin forwarded message:"), or None."""
    match = FORWARD_MARKERS.search(body)
    if match is None:
        return None
    fields: dict[str, str] = {}
    last = None
    for line in body[match.end() :].lstrip("\r\n").splitlines():
        if not line.strip():
            if fields:
                break
            continue
        header = FORWARD_HEADER.match(line)
        if header:
            last = header.group(1).lower()
            fields.setdefault(last, header.group(2).strip())
        elif last in {"to", "cc"} and line[:1].isspace():  # a folded recipient list
            fields[last] += " " + line.strip()
        elif fields:
            break
    if "from" not in fields:
        return None
    # Outlook writes "To: Name; Other <addr>": semicolons separate the recipients.
    addresses = _address_list("from", fields["from"].replace(";", ","))[:1]
    addresses += _address_list("to", fields.get("to", "").replace(";", ","))
    addresses += _address_list("cc", fields.get("cc", "").replace(";", ","))
    return (
        _unique(addresses),
        _clean(fields.get("subject", "")),
        fields.get("date") or fields.get("sent", ""),
    )


# --- HTML to text ------------------------------------------------------------------------------

CONTENT_LINE = re.compile(r'^((?:[^:"]|"[^"]*")*):(.*)$')
PARAMS = re.compile(r'(?:[^;"]|"[^"]*")+')

BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table"}


class _TextOf(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style", "head", "title"}:
            self.skip += 1
        elif tag in BLOCKS:
            self.out.append("\n")
        if tag == "li":
            self.out.append("- ")

    def handle_endtag(self, tag):
        if tag in {"script", "style", "head", "title"}:
            self.skip = max(0, self.skip - 1)
        elif tag in BLOCKS:
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """The readable text of an HTML email: paragraphs and line breaks kept, scripts, styles
    and tags dropped."""
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in "".join(parser.out).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- iTIP ---------------------------------------------------------------------------------------


def _calendar_reply(text: str) -> CalendarReply | None:
    """METHOD:REPLY's UID and its (first) ATTENDEE with PARTSTAT, from an iCalendar text
    (RFC 5545: unfolded lines, parameters before the value, case-insensitive names)."""
    lines = re.sub(r"\r?\n[ \t]", "", text).splitlines()
    method = uid = attendee = partstat = None
    for line in lines:
        # NAME;PARAM=VALUE;PARAM="quoted; or: not":value (a quoted parameter may hold ; and :)
        match = CONTENT_LINE.match(line)
        if match is None:
            continue
        key, *params = PARAMS.findall(match.group(1))
        value = match.group(2)
        key = key.strip().upper()
        if key == "METHOD":
            method = value.strip().upper()
        elif key == "UID" and uid is None:
            uid = value.strip()
        elif key == "ATTENDEE" and attendee is None:
            attendee = re.sub(r"^mailto:", "", value.strip(), flags=re.IGNORECASE).lower()
            for param in params:
                pname, _, pvalue = param.partition("=")
                if pname.strip().upper() == "PARTSTAT":
                    partstat = pvalue.strip().strip('"').upper()
    if method != "REPLY" or not uid or not attendee:
        return None
    return CalendarReply(uid=uid, attendee=attendee, partstat=partstat or "NEEDS-ACTION")
