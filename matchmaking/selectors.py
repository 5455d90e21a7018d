"""Reads of matchmaking: the introduction board, a partner's introductions, candidates;
suggestions for a need, buyers for a producer, the coordinator's overview, the weights preview."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import Lower, RowNumber
from django.utils import timezone

from partners.models import Need, Offer, Participation, Partner, ValueChain
from partners.permissions import (
    seen_chain_ids,
    seen_chains,
    visible_partners,
)
from partners.search import search_filter

from . import suggestions as suggestions_module
from .explain import reasons
from .models import (
    CLOSED,
    PIPELINE,
    Introduction,
    IntroductionStatus,
    MatchSettings,
    RecomputeRun,
    Suggestion,
)

BOARD_COLUMN_SIZE = 15
BOARD_COUNT_CAP = 1000
CARD_FIELDS = (
    "status",
    "status_changed_at",
    "annual_sales_value",
    "partner_a",
    "partner_b",
    "value_chain",
)


def stalled_before() -> datetime.datetime:
    """Open introductions unchanged since this moment are flagged as stalled."""
    return timezone.now() - datetime.timedelta(days=settings.VCC_STALLED_AFTER_DAYS)


def _board_queryset(user, chain: int | None, stage: int | None) -> QuerySet[Introduction]:
    qs = Introduction.objects.filter(value_chain__in=seen_chains(user))
    if chain:
        qs = qs.filter(value_chain_id=chain)
    if stage:
        at_stage = Participation.objects.filter(stages__id=stage)
        qs = qs.filter(
            Exists(at_stage.filter(partner=OuterRef("partner_a")))
            | Exists(at_stage.filter(partner=OuterRef("partner_b")))
        )
    return qs


def introduction_board(user, chain: int | None = None, stage: int | None = None) -> list[dict]:
    """The board: a column per status with its count and its most recently changed cards.

    Two queries whatever the number of introductions: counts by status, and the top cards of
    every column at once (a window function numbers the cards within their column).
    """
    qs = _board_queryset(user, chain, stage)
    counts = _column_counts(qs)
    cards = sorted(
        _top_cards(
            # A card shows names, dates and a sales figure: the partners' long texts stay.
            qs.select_related("partner_a", "partner_b", "value_chain").only(
                *CARD_FIELDS,
                "partner_a__name",
                "partner_b__name",
                "value_chain__name",
                "value_chain__currency",
            )
        ),
        key=lambda card: (card.status_changed_at, card.pk),
        reverse=True,
    )
    by_status: dict[str, list] = {s: [] for s in IntroductionStatus.values}
    threshold = stalled_before()
    for card in cards:
        card.looks_stalled = card.status in PIPELINE[:-1] and card.status_changed_at < threshold
        by_status[card.status].append(card)
    return [
        {
            "status": status,
            "label": IntroductionStatus(status).label,
            "count": min(counts.get(status, 0), BOARD_COUNT_CAP),
            "count_more": counts.get(status, 0) > BOARD_COUNT_CAP,
            "cards": by_status[status],
            "closed": status in CLOSED,
        }
        for status in PIPELINE + CLOSED
    ]


def _column_counts(qs: QuerySet[Introduction]) -> dict[str, int]:
    """How many cards each status has, counted up to BOARD_COUNT_CAP + 1 (a column of
    thousands says "1,000+"): no count over every introduction on each look at the board.

    PostgreSQL: a UNION ALL of one capped index scan per status. SQLite: an exact count.
    """
    if not connection.features.supports_slicing_ordering_in_compound:
        return dict(qs.values_list("status").annotate(n=Count("id")).order_by())
    capped = [
        qs.filter(status=status).order_by().values_list("status", flat=True)[: BOARD_COUNT_CAP + 1]
        for status in IntroductionStatus.values
    ]
    union = capped[0].union(*capped[1:], all=True)
    sql, params = union.query.get_compiler(using=union.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT status, count(*) FROM ({sql}) AS capped GROUP BY status", params)
        return dict(cursor.fetchall())


def _top_cards(qs: QuerySet[Introduction]) -> list[Introduction]:
    """The most recently changed cards of every status, in one query.

    PostgreSQL: a UNION ALL of one short index scan per status. SQLite cannot order inside a
    compound statement, so there a window function numbers the cards within their status.
    """
    if connection.features.supports_slicing_ordering_in_compound:
        per_status = [
            qs.filter(status=status).order_by("-status_changed_at", "-id")[:BOARD_COLUMN_SIZE]
            for status in IntroductionStatus.values
        ]
        return list(per_status[0].union(*per_status[1:], all=True))
    ranked = qs.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("status")],
            order_by=[F("status_changed_at").desc(), F("id").desc()],
        )
    ).filter(rank__lte=BOARD_COLUMN_SIZE)
    return list(ranked.order_by("status", "rank"))


def partner_introductions(partner: Partner) -> list[Introduction]:
    """Every introduction the partner is part of, most recently changed first."""
    return list(
        Introduction.objects.filter(Q(partner_a=partner) | Q(partner_b=partner))
        .select_related("partner_a", "partner_b", "value_chain")
        .order_by("-status_changed_at", "-id")[:100]
    )


def introduction_candidates(user, partner_a: Partner, q: str, limit: int = 20) -> list[Partner]:
    """Partners to introduce `partner_a` to, found by the directory's search."""
    if not q.strip():
        return []
    qs = search_filter(visible_partners(user).exclude(pk=partner_a.pk), q, Lower("name"))
    return list(qs.order_by("-rank", "name", "id")[:limit])


