"""Reads of the email capture: the review queue of the chains a user coordinates, a message
with its addresses and attachments, and the attachments a timeline shows."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from partners.models import InteractionKind, Partner, Person, ValueChain
from partners.permissions import coordinated_chains, visible_people

from .models import CapturedAddress, CapturedAttachment, CapturedMessage, CaptureStatus

QUEUE_PAGE = 50


def review_queue(user, chain: ValueChain | None = None) -> QuerySet[CapturedMessage]:
    """The captured messages waiting for review in the chains the user coordinates (one chain
    when given), newest first, with their addresses; a superuser also sees those no chain
    claims (nobody in them is known)."""
    if user.is_superuser and chain is None:
        qs = CapturedMessage.objects.filter(status=CaptureStatus.REVIEW)
    else:
        chains = coordinated_chains(user)
        if chain is not None:
            chains = chains.filter(pk=chain.pk)
        qs = CapturedMessage.objects.filter(
            Exists(
                CapturedMessage.value_chains.through.objects.filter(
                    capturedmessage_id=OuterRef("pk"), valuechain__in=chains
                )
            ),
            status=CaptureStatus.REVIEW,
        )
    return qs.defer("body").prefetch_related(
        Prefetch("addresses", queryset=CapturedAddress.objects.select_related("person"))
    )


def review_counts(user) -> list[tuple[ValueChain, int]]:
    """Each chain the user coordinates with the number of messages waiting in its queue."""
    chains = coordinated_chains(user).annotate(
        waiting=Count("captured_messages", filter=Q(captured_messages__status=CaptureStatus.REVIEW))
    )
    return [(c, c.waiting) for c in chains.order_by("name")]


def message_detail(message: CapturedMessage) -> dict:
    """The message's addresses (with their people's partners) and its attachments (two
    queries)."""
    addresses = list(
        message.addresses.select_related("person").prefetch_related(
            Prefetch("person__affiliations__partner", queryset=Partner.objects.only("id", "name"))
        )
    )
    attachments = list(message.attachments.defer("content"))
    return {"addresses": addresses, "attachments": attachments}


def partners_for_new_person(message: CapturedMessage, user) -> QuerySet[Partner]:
    """The partners a new person from this message may join: those of its chains the user
    coordinates."""
    chains = message.value_chains.all()
    if not user.is_superuser:
        chains = chains.filter(coordinators=user)
    return (
        Partner.objects.filter(participations__value_chain__in=chains)
        .distinct()
        .only("id", "name")
        .order_by("name")
    )


def people_matching(user, query: str) -> QuerySet[Person]:
    """People the user may see whose email or name contains the words of `query`."""
    qs = visible_people(user)
    for word in query.split()[:4]:
        qs = qs.filter(
            Q(email__icontains=word) | Q(first_name__icontains=word) | Q(last_name__icontains=word)
        )
    return qs.order_by("last_name", "first_name", "id")


def attach_captured_attachments(interactions: list) -> None:
    """vcc.hooks.INTERACTION_DETAILS: set `attachments` (and `email_url`) on the captured
    emails of a timeline page; one query, and none when the page has no email."""
    emails = [i for i in interactions if i.kind == InteractionKind.EMAIL]
    for i in interactions:
        i.attachments = []
    if not emails:
        return
    by_interaction: dict[int, list[CapturedAttachment]] = {}
    files = (
        CapturedAttachment.objects.filter(message__interaction_id__in=[i.pk for i in emails])
        .select_related("message")
        .only("id", "filename", "size", "kept", "message__interaction_id")
    )
    for file in files:
        by_interaction.setdefault(file.message.interaction_id, []).append(file)
    for i in emails:
        i.attachments = by_interaction.get(i.pk, [])


def my_day(request, chain_ids) -> dict:
    """My day's section (vcc.hooks.MY_DAY_SECTIONS): the captured email waiting for the
    coordinator's review, newest first; two queries (the rows, and the count)."""
    from django.urls import reverse

    waiting = review_queue(request.user).order_by("-sent_at", "-id")
    rows = list(
        waiting.only("pk", "subject", "sender_name", "sender_address", "sent_at").prefetch_related(
            None
        )[:10]
    )
    return {
        "rows": rows,
        "count": len(rows) if len(rows) < 10 else waiting.count(),
        "see_all": reverse("capture:review"),
        "empty": "No captured email waits for you: mail you forward or copy to the capture "
        "address lands on the timelines, and what it cannot place comes here.",
    }
