"""Computing and storing suggestions: load needs, offers and partners as arrays in a few
queries, score them with matchmaking.scoring, keep the top offers of every need per chain.

Volume already committed is what the offer's trading introductions carry (their annual
volume, with the introduction's offer linked): partners.Commitment has no volume to subtract.
Pairs with an open introduction (proposed to trading) are not suggested: they have met.
A pair dismissed or snoozed is held back until its Dismissal ends.
"""

from __future__ import annotations

import contextlib
import datetime
import itertools
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from partners.models import Need, Offer, Participation, Partner, Product

from . import scoring
from .models import (
    OPEN,
    Dismissal,
    Introduction,
    IntroductionStatus,
    MatchSettings,
    Suggestion,
)

SMALL_SIZES = ("micro", "small", "medium")
NEW_ENTRANT_DAYS = 365


@dataclass
class Listings:
    """Needs or offers as parallel arrays."""

    id: np.ndarray
    partner: np.ndarray
    product: np.ndarray
    yearly: np.ndarray
    unit: np.ndarray
    months: np.ndarray
    limit: np.ndarray  # max distance (needs) or delivery radius (offers), NaN if unset
    lat: np.ndarray
    lon: np.ndarray
    certs: np.ndarray  # bitmask of the relevant certifications
    committed: np.ndarray | None = None  # offers: volume a year already committed
    flags: np.ndarray | None = None  # offers: the supplier's chain-value facts (n × 4)

    def take(self, index) -> Listings:
        return Listings(**{k: (None if v is None else v[index]) for k, v in self.__dict__.items()})


def _cert_bits(rows, bit_of) -> dict[int, int]:
    masks: dict[int, int] = {}
    for owner, cert in rows:
        if cert in bit_of:
            masks[owner] = masks.get(owner, 0) | (1 << bit_of[cert])
    return masks


def _listings(
    model, queryset, cert_masks: dict, partner_cert_masks: dict | None, *, wide: bool
) -> Listings:
    limit_field = "max_distance_km" if model is Need else "delivery_radius_km"
    fields = [
        "id",
        "partner_id",
        "product_id",
        "volume",
        "unit",
        "period",
        "months",
        limit_field,
        "partner__latitude",
        "partner__longitude",
    ]
    if model is Offer:  # the supplier's facts the chain's values reward
        fields += [f"partner__{f}" for f in FACT_FIELDS]
    rows = list(queryset.values_list(*fields))
    n = len(rows)
    cols = list(zip(*rows, strict=True)) if rows else [()] * len(fields)
    # More than 62 certifications in play: Python integers hold the bits.
    dtype = object if wide else np.int64
    certs = np.array([cert_masks.get(i, 0) for i in cols[0]], dtype=dtype)
    if partner_cert_masks is not None:
        certs = certs | np.array([partner_cert_masks.get(p, 0) for p in cols[1]], dtype=dtype)
    factor = np.array([scoring.YEARLY.get(p, 1.0) for p in cols[5]], dtype=float)
    return Listings(
        id=np.array(cols[0], dtype=np.int64),
        partner=np.array(cols[1], dtype=np.int64),
        product=np.array(cols[2], dtype=np.int64),
        yearly=np.array(cols[3], dtype=float).reshape(n) * factor,
        unit=np.array([u.strip().lower() for u in cols[4]], dtype=object),
        months=np.array(cols[6], dtype=np.int64),
        limit=np.array([np.nan if v is None else v for v in cols[7]], dtype=float),
        lat=np.array([np.nan if v is None else float(v) for v in cols[8]], dtype=float),
        lon=np.array([np.nan if v is None else float(v) for v in cols[9]], dtype=float),
        certs=certs,
        flags=_value_flags(cols[10:]) if model is Offer else None,
    )


FACT_FIELDS = [
    "size",
    "locally_owned",
    "women_owned",
    "minority_owned",
    "worker_owned",
    "created_at",
]


