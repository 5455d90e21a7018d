"""Search of the directories: what a search matches (each record's search text, kept by the
services that change the record) and how a search reads its matches. Every search goes
through here: `search_filter` (people, introduction candidates) and `partner_search` (the
partner directory, which pages its result with vcc.paging.keyset_page).

The strategies, and why each is here (PostgreSQL; SQLite matches plain substrings):

1. Every word as a substring of the search text, through a trigram GIN index (migration
   0002): a partial word ("stell" for Stellenbosch) finds as a full one does.
2. A word under three letters as the start of a word, through a full-text GIN index: a
   trigram index cannot serve a one- or two-letter word.
3. A word found nowhere is taken for a typo and matches the words of the vocabulary it
   resembles (SearchWord, a small table with its own trigram index): a typo costs what a
   correct word costs, not a similarity computed per partner.
4. Best match first, over the whole network, in two parts (`partner_search_parts`): those with
   a word in the name, then the rest, which rank alike and so come in id order, read only as
   far as the page goes (the rest from `search_rest`, a generated column with its own trigram
   index, migration 0012). A region word thousands of partners hold otherwise ranks and sorts
   every match (river: 94 -> 9 ms in make bench).
5. Results sorted by name (or region) by keys no index holds (vcc.paging.Unindexed), with a
   first look along the name index for the page (`ahead`, migration 0013): the planner
   cannot walk the name index unbounded for a word it wrongly thinks common, and a common word
   still finds its page in a few milliseconds (kwazulu-natal by name: 68 -> 8.5 ms).

The search text itself: a partner's is its lower-cased name first, then place, people and
products (`partner_search_documents`); `search_rest` relies on the name coming first.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    ExpressionWrapper,
    FloatField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Lower
from django.db.models.lookups import Contains

from vcc.paging import Unindexed

from .models import MAX_SEARCH_WORD, Affiliation, Need, Offer, Partner, Person, SearchWord

MAX_SEARCH_WORDS = 5
# Search results sorted by keys no index holds (strategy 5).
SEARCH_SORTS = {
    "name": ["name_key", "id"],
    "-name": ["-name_key", "-id"],
    "region": ["region_key", "name_key", "id"],
}
SEARCH_BATCH = 2000


# --- the search text ---------------------------------------------------------------------------


def partner_search_documents(partner_ids: Iterable[int]) -> dict[int, str]:
    """Name, place, people and products of each partner, lower-cased: what search matches."""
    ids = list(partner_ids)
    words: dict[int, list[str]] = defaultdict(list)
    for pk, name, region, address in Partner.objects.filter(pk__in=ids).values_list(
        "pk", "name", "region", "address"
    ):
        words[pk] += [name, region, address]
    for pk, first, last in Affiliation.objects.filter(partner_id__in=ids).values_list(
        "partner_id", "person__first_name", "person__last_name"
    ):
        words[pk] += [first, last]
    for model in (Offer, Need):
        for pk, product in (
            model.objects.filter(partner_id__in=ids)
            .values_list("partner_id", "product__name")
            .distinct()
        ):
            words[pk].append(product)
    return {pk: " ".join(w for w in parts if w).lower() for pk, parts in words.items()}


def person_search_documents(person_ids: Iterable[int]) -> dict[int, str]:
    """Name, email and organisations of each person, lower-cased."""
    ids = list(person_ids)
    words: dict[int, list[str]] = defaultdict(list)
    for pk, first, last, email in Person.objects.filter(pk__in=ids).values_list(
        "pk", "first_name", "last_name", "email"
    ):
        words[pk] += [first, last, email]
    for pk, partner in Affiliation.objects.filter(person_id__in=ids).values_list(
        "person_id", "partner__name"
    ):
        words[pk].append(partner)
    return {pk: " ".join(w for w in parts if w).lower() for pk, parts in words.items()}


def refresh_search_documents(
    partner_ids: Iterable[int] | None = None, person_ids: Iterable[int] | None = None
) -> None:
    """Rebuild the search text of the given partners and people (all of them when None)."""
    if partner_ids is None:
        partner_ids = Partner.objects.values_list("pk", flat=True)
    if person_ids is None:
        person_ids = Person.objects.values_list("pk", flat=True)
    for model, ids, build in (
        (Partner, list(partner_ids), partner_search_documents),
        (Person, list(person_ids), person_search_documents),
    ):
        for start in range(0, len(ids), SEARCH_BATCH):
            docs = build(ids[start : start + SEARCH_BATCH])
            write_search_documents(model, docs)
            add_search_words(docs.values())


def write_search_documents(model, documents: dict[int, str]) -> None:
    """Store search texts, {id: text}: one UPDATE ... FROM (VALUES ...) per thousand rows
    (bulk_update's CASE per row costs seconds for an import of 100,000)."""
    table = connection.ops.quote_name(model._meta.db_table)
    rows = list(documents.items())
    for start in range(0, len(rows), 1000):
        chunk = rows[start : start + 1000]
        values = ", ".join(["(%s, %s)"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH v(id, doc) AS (VALUES {values}) UPDATE {table} "
                f"SET search_document = v.doc FROM v WHERE {table}.id = v.id",
                [value for row in chunk for value in row],
            )


WORD = re.compile(rf"[^\W\d_]{{3,{MAX_SEARCH_WORD}}}")


def search_words(text: str) -> set[str]:
    """The words of `text` the search vocabulary keeps: three letters or more, no digits
    (the migration that fills SearchWord splits documents the same way)."""
    return set(WORD.findall(text.lower()))


def add_search_words(documents: Iterable[str]) -> None:
    """Add the documents' new words to the search vocabulary (words never leave it: a stale
    word only offers a correction that finds nothing)."""
    words = set().union(*(search_words(doc) for doc in documents))
    SearchWord.objects.bulk_create(
        [SearchWord(word=w) for w in sorted(words)], ignore_conflicts=True, batch_size=1000
    )


# --- reading: the one entry point of the partner directory -----------------------------------


@dataclass
class PartnerSearch:
    """How the directory reads a search: the parts of the list (keyset_page reads them as
    one), the order (None: the directory's own sort), and the table to look ahead along."""

    parts: list[QuerySet[Partner]]
    ordering: list[str] | None
    ahead: QuerySet[Partner] | None = None


def partner_search(qs: QuerySet[Partner], q: str, *, sort: str, whole_network: bool):
    """The partners of `qs` matching `q`, to be read in `sort` ("" or "relevance": best match
    first). `whole_network`: `qs` is every partner, unfiltered (strategy 4 applies only then:
    a part read in id order walks the id index and tests each partner it passes against the
    filters, so a word common elsewhere and rare among them, "lettuce" for a coordinator of
    one chain, walks the table: 9 -> 97 ms)."""
    if sort in ("relevance", ""):
        if whole_network:
            return PartnerSearch(partner_search_parts(qs, q), ["-rank", "id"])
        return PartnerSearch([search_filter(qs, q, Lower("name"))], ["-rank", "id"])
    matches = search_filter(qs, q, Lower("name"))
    if sort not in SEARCH_SORTS:
        return PartnerSearch([matches], None)
    matches = matches.annotate(name_key=Unindexed(Lower("name")), region_key=Lower("region"))
    ahead = None
    if sort in ("name", "-name") and connection.vendor == "postgresql":
        ahead = Partner.objects.annotate(name_key=Lower("name"))
    return PartnerSearch([matches], SEARCH_SORTS[sort], ahead)


# --- reading: matching and ranking -------------------------------------------------------------


def search_filter(qs: QuerySet, q: str, title=None) -> QuerySet:
    """Keep the rows whose search_document matches every word of `q`, annotated with `rank`.

    A word matches as a substring (trigram GIN index) or, under three letters, as the start
    of a word (full-text GIN index). On PostgreSQL a word found nowhere as written counts as
    a typo: it matches the words of the search vocabulary it resembles (SearchWord, trigram
    similarity), as substrings. The rank adds up, per word, 1 for a word as written or the
    similarity of the correction, plus 1 when the word is in `title` (an expression, e.g. the
    lower-cased name): names before addresses. SQLite falls back to substrings.
    """
    qs, words, scores, _ = _search_matches(qs, q)
    return qs.annotate(rank=_rank(scores + _title_scores(title, words)))


def partner_search_parts(qs: QuerySet[Partner], q: str) -> list[QuerySet[Partner]]:
    """search_filter's partners and rank (title: the name), in two parts for keyset_page:
    those with a word of `q` in their name, and the rest.

    When each word matches one way (as written, or as its one correction), the rest rank the
    same, so best match first is id order among them: a word thousands of partners hold
    outside their name (a region) costs a walk of the id index as far as the page goes, not
    a rank and a sort of every match. The rest are found by `search_rest` (migration 0012:
    the search document without the name), whose statistics tell the planner how many there
    are; the first part by a trigram index on the name. A word with several corrections or
    under three letters, and SQLite, rank and sort the matches in one part.
    """
    title = Lower("name")
    matches, words, scores, one_way = _search_matches(qs, q)
    if one_way is None:
        return [matches.annotate(rank=_rank(scores + _title_scores(title, words)))]
    points = [_points(p) for _, p in one_way]
    in_name = reduce(or_, (Q(Contains(title, word)) for word in words))
    rest = RawSQL('"partners_partner"."search_rest"', (), output_field=TextField())
    # Without the word in the name, a word is in the search text if and only if it is in the
    # rest of it; a correction may still be in the name.
    elsewhere = [
        Q(Contains(rest, text)) if text == word else Q(search_document__contains=text)
        for word, (text, _) in zip(words, one_way, strict=True)
    ]
    # One word in the name: every partner there has the same rank too.
    in_name_points = [_points(1)] if len(words) == 1 else _title_scores(title, words)
    return [
        matches.filter(in_name).annotate(rank=_rank(points + in_name_points)),
        qs.filter(*elsewhere).exclude(in_name).annotate(rank=_rank(points)),
    ]


def _search_matches(
    qs: QuerySet, q: str
) -> tuple[QuerySet, list[str], list, list[tuple[str, float]] | None]:
    """`qs` kept to the rows matching every word of `q` (see search_filter); the words; per
    word, the score of a match (an expression), none on SQLite; and, when each word matches
    one way, as a substring (PostgreSQL, three letters or more, found as written or with one
    correction), per word that text and its points."""
    words = [w for w in re.split(r"\W+", q.lower()) if w][:MAX_SEARCH_WORDS]
    if not words:
        return qs, [], [], None
    if connection.vendor != "postgresql":
        for word in words:
            qs = qs.filter(search_document__contains=word)
        return qs, [], [], None

    corrections = _corrections(qs, words)
    scores, one_way = [], []
    for word in words:
        if len(word) < 3:
            # Too short for a trigram: the start of a word (full-text index).
            qs = qs.filter(_prefix_matches(word))
            scores.append(_points(1))
            one_way = None
        elif word in corrections:
            near = corrections[word]
            qs = qs.filter(
                reduce(or_, (Q(search_document__contains=w) for w, _ in near), Q(pk__in=[]))
            )
            scores.append(
                Case(
                    *(When(search_document__contains=w, then=_points(sim)) for w, sim in near),
                    default=_points(0),
                )
                if near
                else _points(0)
            )
            one_way = one_way + near if one_way is not None and len(near) == 1 else None
        else:
            qs = qs.filter(search_document__contains=word)
            scores.append(_points(1))
            one_way = one_way + [(word, 1.0)] if one_way is not None else None
    return qs, words, scores, one_way


def _title_scores(title, words: list[str]) -> list:
    if title is None:
        return []
    return [
        Case(When(Contains(title, word), then=_points(1)), default=_points(0)) for word in words
    ]


def _rank(scores: list) -> ExpressionWrapper:
    return ExpressionWrapper(sum(scores, start=_points(0)), output_field=FloatField())


def _points(value: float) -> Cast:
    # A double precision constant: a plain 1.0 is a numeric in PostgreSQL, and adding up and
    # sorting thousands of numerics costs a search for a common word a fifth of its time.
    return Cast(Value(float(value)), FloatField())


CORRECTIONS_PER_WORD = 3


def _corrections(qs: QuerySet, words: list[str]) -> dict[str, list[tuple[str, float]]]:
    """For each word (three letters or more) no row of `qs` contains as written: the most
    similar words of the search vocabulary, with their similarity. One query: per word, a
    probe of `qs` stopped at its first match, and a look-up of the vocabulary (small, with a
    trigram index)."""
    from django.contrib.postgres.search import TrigramSimilarity

    words = [w for w in dict.fromkeys(words) if len(w) >= 3]
    if not words:
        return {}
    text, number = CharField(), FloatField()
    parts = []
    for word in words:
        parts.append(
            qs.filter(search_document__contains=word)
            .order_by()
            .values_list(
                Value(word, output_field=text),
                Value(None, output_field=text),
                Value(None, output_field=number),
            )[:1]
        )
        parts.append(
            SearchWord.objects.filter(word__trigram_similar=word)
            .annotate(similarity=TrigramSimilarity("word", word))
            .order_by("-similarity", "word")
            .values_list(Value(word, output_field=text), "word", "similarity")[
                :CORRECTIONS_PER_WORD
            ]
        )
    found, near = set(), {w: [] for w in words}
    for word, correction, similarity in parts[0].union(*parts[1:], all=True):
        if correction is None:
            found.add(word)
        else:
            near[word].append((correction, round(similarity, 3)))
    return {w: sorted(near[w], key=lambda c: -c[1]) for w in words if w not in found}


def _prefix_matches(word: str) -> Q:
    # Raw SQL so the expression is exactly the one the GIN index was built on.
    return Q(
        RawSQL(
            "to_tsvector('simple'::regconfig, search_document) "
            "@@ to_tsquery('simple'::regconfig, %s)",
            (f"{word}:*",),
            output_field=BooleanField(),
        )
    )
