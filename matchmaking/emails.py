"""What matchmaking sends, as outbox rows: "how did the introduction go?" to both sides of a
new introduction, with signed one-click answers that move it along (matchmaking.views'
introduction_answer). Runs in the caller's transaction; outbox.services.schedule is
idempotent on its key."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from outbox.models import Kind
from outbox.services import reply_to_header, schedule, user_address

ANSWER_SALT = "matchmaking.introduction-answer"
# A link in an email works this long after the follow-up is due.
LINK_MAX_AGE = datetime.timedelta(days=90)

INTRODUCTION_ANSWERS = {
    "talking": "We are talking",
    "trading": "We are trading",
    "declined": "Not a fit",
}


def _url(path: str) -> str:
    return settings.SITE_URL + path


def answer_token(introduction, partner_id: int, answer: str) -> str:
    return signing.dumps({"i": introduction.pk, "p": partner_id, "a": answer}, salt=ANSWER_SALT)


def read_answer_token(token: str, max_age: datetime.timedelta) -> tuple[int, int, str] | None:
    try:
        data = signing.loads(token, salt=ANSWER_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    if data.get("a") not in INTRODUCTION_ANSWERS:
        return None
    return data["i"], data["p"], data["a"]


def answer_max_age() -> datetime.timedelta:
    """How long an answer link works: until LINK_MAX_AGE after the follow-up was due."""
    return datetime.timedelta(days=settings.VCC_INTRODUCTION_FOLLOWUP_DAYS) + LINK_MAX_AGE


def introduction_followup(introduction) -> None:
    """'How did the introduction go?' to both sides, VCC_INTRODUCTION_FOLLOWUP_DAYS later;
    an answer by reply reaches the coordinator who made the introduction."""
    reply_to = reply_to_header(user_address(introduction.created_by))
    days = settings.VCC_INTRODUCTION_FOLLOWUP_DAYS
    due_at = timezone.now() + datetime.timedelta(days=days)
    for person, partner, other in (
        (introduction.person_a, introduction.partner_a, introduction.partner_b),
        (introduction.person_b, introduction.partner_b, introduction.partner_a),
    ):
        if person is None:
            continue
        answers = [
            (
                label,
                _url(
                    reverse(
                        "matchmaking:introduction_answer",
                        args=[answer_token(introduction, partner.pk, value)],
                    )
                ),
            )
            for value, label in INTRODUCTION_ANSWERS.items()
        ]
        schedule(
            key=f"introduction:{introduction.pk}:followup:{partner.pk}",
            kind=Kind.INTRODUCTION,
            subject=f"How did the introduction to {other.name} go?",
            template="matchmaking/email/introduction",
            context={"introduction": introduction, "other": other, "answers": answers},
            due_at=due_at,
            person=person,
            reply_to=reply_to,
            value_chain=introduction.value_chain,
            about=introduction,
        )
