"""matchmaking's side of the hooks of the apps below it (vcc.hooks), connected in apps.py."""

from __future__ import annotations

from django.db import transaction

from .models import Suggestion
from .network import refresh_pair_strengths


def interactions_logged(sender, *, partner_ids: list[int], **kwargs) -> None:
    """Joint interactions strengthen the relationships among the partners in them."""
    refresh_pair_strengths(partner_ids)


def listing_changed(sender, *, listing_id: int, product_id: int, removed: bool, **kwargs) -> None:
    """A saved or removed offer or need recomputes the suggestions it touches, in a Celery task
    queued once the change is committed. A removed offer's suggestions go with it: the needs
    they were for are noted first, and the task refills them."""
    from partners.models import Offer

    from .tasks import recompute_listing

    kind = "offer" if sender is Offer else "need"
    need_ids = None
    if removed and kind == "offer":
        need_ids = sorted(
            set(Suggestion.objects.filter(offer_id=listing_id).values_list("need_id", flat=True))
        )
    transaction.on_commit(lambda: recompute_listing.delay(kind, listing_id, product_id, need_ids))


def listings_added(sender, *, listing_ids: list[int], **kwargs) -> None:
    """Listings written in bulk (an import): their suggestions, in one task after the commit."""
    from partners.models import Offer

    from .tasks import recompute_added_listings

    kind = "offer" if sender is Offer else "need"
    ids = list(listing_ids)
    transaction.on_commit(lambda: recompute_added_listings.delay(kind, ids))


def commitment_kept(
    sender, *, commitment_id: int, partner_id: int, toward_id: int, **kwargs
) -> None:
    """A kept commitment of one partner toward another makes (or strengthens) a relationship
    between them, of origin "commitment"."""
    from django.urls import reverse

    from partners.models import RelationshipKind, RelationshipOrigin

    from .services import derive_relationship

    derive_relationship(
        source_id=partner_id,
        target_id=toward_id,
        kind=RelationshipKind.PEER,
        origin=RelationshipOrigin.COMMITMENT,
        origin_url=reverse("partners:detail", args=[partner_id]) + f"#commitment-{commitment_id}",
    )