def _value_flags(cols) -> np.ndarray:
    """Per supplier: small or mid-sized, locally owned, women-/minority-/worker-owned, new
    entrant (in the network less than NEW_ENTRANT_DAYS), as 0/1 columns in VALUE_FIELDS order."""
    size, local, women, minority, worker, created = cols if cols[0] else [()] * 6
    since = timezone.now() - datetime.timedelta(days=NEW_ENTRANT_DAYS)
    flags = np.zeros((len(size), 4))
    flags[:, 0] = np.isin(np.array(size, dtype=object), SMALL_SIZES)
    flags[:, 1] = np.array(local, dtype=bool)
    flags[:, 2] = (
        np.array(women, dtype=bool) | np.array(minority, dtype=bool) | np.array(worker, dtype=bool)
    )
    flags[:, 3] = np.array([c >= since for c in created], dtype=bool)
    return flags


def _pair_keys(buyer: np.ndarray, supplier: np.ndarray) -> np.ndarray:
    return buyer.astype(np.int64) * (1 << 31) + supplier.astype(np.int64)


def _held_back_pairs(today: datetime.date, buyers) -> np.ndarray:
    """Pairs with an open introduction (either way round) or a dismissal not yet over, among
    the pairs with one of `buyers` (a queryset of partner ids)."""
    intro = list(
        Introduction.objects.filter(
            Q(partner_a__in=buyers) | Q(partner_b__in=buyers), status__in=OPEN
        ).values_list("partner_a_id", "partner_b_id")
    )
    held = list(
        Dismissal.objects.filter(until__gte=today, buyer__in=buyers).values_list(
            "buyer_id", "supplier_id"
        )
    )
    a = np.array([p for p, _ in intro] + [q for _, q in intro] + [b for b, _ in held], np.int64)
    b = np.array([q for _, q in intro] + [p for p, _ in intro] + [s for _, s in held], np.int64)
    return np.unique(_pair_keys(a, b))


def _committed_by_offer(offer_qs) -> dict[int, float]:
    rows = (
        Introduction.objects.filter(
            status=IntroductionStatus.TRADING,
            offer__in=offer_qs,
            annual_volume__isnull=False,
        )
        .values("offer_id")
        .annotate(volume=Sum("annual_volume"))
        .values_list("offer_id", "volume")
    )
    return {offer: float(volume) for offer, volume in rows}


def _settings_by_chain(chain_ids) -> dict[int, MatchSettings]:
    found = {
        s.value_chain_id: s
        for s in MatchSettings.objects.filter(value_chain_id__in=chain_ids).prefetch_related(
            "preferred_certifications"
        )
    }
    return {c: found.get(c) or MatchSettings(value_chain_id=c) for c in chain_ids}


def preferred_certification_ids(chain_settings: MatchSettings) -> list[int]:
    """The chain's preferred certifications; an unsaved preview carries them as
    `preferred_ids`."""
    if hasattr(chain_settings, "preferred_ids"):
        return list(chain_settings.preferred_ids)
    if not chain_settings.pk:
        return []
    return [c.pk for c in chain_settings.preferred_certifications.all()]


