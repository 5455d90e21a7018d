"""iCalendar (RFC 5545, iTIP RFC 5546) with the icalendar library: one VEVENT per convening,
a stable UID and a growing SEQUENCE so that an update (or a cancellation) replaces the event
in the invitee's calendar. The same builder writes the invitations (METHOD:REQUEST), the
cancellations (METHOD:CANCEL), a convening's download (PUBLISH) and the personal feed.

Times are written in UTC (DTSTART/DTEND with a Z), which every calendar app shows in its
own zone; the convening's own zone is named in X-VCC-TIME-ZONE for the curious.

Whom an event lists as ATTENDEE is the caller's choice, and a matter of privacy: vcc shows
a convening's invitee list only to those who run it, so an invitee's own invitation, reminder,
cancellation and feed list the organiser and that invitee alone (their PARTSTAT, RSVP=TRUE:
what their calendar app needs to answer), while the organiser's download lists everyone.
A convening given must have `working_group__lead` and `created_by` selected, or its
ORGANIZER costs a query or two.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

import icalendar
from django.conf import settings

from .models import Convening, Invitee, Rsvp

PRODID = "-//vcc//Convenings//EN"

PARTSTAT = {
    Rsvp.PENDING: "NEEDS-ACTION",
    Rsvp.YES: "ACCEPTED",
    Rsvp.NO: "DECLINED",
    Rsvp.MAYBE: "TENTATIVE",
}


def organizer(convening: Convening) -> icalendar.vCalAddress | None:
    """ORGANIZER: the organiser's name; their address, or vcc's capture mailbox when one is
    configured (VCC_CAPTURE_ADDRESS), so that calendar apps' replies come back to vcc."""
    who = convening.organiser
    if who is None:
        return None
    name, email = who
    address = getattr(settings, "VCC_CAPTURE_ADDRESS", "") or email
    return icalendar.vCalAddress(f"mailto:{address}", params={"CN": name})


def attendee(invitee) -> icalendar.vCalAddress:
    return icalendar.vCalAddress(
        f"mailto:{invitee.person.email}",
        params={
            "CN": invitee.person.full_name,
            "ROLE": "REQ-PARTICIPANT",
            "PARTSTAT": PARTSTAT.get(invitee.rsvp, "NEEDS-ACTION"),
            "RSVP": "TRUE",
        },
    )


def vevent(convening: Convening, invitees: Iterable[Invitee] = ()) -> icalendar.Event:
    """The convening's VEVENT, with one ATTENDEE for each of `invitees` who has an email."""
    event = icalendar.Event()
    event.add("uid", f"{convening.uid}@vcc")
    event.add("sequence", convening.sequence)
    event.add("dtstamp", datetime.datetime.now(datetime.UTC).replace(microsecond=0))
    event.add("dtstart", convening.starts_at.astimezone(datetime.UTC))
    event.add("dtend", convening.ends_at.astimezone(datetime.UTC))
    event.add("summary", convening.title)
    if convening.agenda:
        event.add("description", convening.agenda)
    event.add("location", convening.place or convening.online_link)
    event.add("url", f"{settings.SITE_URL}{convening.get_absolute_url()}")
    event.add("status", "CANCELLED" if convening.is_cancelled else "CONFIRMED")
    event.add("x-vcc-time-zone", convening.time_zone)
    who = organizer(convening)
    if who is not None:
        event.add("organizer", who)
    for invitee in invitees:
        if invitee.person.email:
            event.add("attendee", attendee(invitee))
    return event


def calendar(
    events: Iterable[icalendar.Event], *, method: str | None = "REQUEST", name: str = ""
) -> str:
    """The VCALENDAR text (CRLF lines, folded at 75 octets) of these events."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    for event in events:
        cal.add_component(event)
    return cal.to_ical().decode()


def method_of(convening: Convening) -> str:
    return "CANCEL" if convening.is_cancelled else "REQUEST"


def attachment(convening: Convening, invitee: Invitee) -> dict:
    """The .ics an invitation, update, reminder or cancellation to `invitee` carries:
    REQUEST, or CANCEL once the convening is cancelled."""
    method = method_of(convening)
    return {
        "filename": "cancel.ics" if method == "CANCEL" else "invite.ics",
        "content": calendar([vevent(convening, [invitee])], method=method),
        # (Django's text attachment adds charset="utf-8" itself: once, not twice.)
        "mimetype": f"text/calendar; method={method}",
    }


def feed(invitations: Iterable[Invitee], *, name: str) -> str:
    """A person's calendar feed: each convening they are invited to, cancelled ones marked
    STATUS:CANCELLED, with their own ATTENDEE (select `convening__working_group__lead`,
    `convening__created_by` and `person`)."""
    return calendar([vevent(i.convening, [i]) for i in invitations], method=None, name=name)
