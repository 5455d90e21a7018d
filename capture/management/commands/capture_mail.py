"""Read the capture mailbox now (what beat's capture.tasks.poll_mailbox does every minute)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from capture import mailbox, services


class Command(BaseCommand):
    help = "Capture the new messages of the mailbox in VCC_CAPTURE_IMAP_URL (or --url)."

    def add_arguments(self, parser):
        parser.add_argument("--url", help="An IMAP URL instead of VCC_CAPTURE_IMAP_URL.")
        parser.add_argument("--limit", type=int, help="Read at most this many messages.")

    def handle(self, *args, url=None, limit=None, **options):
        config = mailbox.parse_url(url) if url else mailbox.configured()
        if config is None:
            raise CommandError("VCC_CAPTURE_IMAP_URL is not set (and no --url given).")
        result = services.poll_mailbox(config, limit=limit)
        self.stdout.write(
            json.dumps(
                {
                    "seen": result.seen,
                    "captured": result.captured,
                    "duplicates": result.duplicates,
                    "seconds": round(result.seconds, 3),
                }
            )
        )