def score_pairs(needs: Listings, offers: Listings, *, context: dict, chain_settings) -> dict:
    """Candidates, filters and components for needs × offers in one chain, as arrays."""
    src, dst, fit = context["related"]
    ni, ri = scoring.join(needs.product, src)
    # Each (need, related product) row meets the offers of that product.
    k, oi = scoring.join(dst[ri], offers.product)
    ni, fit = ni[k], fit[ri][k]
    n, o = needs.take(ni), offers.take(oi)
    keep = n.partner != o.partner
    keep &= (n.certs & ~o.certs) == 0  # required certifications: a hard filter
    km = scoring.haversine_km(n.lat, n.lon, o.lat, o.lon)
    keep &= ~(km > n.limit)  # beyond the buyer's maximum distance (NaN compares False)
    keep &= ~np.isin(_pair_keys(n.partner, o.partner), context["held_back"])
    ni, oi, fit, km = ni[keep], oi[keep], fit[keep], km[keep]
    n, o = needs.take(ni), offers.take(oi)

    season, overlap = scoring.season_overlap(n.months, o.months)
    committed = o.committed
    available = np.maximum(o.yearly - committed, 0.0)
    volume = scoring.volume_cover(n.yearly, available, n.unit == o.unit)
    limit = np.fmin(o.limit, n.limit)
    distance = scoring.distance_score(km, limit)

    preferred_bits = 0
    for cert_id in preferred_certification_ids(chain_settings):
        if cert_id in context["bit_of"]:
            preferred_bits |= 1 << context["bit_of"][cert_id]
    weights = chain_settings.weights
    if preferred_bits:
        held = o.certs & preferred_bits
        if held.dtype == object:
            counts = np.array([bin(int(h)).count("1") for h in held.tolist()], dtype=float)
        else:
            counts = np.bitwise_count(held).astype(float)
        certifications = counts / bin(preferred_bits).count("1")
    else:
        certifications = np.ones(len(ni))
        weights = {**weights, "certifications": 0.0}

    flags = o.flags
    vw = np.array(list(chain_settings.value_weights.values()), dtype=float)
    values = flags @ vw / vw.sum() if vw.sum() > 0 else np.zeros(len(ni))

    components = {
        "product": fit,
        "season": season,
        "volume": volume,
        "certifications": certifications,
        "distance": distance,
        "values": values,
    }
    score = scoring.combine(components, weights)
    return {
        "need": n.id,
        "offer": o.id,
        "buyer": n.partner,
        "supplier": o.partner,
        "score": score,
        "components": components,
        "km": km,
        "overlap": overlap,
        "available": available,
        "committed": committed,
    }


def _load(need_qs, offer_qs, overrides=None) -> tuple[Listings, Listings, dict]:
    """Needs, offers and what scoring needs about them, in a fixed number of queries."""
    today = timezone.localdate()
    required = list(
        Need.required_certifications.through.objects.filter(need__in=need_qs).values_list(
            "need_id", "certification_id"
        )
    )
    preferred = MatchSettings.preferred_certifications.through.objects.values_list(
        "certification_id", flat=True
    )
    extra = [c for s in (overrides or {}).values() for c in preferred_certification_ids(s)]
    relevant = sorted({c for _, c in required} | set(preferred) | set(extra))
    bit_of = {cert: bit for bit, cert in enumerate(relevant)}
    wide = len(bit_of) > 62
    needs = _listings(Need, need_qs, _cert_bits(required, bit_of), None, wide=wide)
    products = np.array(list(Product.objects.values_list("id", "parent_id")), dtype=object)
    pid = products[:, 0].astype(np.int64) if len(products) else np.zeros(0, np.int64)
    parent = (
        np.array([-1 if p is None else p for p in products[:, 1]], np.int64)
        if len(products)
        else np.zeros(0, np.int64)
    )
    context = {
        "related": scoring.related_products(pid, parent),
        "held_back": _held_back_pairs(today, need_qs.values("partner_id")),
        "bit_of": bit_of,
        "wide": wide,
    }
    offers = _load_offers(offer_qs, context)
    context["participations"] = _participations(np.concatenate([needs.partner, offers.partner]))
    return needs, offers, context


def _load_offers(offer_qs, context: dict) -> Listings:
    """Offers with the certifications that matter (as `context`'s bits) and the volume
    already committed."""
    relevant = list(context["bit_of"])
    offer_certs = Offer.certifications.through.objects.filter(
        offer__in=offer_qs, certification_id__in=relevant
    ).values_list("offer_id", "certification_id")
    partner_certs = Partner.certifications.through.objects.filter(
        certification_id__in=relevant,
        partner__in=offer_qs.values("partner_id"),
    ).values_list("partner_id", "certification_id")
    offers = _listings(
        Offer,
        offer_qs,
        _cert_bits(offer_certs, context["bit_of"]),
        _cert_bits(partner_certs, context["bit_of"]),
        wide=context["wide"],
    )
    committed = _committed_by_offer(offer_qs.values("pk"))
    offers.committed = np.array([committed.get(i, 0.0) for i in offers.id.tolist()], float)
    return offers