# --- suggestions -------------------------------------------------------------------------------

SUGGESTION_LIST_SIZE = 50


def match_settings_by_chain(chain_ids) -> dict[int, MatchSettings]:
    """Each chain's settings (unsaved defaults where the coordinator set none), in two queries."""
    found = {
        s.value_chain_id: s
        for s in MatchSettings.objects.filter(value_chain_id__in=chain_ids).prefetch_related(
            "preferred_certifications"
        )
    }
    return {c: found.get(c) or MatchSettings(value_chain_id=c) for c in chain_ids}


def _explained(suggestions, chain_ids) -> list[dict]:
    settings = match_settings_by_chain(chain_ids)
    return [{"s": s, "reasons": reasons(s, settings[s.value_chain_id])} for s in suggestions]


def _suggestions() -> QuerySet[Suggestion]:
    return Suggestion.objects.select_related(
        "offer__product", "offer__partner", "need__product", "need__partner", "value_chain"
    )


def need_suggestions(need, chain_ids: list[int]) -> list[dict]:
    """The ranked offers suggested for `need` in the given chains, each with its reasons."""
    rows = list(
        _suggestions()
        .filter(need=need, value_chain_id__in=chain_ids)
        .order_by("rank", "-score", "id")[:SUGGESTION_LIST_SIZE]
    )
    for s in rows:
        s.need = need  # the required certifications are prefetched on it already
    return _explained(rows, chain_ids)


def partner_buyers(partner, chain_ids: list[int]) -> list[dict]:
    """Buyers worth approaching for a producer: needs where one of its offers ranks in the
    top suggestions, best first."""
    rows = (
        _suggestions()
        .filter(supplier=partner, value_chain_id__in=chain_ids)
        .prefetch_related("need__required_certifications")
        .order_by("-score", "id")[:SUGGESTION_LIST_SIZE]
    )
    return _explained(list(rows), chain_ids)


def suggestion_overview(user, chain_id: int | None) -> dict:
    """A coordinator's overview: per chain, how many suggestions and when computed; the best
    suggestions across the chains (or one chain), and the latest recompute. An observer's:
    the same of the chains they observe."""
    chain_ids = seen_chain_ids(user)
    if chain_id in chain_ids:
        chain_ids_shown = [chain_id]
    else:
        chain_ids_shown, chain_id = chain_ids, None
    per_chain = list(
        ValueChain.objects.filter(pk__in=chain_ids)
        .annotate(
            suggestion_count=Subquery(
                Suggestion.objects.filter(value_chain=OuterRef("pk"))
                .values("value_chain")
                .annotate(n=Count("id"))
                .values("n")[:1]
            ),
            computed_at=Subquery(
                Suggestion.objects.filter(value_chain=OuterRef("pk"))
                .order_by("-computed_at")
                .values("computed_at")[:1]
            ),
        )
        .order_by("name")
    )
    top = list(
        _suggestions()
        .filter(value_chain_id__in=chain_ids_shown, rank=1)
        .order_by("-score", "id")[:SUGGESTION_LIST_SIZE]
    )
    return {
        "chains": per_chain,
        "chain_id": chain_id,
        "top": top,
        "run": latest_recompute(user, chain_ids),
    }


def latest_recompute(user, chain_ids: list[int]) -> RecomputeRun | None:
    """The latest recompute that touched the user's chains: one of every chain, or of (some
    of) theirs; another coordinator's run of other chains is not theirs to watch."""
    runs = RecomputeRun.objects.all()
    if not user.is_superuser:
        theirs = RecomputeRun.value_chains.through.objects.filter(
            recomputerun_id=OuterRef("pk"), valuechain_id__in=chain_ids
        )
        runs = runs.filter(Q(every_chain=True) | Exists(theirs))
    return runs.first()


def preview_ranking(need, chain_id: int, settings: MatchSettings) -> list[Suggestion]:
    """How `need`'s top offers would rank in the chain under `settings` (not saved)."""
    offers = Offer.objects.filter(
        product_id__in=suggestions_module.related_product_ids([need.product_id])
    )
    rows = suggestions_module.to_suggestions(
        suggestions_module.compute(
            Need.objects.filter(pk=need.pk), offers, overrides={chain_id: settings}
        )
    )
    rows = sorted((r for r in rows if r.value_chain_id == chain_id), key=lambda r: r.rank)
    names = dict(
        Partner.objects.filter(pk__in=[r.supplier_id for r in rows]).values_list("pk", "name")
    )
    for r in rows:
        r.supplier_name = names.get(r.supplier_id, "")
    return rows


def sample_need(chain_id: int, need_id: int | None):
    """The need the weights page previews: the one asked for, else the chain's need with
    the most suggestions."""
    needs = Need.objects.filter(partner__participations__value_chain_id=chain_id).select_related(
        "product", "partner"
    )
    if need_id:
        found = needs.filter(pk=need_id).first()
        if found:
            return found
    best = (
        Suggestion.objects.filter(value_chain_id=chain_id)
        .values("need_id")
        .annotate(n=Count("id"))
        .order_by("-n", "need_id")
        .values_list("need_id", flat=True)
        .first()
    )
    return needs.filter(pk=best).first() if best else needs.order_by("pk").first()


def chain_needs(chain_id: int, limit: int = 200):
    return (
        Need.objects.filter(partner__participations__value_chain_id=chain_id)
        .select_related("product", "partner")
        .order_by("partner__name", "product__name", "pk")[:limit]
    )
