"""The demo's captured email: a few messages as if coordinators had BCC'd the capture mailbox,
filed by capture.services like real ones (one on a timeline with attachments, three waiting
for review). Safe to run again: each has a fixed Message-ID."""

from __future__ import annotations

import base64
import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from capture.services import capture_message
from partners.models import Person

# A one-pixel PNG and a minimal PDF: attachments a browser can open.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def _mail(key, sender, to, subject, body, days_ago, attachments=()) -> bytes:
    message = EmailMessage()
    message["Message-ID"] = f"<demo-{key}@demo.vcc>"
    message["Date"] = format_datetime(timezone.now() - datetime.timedelta(days=days_ago))
    message["From"] = f"{sender[0]} <{sender[1]}>"
    message["To"] = ", ".join(f"{name} <{address}>" for name, address in to)
    message["Subject"] = subject
    message.set_content(body)
    for filename, maintype, subtype, content in attachments:
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def capture_demo_mail() -> int:
    """File the demo messages not yet captured; return how many were new."""
    user = get_user_model().objects.filter(username="coordinator@demo.vcc").first()
    if user is None:
        return 0
    coordinator = (user.get_full_name() or user.username, user.email or user.username)
    people = list(
        Person.objects.filter(affiliations__partner__name="Riverbend Family Farm")
        .exclude(email="")
        .order_by("id")[:2]
    )
    buyer = (
        Person.objects.filter(
            affiliations__partner__participations__value_chain__name__contains="Food"
        )
        .exclude(affiliations__partner__name="Riverbend Family Farm")
        .exclude(email="")
        .order_by("id")
        .first()
    )
    if len(people) < 2 or buyer is None:
        return 0
    grower, partner_user = people[0], people[-1]
    messages = [
        _mail(
            "trial-order",
            coordinator,
            [(grower.full_name, grower.email), (buyer.full_name, buyer.email)],
            "Trial order: butternut for the school kitchens",
            f"Hi {grower.first_name},\n\n{buyer.first_name} would like a trial order of 400 kg "
            "of butternut for the school kitchens in March. The price list and a photo of "
            "the packhouse are attached; can you confirm the grade and the delivery day?\n\n"
            f"{coordinator[0].split()[0]}",
            3,
            [
                ("Price list 2027.pdf", "application", "pdf", PDF),
                ("Packhouse loading bay.png", "image", "png", PNG),
            ],
        ),
        _mail(
            "hospital",
            coordinator,
            [
                ("Nomvula Sithole", "procurement@valleyhospital.example"),
                (grower.full_name, grower.email),
            ],
            "Hospital kitchen: weekly produce",
            "Nomvula, meet the growers of the Valley Fresh chain. They can quote for the weekly "
            "produce from April.",
            1,
        ),
        _mail(
            "cold-room",
            (partner_user.full_name, partner_user.email),
            [coordinator],
            "Our new cold room is ready",
            "The cold room holds 12 pallets at 4 °C. We can take the extra volume now.",
            0,
        ),
        _mail(
            "fair",
            coordinator,
            [("Trade fair office", "stands@harvestfair.example")],
            "Fwd: Stand booking for the Harvest Fair",
            "Logging this for the chain.\n\n---------- Forwarded message ---------\n"
            "From: Harvest Fair <stands@harvestfair.example>\nDate: Mon, 30 Nov 2026 at 10:00\n"
            f"Subject: Stand booking for the Harvest Fair\nTo: {coordinator[0]} "
            f"<{coordinator[1]}>\n\nA shared stand for the Valley Fresh chain is held until "
            "Friday.",
            0,
        ),
    ]
    new = 0
    for raw in messages:
        new += capture_message(raw, mailbox_address="log@demo.vcc")
    return new