def _participations(partner_ids: np.ndarray) -> np.ndarray:
    """(partner, chain) rows of these partners."""
    return np.array(
        list(
            Participation.objects.filter(
                partner_id__in=np.unique(partner_ids).tolist()
            ).values_list("partner_id", "value_chain_id")
        ),
        dtype=np.int64,
    ).reshape(-1, 2)


COLUMNS = [
    "value_chain_id",
    "need_id",
    "offer_id",
    "buyer_id",
    "supplier_id",
    "rank",
    "score",
    "product_fit",
    "season",
    "volume",
    "certifications",
    "distance",
    "values",
    "distance_km",
    "overlap_months",
    "available_volume",
    "committed_volume",
]


def compute(
    need_qs,
    offer_qs,
    overrides: dict | None = None,
    progress=None,
    chunk: int = 2500,
    chain_ids: list[int] | None = None,
) -> dict[str, np.ndarray]:
    """The top offers of every need in `need_qs` among `offer_qs`, in each chain both
    partners belong to (of `chain_ids` only, when given), as columns (COLUMNS; not saved).
    `overrides` maps a chain to unsaved settings (a preview); progress(done, total) is called
    after each chunk of needs."""
    needs, offers, context = _load(need_qs, offer_qs, overrides)
    if chain_ids is not None:
        participations = context["participations"]
        context["participations"] = participations[np.isin(participations[:, 1], chain_ids)]
    return _top_offers(needs, offers, context, overrides, progress, chunk)


def _top_offers(
    needs: Listings, offers: Listings, context: dict, overrides=None, progress=None, chunk=2500
) -> dict[str, np.ndarray]:
    """compute() on loaded listings."""
    participations = context["participations"]
    chain_ids = np.unique(participations[:, 1]).tolist()
    settings_of = {**_settings_by_chain(chain_ids), **(overrides or {})}
    parts: list[dict[str, np.ndarray]] = []
    total = sum(
        int(np.isin(needs.partner, participations[participations[:, 1] == c, 0]).sum())
        for c in chain_ids
    )
    done = 0
    for chain in chain_ids:  # a handful of chains, each scored as whole arrays
        members = participations[participations[:, 1] == chain, 0]
        chain_needs = needs.take(np.isin(needs.partner, members))
        chain_offers = offers.take(np.isin(offers.partner, members))
        for start in range(0, len(chain_needs.id), chunk):
            some = chain_needs.take(slice(start, start + chunk))
            if len(chain_offers.id):
                pairs = score_pairs(
                    some, chain_offers, context=context, chain_settings=settings_of[chain]
                )
                index, rank = scoring.top_per_group(pairs["need"], pairs["score"], pairs["offer"])
                parts.append(_columns(chain, pairs, index, rank))
            done += len(some.id)
            if progress:
                progress(done, total)
    if not parts:
        return {name: np.zeros(0) for name in COLUMNS}
    return {name: np.concatenate([p[name] for p in parts]) for name in COLUMNS}


def _columns(chain, pairs, index, rank) -> dict[str, np.ndarray]:
    c = pairs["components"]
    return {
        "value_chain_id": np.full(len(index), chain, dtype=np.int64),
        "need_id": pairs["need"][index],
        "offer_id": pairs["offer"][index],
        "buyer_id": pairs["buyer"][index],
        "supplier_id": pairs["supplier"][index],
        "rank": rank,
        "score": pairs["score"][index],
        "product_fit": c["product"][index],
        "season": c["season"][index],
        "volume": c["volume"][index],
        "certifications": c["certifications"][index],
        "distance": c["distance"][index],
        "values": c["values"][index],
        "distance_km": pairs["km"][index],
        "overlap_months": pairs["overlap"][index],
        "available_volume": pairs["available"][index],
        "committed_volume": pairs["committed"][index],
    }


