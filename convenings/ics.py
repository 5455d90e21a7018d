"""iCalendar (RFC 5545) by hand: one VEVENT per convening, a stable UID and a growing SEQUENCE
so that an update replaces the event in the invitee's calendar."""

from __future__ import annotations

import datetime

from django.conf import settings

PRODID = "-//vcc//Convenings//EN"


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded (RFC 5545 §3.1)."""
    raw = line.encode()
    if len(raw) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def vevent(convening, *, cancelled: bool = False) -> list[str]:
    where = convening.place or convening.online_link
    lines = [
        "BEGIN:VEVENT",
        f"UID:{convening.uid}@vcc",
        f"SEQUENCE:{convening.sequence}",
        f"DTSTAMP:{_utc(convening.updated_at or datetime.datetime.now(datetime.UTC))}",
        f"DTSTART:{_utc(convening.starts_at)}",
        f"DTEND:{_utc(convening.ends_at)}",
        f"SUMMARY:{_escape(convening.title)}",
        f"DESCRIPTION:{_escape(convening.agenda)}",
        f"LOCATION:{_escape(where)}",
        f"URL:{settings.SITE_URL}{convening.get_absolute_url()}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "END:VEVENT",
    ]
    return lines


def calendar(convenings, *, method: str | None = "REQUEST", name: str = "") -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    if method:
        lines.append(f"METHOD:{method}")
    if name:
        lines.append(f"X-WR-CALNAME:{_escape(name)}")
    for convening in convenings:
        lines += vevent(convening)
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def attachment(convening) -> dict:
    return {
        "filename": "invite.ics",
        "content": calendar([convening]),
        # (Django's text attachment adds charset="utf-8" itself: once, not twice.)
        "mimetype": "text/calendar; method=REQUEST",
    }
