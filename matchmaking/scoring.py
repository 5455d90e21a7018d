"""Scoring of (need, offer) pairs on numpy arrays: candidates by a sparse join on the product
taxonomy, hard filters, each component in [0, 1], a weighted score and the top offers per need.

Pure functions of arrays, so they are tested with hypothesis and run the same on SQLite and
PostgreSQL; matchmaking.suggestions loads the arrays and stores the result.
"""

from __future__ import annotations

import numpy as np

SAME_PRODUCT_FIT = 1.0
RELATED_PRODUCT_FIT = 0.6  # a parent or child in the taxonomy
UNKNOWN_LOCATION = 0.5  # neither rewarded nor excluded
UNIT_MISMATCH = 0.5  # the volumes cannot be compared
NO_LIMIT_SCALE_KM = 100.0  # without a radius, 100 km away scores 0.5
YEARLY = {"week": 52.0, "month": 12.0, "season": 1.0, "year": 1.0}
TOP = 10
EARTH_KM = 6371.0088

_POPCOUNT = np.array([bin(i).count("1") for i in range(1 << 12)], dtype=np.int16)


def popcount12(masks: np.ndarray) -> np.ndarray:
    """How many months a 12-bit month mask holds, element-wise."""
    return _POPCOUNT[np.asarray(masks, dtype=np.int64) & 0xFFF]


def join(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i, j) with left[i] == right[j]: a sort-merge join, without Python loops."""
    order = np.argsort(right, kind="stable")
    sorted_right = right[order]
    start = np.searchsorted(sorted_right, left, side="left")
    stop = np.searchsorted(sorted_right, left, side="right")
    counts = stop - start
    i = np.repeat(np.arange(len(left)), counts)
    # Position inside each left row's run of matches.
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    j = order[np.repeat(start, counts) + offsets]
    return i, j


def related_products(product_ids: np.ndarray, parent_ids: np.ndarray):
    """(need product, offer product, fit) for the same product and each parent/child link.

    parent_ids holds -1 where a product has no parent."""
    has_parent = parent_ids >= 0
    child, parent = product_ids[has_parent], parent_ids[has_parent]
    src = np.concatenate([product_ids, child, parent])
    dst = np.concatenate([product_ids, parent, child])
    fit = np.concatenate(
        [
            np.full(len(product_ids), SAME_PRODUCT_FIT),
            np.full(len(child), RELATED_PRODUCT_FIT),
            np.full(len(child), RELATED_PRODUCT_FIT),
        ]
    )
    return src, dst, fit


def season_overlap(need_months: np.ndarray, offer_months: np.ndarray):
    """Share of the months needed that the offer covers, and that number of months."""
    both = popcount12(np.asarray(need_months) & np.asarray(offer_months))
    needed = np.maximum(popcount12(need_months), 1)
    return both / needed, both


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    lat1, lon1, lat2, lon2 = (
        np.radians(np.asarray(a, dtype=float)) for a in (lat1, lon1, lat2, lon2)
    )
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def distance_score(km: np.ndarray, limit_km: np.ndarray) -> np.ndarray:
    """1 at the door, falling as the distance grows: to 0.5 at the limit (the delivery radius
    or the buyer's maximum, whichever is smaller; NaN when neither is set), then towards 0.
    NaN distance (a location unknown) scores UNKNOWN_LOCATION. Never rises with distance."""
    km = np.asarray(km, dtype=float)
    limit = np.asarray(limit_km, dtype=float)
    has_limit = ~np.isnan(limit) & (limit > 0)
    safe_limit = np.where(has_limit, limit, 1.0)
    within = 1.0 - 0.5 * np.minimum(km / safe_limit, 1.0)
    beyond = 0.5 * safe_limit / np.maximum(km, safe_limit)
    limited = np.where(km <= safe_limit, within, beyond)
    unlimited = 1.0 / (1.0 + km / NO_LIMIT_SCALE_KM)
    score = np.where(has_limit, limited, unlimited)
    return np.where(np.isnan(km), UNKNOWN_LOCATION, score)


def volume_cover(need_yearly, available_yearly, same_unit) -> np.ndarray:
    """Share of the need (per year) the offer can still cover; UNIT_MISMATCH when the units
    differ."""
    need_yearly = np.asarray(need_yearly, dtype=float)
    cover = np.clip(np.asarray(available_yearly, dtype=float) / np.maximum(need_yearly, 1e-9), 0, 1)
    return np.where(same_unit, cover, UNIT_MISMATCH)


def combine(components: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    """The weighted mean of the components (each in [0, 1]), so the score is in [0, 1]."""
    total = sum(max(w, 0.0) for w in weights.values())
    if total <= 0:
        return np.zeros(len(next(iter(components.values()))))
    score = sum(max(weights[name], 0.0) * components[name] for name in weights)
    return np.clip(score / total, 0.0, 1.0)


def top_per_group(groups: np.ndarray, score: np.ndarray, tiebreak: np.ndarray, top: int = TOP):
    """Indexes of the `top` best scores in each group, with their rank (1 = best)."""
    if len(groups) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    order = np.lexsort((tiebreak, -score, groups))
    g = groups[order]
    first = np.r_[True, g[1:] != g[:-1]]
    starts = np.maximum.accumulate(np.where(first, np.arange(len(g)), 0))
    rank = np.arange(len(g)) - starts + 1
    keep = rank <= top
    return order[keep], rank[keep]