def to_suggestions(columns: dict[str, np.ndarray], computed_at=None) -> list[Suggestion]:
    """Suggestion objects (unsaved) from computed columns."""
    computed_at = computed_at or timezone.now()
    lists = {name: columns[name].tolist() for name in COLUMNS}
    lists["distance_km"] = [None if k != k else k for k in lists["distance_km"]]  # NaN: unknown
    return [
        Suggestion(computed_at=computed_at, **dict(zip(COLUMNS, row, strict=True)))
        for row in zip(*(lists[name] for name in COLUMNS), strict=True)
    ]


def store(columns: dict[str, np.ndarray], computed_at=None) -> int:
    """Insert computed rows: COPY on PostgreSQL (100k rows in a fraction of a second), else a
    bulk insert. Returns how many."""
    computed_at = computed_at or timezone.now()
    n = len(columns["need_id"])
    if connection.vendor != "postgresql":
        Suggestion.objects.bulk_create(to_suggestions(columns, computed_at), batch_size=500)
        return n
    # Text COPY, formatted column by column: \N for an unknown distance. The score exactly
    # (repr round-trips): merge_offer_change() ranks a changed offer against stored scores.
    formatted = []
    for name in COLUMNS:
        values = columns[name]
        if name == "score":
            text = list(map(repr, values.tolist()))
        elif values.dtype.kind == "f":
            text = list(map(format, values.tolist(), itertools.repeat(".6g")))
            if name == "distance_km":
                text = ["\\N" if v == "nan" else v for v in text]
        else:
            text = list(map(str, values.astype(np.int64).tolist()))
        formatted.append(text)
    stamp = computed_at.isoformat()
    lines = "".join("\t".join(row) + "\t" + stamp + "\n" for row in zip(*formatted, strict=True))
    table = Suggestion._meta.db_table
    names = ", ".join(f'"{c}"' for c in [*COLUMNS, "computed_at"])
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            copy.write(lines)
    return n


def related_product_ids(product_ids) -> list[int]:
    """The products, their parents and their children."""
    product_ids = list(product_ids)
    rows = Product.objects.filter(Q(pk__in=product_ids) | Q(parent_id__in=product_ids))
    related = set(product_ids)
    for pk, parent in rows.values_list("id", "parent_id"):
        related.add(pk)
        if parent is not None:
            related.add(parent)
    return sorted(related)


# Recomputes of a few needs read stored rows and then write them: one at a time, or two
# merging offers into the same need would each drop its last row and keep eleven.
RECOMPUTE_LOCK = 4_020_001  # a pg_advisory_xact_lock key of vcc's own


def _lock_recomputes() -> None:
    if connection.vendor == "postgresql":  # SQLite has one writer at a time anyway
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RECOMPUTE_LOCK])


@transaction.atomic
def recompute_needs(need_qs) -> int:
    """Replace the suggestions of the needs in `need_qs` (offers of related products only)."""
    _lock_recomputes()
    need_ids = list(need_qs.values_list("pk", flat=True))
    products = Need.objects.filter(pk__in=need_ids).values_list("product_id", flat=True).distinct()
    offer_qs = Offer.objects.filter(product_id__in=related_product_ids(products))
    columns = compute(Need.objects.filter(pk__in=need_ids), offer_qs)
    Suggestion.objects.filter(need_id__in=need_ids).delete()
    return store(columns)


def recompute_for_listing(
    kind: str, listing_id: int, product_id: int, need_ids: list[int] | None = None
) -> int:
    """After one offer or need was saved or removed: a need's own suggestions; for an offer,
    its place in every need it could serve (its product, parent or children; `product_id` is
    the product it had, for a removed or re-assigned offer) or was suggested for (`need_ids`,
    noted before a removal). Returns the rows written."""
    if kind == "need":
        return recompute_needs(Need.objects.filter(pk=listing_id))
    return merge_offer_change(listing_id, product_id, need_ids)


