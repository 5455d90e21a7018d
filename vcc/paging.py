"""Keyset pagination: a page is found by the sort values of the row before it, so page 1,000
costs what page 1 costs, and no COUNT over the table is needed."""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import BooleanField, F, Func, Q, QuerySet, Subquery

# How many rows of the table a first look at a page reads (keyset_page's `ahead`).
LOOK_AHEAD = 1000


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    prev_cursor: str | None

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.prev_cursor)


def _encode(values: list, direction: str) -> str:
    def plain(v):
        if isinstance(v, datetime.datetime | datetime.date):
            return v.isoformat()
        if isinstance(v, Decimal):
            return str(v)
        return v

    raw = json.dumps([direction, [plain(v) for v in values]], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, width: int) -> tuple[str, list] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        direction, values = json.loads(raw)
    except (ValueError, binascii.Error, TypeError):
        return None
    if direction not in ("n", "p") or not isinstance(values, list) or len(values) != width:
        return None
    if not all(_plausible(v) for v in values):
        return None
    return direction, values


def _plausible(value) -> bool:
    """Could `_encode` have written this sort value? A str, a number a bigint holds, or a
    bool (never None: a page's sort keys are never NULL); a NUL byte no database column takes."""
    if isinstance(value, bool | float):
        return True
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    return isinstance(value, str) and "\x00" not in value


def _after(order: list[tuple[str, bool]], values: list) -> Q:
    """Rows strictly after `values` in `order`, written as
    f1 >= v1 AND (f1 > v1 OR (f2 >= v2 AND (f2 > v2 OR ...))) so an index on (f1, f2...)
    serves it as a range scan."""
    (field, desc), value = order[0], values[0]
    strict = Q(**{f"{field}__{'lt' if desc else 'gt'}": value})
    if len(order) == 1:
        return strict
    loose = Q(**{f"{field}__{'lte' if desc else 'gte'}": value})
    return loose & (strict | _after(order[1:], values[1:]))


class Unindexed(Func):
    """`expression || ''`: the same values in the same order, but no index on `expression`
    matches it, so the planner cannot choose to walk one for an ORDER BY ... LIMIT. Sorting
    by it reads the rows first and sorts what it found (see keyset_page's `ahead`)."""

    template = "(%(expressions)s || '')"


class _InArray(Func):
    # `expression = ANY(ARRAY(subquery))`: the subquery runs once, first (an init plan), and
    # each of its values is then looked up by index. The planner cannot turn it into a hash
    # join against every row that matches the rest of the WHERE clause, as it does IN.
    template = "%(expressions)s))"
    arg_joiner = " = ANY(ARRAY("
    output_field = BooleanField()


def keyset_page(
    qs: QuerySet | list[QuerySet],
    ordering: list[str],
    cursor: str | None,
    size: int,
    *,
    ahead: QuerySet | None = None,
) -> Page:
    """One page of `qs` sorted by `ordering` (whose last field must be unique, e.g. "id").

    `qs` may also be a list of querysets that share their columns and hold no row twice (the
    parts of one list, e.g. a search's matches in the name and elsewhere): the page is the
    first rows of all of them together, read in one query (UNION ALL), and on PostgreSQL each
    part is read only as far as the page needs, so a part an index gives in order stops early.

    `ahead` (PostgreSQL): the whole table, annotated with the `ordering` fields so that an
    index gives it in that order. The page is first looked for among the next LOOK_AHEAD
    rows of it (a walk of that index), and `qs` is read whole only when fewer than a page of
    them match. For a search by name that thousands match, this finds the page in a few
    milliseconds instead of gathering and sorting every match; for a rare word, it costs that
    walk before the gathering. `qs` should sort by Unindexed keys, so that the planner does
    not walk the index itself, unbounded, for a word it wrongly thinks common.
    """
    parts = qs if isinstance(qs, list) else [qs]
    order = original = [(f.lstrip("-"), f.startswith("-")) for f in ordering]
    decoded = _decode(cursor, len(order)) if cursor else None
    backwards = decoded is not None and decoded[0] == "p"
    if backwards:
        order = [(f, not desc) for f, desc in order]
    table = ahead
    if decoded:
        try:
            after = _after(order, decoded[1])
            later = [part.filter(after) for part in parts]
            table = ahead.filter(after) if ahead is not None else None
        except (ValidationError, ValueError, TypeError):
            # Values of the wrong kind for these sort keys (a cursor of another list, or
            # made up): the first page, as for a cursor that does not decode.
            decoded, backwards, order = None, False, original
        else:
            parts = later
    sort = [("-" if desc else "") + f for f, desc in order]
    rows = []
    if table is not None:
        window = table.order_by(*sort).values("pk")[:LOOK_AHEAD]
        near = [part.filter(_InArray(F("pk"), Subquery(window))) for part in parts]
        rows = list(_first_rows(near, sort, size + 1))
    if len(rows) <= size:
        # No look ahead, or too few rows there to be sure of the page: read every part.
        rows = list(_first_rows(parts, sort, size + 1))
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()

    def key(row):
        return [getattr(row, f) for f, _ in order]

    has_next = (more and not backwards) or (backwards and bool(rows))
    has_prev = (more and backwards) or (decoded is not None and not backwards and bool(rows))
    return Page(
        rows=rows,
        next_cursor=_encode(key(rows[-1]), "n") if has_next and rows else None,
        prev_cursor=_encode(key(rows[0]), "p") if has_prev and rows else None,
    )


def _first_rows(parts: list[QuerySet], sort: list[str], limit: int) -> QuerySet:
    if len(parts) == 1:
        return parts[0].order_by(*sort)[:limit]
    if connections[parts[0].db].features.supports_slicing_ordering_in_compound:
        parts = [part.order_by(*sort)[:limit] for part in parts]
    else:
        # SQLite takes no ORDER BY or LIMIT inside a UNION: the same rows, all of each part.
        parts = [part.order_by() for part in parts]
    return parts[0].union(*parts[1:], all=True).order_by(*sort)[:limit]
