"""Celery tasks of matchmaking: take ids, load fresh rows, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from partners.models import Need, Offer

from . import suggestions
from .models import RecomputeRun, RecomputeStatus


@shared_task
def recompute_listing(
    kind: str, listing_id: int, product_id: int, need_ids: list[int] | None = None
) -> int:
    """After one offer or need ("offer" / "need") was saved or removed: the suggestions it
    touches (`need_ids`: the needs a removed offer was suggested for)."""
    return suggestions.recompute_for_listing(kind, listing_id, product_id, need_ids)


@shared_task
def recompute_added_listings(kind: str, listing_ids: list[int]) -> int:
    """After many offers or needs were added at once (an import): the new needs' suggestions,
    or those of every need the new offers could serve (their products, parents, children)."""
    if kind == "need":
        return suggestions.recompute_needs(Need.objects.filter(pk__in=listing_ids))
    products = Offer.objects.filter(pk__in=listing_ids).values_list("product_id", flat=True)
    related = suggestions.related_product_ids(set(products))
    return suggestions.recompute_needs(Need.objects.filter(product_id__in=related))


@shared_task
def refill_needs(need_ids: list[int]) -> int:
    """After a pair's suggestions were dropped (accepted, dismissed, snoozed): the suggestions
    of the needs they were for."""
    return suggestions.recompute_needs(Need.objects.filter(pk__in=need_ids))


@shared_task
def recompute_chain(chain_id: int) -> int:
    """After a chain's weights changed: the suggestions of its partners' needs."""
    return suggestions.recompute_needs(
        Need.objects.filter(partner__participations__value_chain_id=chain_id)
    )


@shared_task
def recompute_all(run_id: int | None = None) -> bool:
    """Every need's suggestions (of the run's chains only, unless it is for every chain),
    reporting progress on the run (one is made for the nightly schedule). The run is claimed
    by a conditional update, so a second delivery does nothing."""
    if run_id is None:
        run_id = RecomputeRun.objects.create().pk
    claimed = RecomputeRun.objects.filter(pk=run_id, status=RecomputeStatus.QUEUED).update(
        status=RecomputeStatus.RUNNING
    )
    if claimed != 1:
        return False

    def progress(done: int, total: int) -> None:
        RecomputeRun.objects.filter(pk=run_id).update(done=done, total=total)

    run = RecomputeRun.objects.get(pk=run_id)
    chain_ids = None if run.every_chain else [c.pk for c in run.value_chains.all()]
    try:
        stored = suggestions.recompute_all(progress, chain_ids=chain_ids)
    except Exception as error:
        RecomputeRun.objects.filter(pk=run_id).update(
            status=RecomputeStatus.FAILED, error=str(error)[:500], finished_at=timezone.now()
        )
        raise
    RecomputeRun.objects.filter(pk=run_id).update(
        status=RecomputeStatus.DONE,
        done=F("total"),
        suggestions=stored,
        finished_at=timezone.now(),
    )
    return True


@shared_task
def refresh_relationship_strengths() -> int:
    """Nightly: strengths fade as joint interactions age past the recent window, with nothing
    logged to trigger a refresh. Returns how many changed."""
    from .network import refresh_strengths

    return refresh_strengths()