@transaction.atomic
def merge_offer_change(offer_id: int, old_product_id: int, removed_from=None) -> int:
    """Score the changed offer against the needs it could serve and merge it into each need's
    stored top, instead of rescoring every such need from all its candidates: a need is
    rescored only where the stored rows cannot tell its new top (see _merged_order). Writes
    what recomputing those needs would; returns the rows written. `removed_from`: the needs
    a removed offer was suggested for (else those it could serve that have a short top)."""
    _lock_recomputes()
    offer_qs = Offer.objects.filter(pk=offer_id)
    product_id = offer_qs.values_list("product_id", flat=True).first()
    served = list(Suggestion.objects.filter(offer_id=offer_id).values_list("need_id", flat=True))
    if product_id is None:
        # Removed: its rows went with it, leaving the needs it was suggested for a row short.
        if removed_from is not None:
            return recompute_needs(Need.objects.filter(pk__in=removed_from))
        need_qs = Need.objects.filter(product_id__in=related_product_ids([old_product_id]))
        return recompute_needs(need_qs.filter(pk__in=_needs_short_of_top(need_qs)))
    need_qs = Need.objects.filter(
        Q(product_id__in=related_product_ids({product_id, old_product_id})) | Q(pk__in=served)
    )
    needs, offers, context = _load(need_qs, offer_qs)
    new = _top_offers(needs, offers, context)  # the offer's row for each need and chain
    touched = sorted(set(new["need_id"].tolist()) | set(served))
    stored: dict[tuple[int, int], list[tuple]] = {}
    for row in Suggestion.objects.filter(need_id__in=touched).values_list(
        "id", "need_id", "value_chain_id", "offer_id", "rank", "score"
    ):  # in rank order
        stored.setdefault((row[1], row[2]), []).append(row)
    new_at = {
        key: i
        for i, key in enumerate(
            zip(new["need_id"].tolist(), new["value_chain_id"].tolist(), strict=True)
        )
    }
    groups = set(new_at) | {k for k, rows in stored.items() if any(r[3] == offer_id for r in rows)}
    orders, rescore = {}, set()
    for key in groups:
        score = float(new["score"][new_at[key]]) if key in new_at else None
        order = _merged_order(offer_id, stored.get(key, []), score)
        if order is None:
            rescore.add(key[0])
        else:
            orders[key] = order

    drop, insert, ranks = [], [], []
    for key, order in orders.items():
        if key[0] in rescore or order == stored.get(key, []):
            continue
        rows = stored.get(key, [])
        drop += [r[0] for r in rows if r not in order or r[3] == offer_id]
        for rank, row in enumerate(order, start=1):
            if row is None:
                insert.append((new_at[key], rank))
            elif row[4] != rank:
                ranks.append((row[0], rank))
    Suggestion.objects.filter(pk__in=drop).delete()
    _set_ranks(ranks)
    index = np.array([i for i, _ in insert], dtype=np.int64)
    columns = {name: values[index] for name, values in new.items()}
    columns["rank"] = np.array([rank for _, rank in insert], dtype=np.int64)
    written = (store(columns) if insert else 0) + len(ranks)
    if rescore:
        written += _rescore(needs.take(np.isin(needs.id, sorted(rescore))), context)
    return written


def _set_ranks(ranks: list[tuple[int, int]]) -> None:
    """Give stored rows (id, new rank) their new ranks in one statement. On PostgreSQL an
    UPDATE joined to the two arrays: bulk_update()'s CASE of one WHEN per row costs Django
    about 0.1 ms a row to build, and an offer of a parent product moves hundreds of rows."""
    if not ranks:
        return
    if connection.vendor != "postgresql":
        Suggestion.objects.bulk_update([Suggestion(id=i, rank=r) for i, r in ranks], ["rank"])
        return
    ids, values = zip(*ranks, strict=True)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Suggestion._meta.db_table} AS s SET rank = v.rank "
            "FROM unnest(%s::bigint[], %s::smallint[]) AS v(id, rank) WHERE s.id = v.id",
            [list(ids), list(values)],
        )


def _rescore(needs: Listings, context: dict) -> int:
    """Replace the suggestions of these needs (loaded, with `context`) from all their
    candidates, as recompute_needs() does, without loading them again."""
    offer_qs = Offer.objects.filter(
        product_id__in=related_product_ids(np.unique(needs.product).tolist())
    )
    offers = _load_offers(offer_qs, context)
    participations = np.concatenate([context["participations"], _participations(offers.partner)])
    context = {**context, "participations": np.unique(participations, axis=0)}
    columns = _top_offers(needs, offers, context)
    Suggestion.objects.filter(need_id__in=needs.id.tolist()).delete()
    return store(columns)


def _merged_order(offer_id: int, rows: list[tuple], score: float | None) -> list | None:
    """A need's new top in one chain: its stored rows (id, need, chain, offer, rank, score; in
    rank order) with the changed offer's new row (None) placed by its new `score` (None: no
    longer a candidate), in top_per_group()'s order. None when the stored rows cannot tell:
    the offer was in a full top and fell out of it or to its bottom, where an offer never
    stored (the need's 11th) may now pass it. A top of fewer than TOP holds every candidate
    (a dropped pair's needs are refilled), so it can always tell."""
    others = [r for r in rows if r[3] != offer_id]
    was_in = len(others) < len(rows)
    full = len(rows) == scoring.TOP
    if score is None:
        return None if was_in and full else others
    key = (score, -offer_id)
    above = sum((r[5], -r[3]) > key for r in others)
    if was_in and full and above == len(others):
        last = rows[-1]  # at the bottom now: it stays only if it was there and is no worse
        if last[3] != offer_id or score < last[5]:
            return None
    return (others[:above] + [None] + others[above:])[: scoring.TOP]


def _needs_short_of_top(need_qs) -> list[int]:
    """Needs of `need_qs` with fewer than TOP suggestions in a chain."""
    return list(
        Suggestion.objects.filter(need__in=need_qs)
        .order_by()  # grouped by need and chain only
        .values("need_id", "value_chain_id")
        .annotate(n=Count("id"))
        .filter(n__lt=scoring.TOP)
        .values_list("need_id", flat=True)
        .distinct()
    )


def recompute_all(progress=None, chain_ids: list[int] | None = None) -> int:
    """Every need's suggestions (in the chains `chain_ids` only, when given): scored in chunks
    (progress(done, total) after each), then the rows replaced in one transaction, so pages
    show the old set until the new one is in. Other chains' rows are left as they are."""
    if chain_ids is not None:
        return _recompute_chains(sorted(set(chain_ids)), progress)
    columns = compute(Need.objects.all(), Offer.objects.all(), progress=progress)
    with transaction.atomic():
        if connection.vendor != "postgresql":
            Suggestion.objects.all().delete()
            return store(columns)
        with _indexes_rebuilt_after():
            return store(columns)


def _recompute_chains(chain_ids: list[int], progress) -> int:
    """recompute_all() of some chains: their partners' listings scored in those chains only,
    then (one transaction) those chains' rows deleted and the new ones inserted (COPY on
    PostgreSQL); the indexes stay, as the other chains' rows still use them."""
    partners = Participation.objects.filter(value_chain_id__in=chain_ids).values("partner_id")
    columns = compute(
        Need.objects.filter(partner_id__in=partners),
        Offer.objects.filter(partner_id__in=partners),
        progress=progress,
        chain_ids=chain_ids,
    )
    with transaction.atomic():
        _lock_recomputes()
        Suggestion.objects.filter(value_chain_id__in=chain_ids).delete()
        return store(columns)


@contextlib.contextmanager
def _indexes_rebuilt_after():
    """Empty the table and drop its secondary indexes and unique constraints, then (after the
    caller's COPY) build them again from their own definitions: one sorted build each is several
    times faster than keeping them up to date row by row, and it updates the planner's row
    count. The table is locked meanwhile: a page read waits (about a second) rather than
    seeing it half-filled."""
    table = Suggestion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'u'",
            [table],
        )
        uniques = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [table],
        )
        indexes = cursor.fetchall()
        cursor.execute(f"TRUNCATE {table}")
        for name, _ in uniques:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        for _, definition in indexes:
            cursor.execute(definition)
        for name, definition in uniques:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
