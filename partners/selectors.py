"""Reads of the partner directory: querysets with their joins and prefetches already done."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
    Window,
    prefetch_related_objects,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Concat, Lower, RowNumber
from django.db.models.lookups import Contains

from vcc.paging import Page, Unindexed, keyset_page

from .models import (
    Affiliation,
    ChangeRecord,
    Commitment,
    Interaction,
    InteractionPartner,
    Interest,
    Need,
    Offer,
    Participation,
    Partner,
    Person,
    SearchWord,
    Stage,
    ValueChain,
    Visibility,
)
from .permissions import (
    coordinated_chain_ids_and_all,
    coordinated_chains,
    visible_partners,
    visible_people,
)

MAX_SEARCH_WORDS = 5
PARTNER_SORTS = {
    "name": ["name", "id"],
    "-name": ["-name", "-id"],
    "region": ["region", "name", "id"],
    "-updated": ["-updated_at", "-id"],
}
# The same sorts for search results, by keys no index holds (see partner_directory).
SEARCH_SORTS = {
    "name": ["name_key", "id"],
    "-name": ["-name_key", "-id"],
    "region": ["region_key", "name_key", "id"],
}
PEOPLE_SORTS = {
    "name": ["last_name", "first_name", "id"],
    "-name": ["-last_name", "-first_name", "-id"],
}


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


@dataclass
class DirectoryFilters:
    q: str = ""
    chain: int | None = None
    stage: int | None = None
    chain_role: str = ""
    kind: str = ""
    product: int | None = None
    region: str = ""
    status: str = ""
    certification: int | None = None
    sort: str = ""  # "" sorts by best match when searching, else by name


def partner_directory(user, f: DirectoryFilters, cursor: str | None) -> Page:
    """One page of the partners the user may see, filtered, searched and sorted. Best matches
    first are read in two parts (partner_search_parts): with a word in the name, and not."""
    parts, ordering, chains_shown = _partner_directory_parts(user, f, for_page=True)
    ahead = None
    if f.q and f.sort in ("name", "-name") and connection.vendor == "postgresql":
        # Search results by name: a first look along the name index (migration 0013).
        ahead = Partner.objects.annotate(name_key=Lower("name"))
    page = keyset_page(parts, ordering, cursor, settings.VCC_PAGE_SIZE, ahead=ahead)
    # After paging: a first look that found too few rows has nothing prefetched for them.
    prefetch_related_objects(page.rows, chains_shown)
    return page


def partner_directory_queryset(user, f: DirectoryFilters) -> tuple[QuerySet[Partner], list[str]]:
    """The partners the user may see, filtered and searched, each with `chains_shown` (its
    participations in the user's chains); and the order to read them in."""
    (qs,), ordering, chains_shown = _partner_directory_parts(user, f, for_page=False)
    return qs.prefetch_related(chains_shown), ordering


# What a directory page shows of a partner (and sorts it by): an export reads every column.
DIRECTORY_COLUMNS = ["id", "name", "kind", "size", "region", "updated_at"]


def _partner_directory_parts(
    user, f: DirectoryFilters, for_page: bool
) -> tuple[list[QuerySet[Partner]], list[str], Prefetch]:
    """The parts of the list (see partner_search_parts), the order to read them in, and the
    prefetch of each partner's participations in the user's chains (`chains_shown`)."""
    chain_ids, every_chain = coordinated_chain_ids_and_all(user)
    qs = visible_partners(user, chain_ids)
    in_chain = {
        "value_chain_id": f.chain,
        "stages__id": f.stage,
        "chain_role": f.chain_role,
        "status": f.status,
    }
    in_chain = {field: value for field, value in in_chain.items() if value}
    by_chain_name = f.chain and not f.q and f.sort in ("", "name", "-name")
    if by_chain_name:
        # One chain's partners by name: joined with their participation in it (one each),
        # which carries the partner's name, so the chain's index gives them in order, and a
        # rare role or status costs a walk along that index, not a test of every partner.
        qs = qs.filter(**{f"participations__{k}": v for k, v in in_chain.items()})
        qs = qs.annotate(chain_name=F("participations__partner_name"))
    elif in_chain:
        qs = qs.filter(Exists(Participation.objects.filter(partner=OuterRef("pk"), **in_chain)))
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.region:
        qs = qs.filter(region__istartswith=f.region)
    if f.certification:
        qs = qs.filter(
            Exists(
                Partner.certifications.through.objects.filter(
                    partner_id=OuterRef("pk"), certification_id=f.certification
                )
            )
        )
    if f.product:
        qs = qs.filter(
            Exists(Offer.objects.filter(partner=OuterRef("pk"), product_id=f.product))
            | Exists(Need.objects.filter(partner=OuterRef("pk"), product_id=f.product))
        )
    # Neither page nor export shows descriptions or the search text: leave them in the table.
    qs = qs.only(*DIRECTORY_COLUMNS) if for_page else qs.defer("description", "search_document")
    by_relevance = f.q and f.sort in ("relevance", "")
    filtered = any(value for name, value in vars(f).items() if name not in ("q", "sort"))
    if by_relevance and for_page and every_chain and not filtered:
        # In parts only a search of the whole network: a part read in id order walks the id
        # index, and tests each partner it passes against the filters, the coordinator's
        # chains among them. When a word is common elsewhere and rare there ("lettuce" for a
        # coordinator of one chain), the walk covers the table: 9 -> 97 ms.
        parts = partner_search_parts(qs, f.q)
    else:
        parts = [search_filter(qs, f.q, Lower("name"))]
    if by_relevance:
        ordering = ["-rank", "id"]
    elif f.q and f.sort in SEARCH_SORTS:
        # Sorted search results: the matches are gathered from the search indexes first, then
        # sorted by a key no index holds (Unindexed). Walking the name index and testing
        # every partner against the search is what the planner would otherwise do when it
        # thinks a word common, and a rare word then costs a scan of the whole table. By name,
        # partner_directory first walks a bounded stretch of that index itself.
        parts = [
            part.annotate(name_key=Unindexed(Lower("name")), region_key=Lower("region"))
            for part in parts
        ]
        ordering = SEARCH_SORTS[f.sort]
    elif by_chain_name:
        ordering = ["-chain_name", "-id"] if f.sort == "-name" else ["chain_name", "id"]
    else:
        ordering = PARTNER_SORTS.get(f.sort, PARTNER_SORTS["name"])
    chains_shown = Prefetch(
        "participations",
        queryset=Participation.objects.select_related("value_chain")
        .only("partner", "chain_role", "status", "value_chain__name")
        .filter(value_chain_id__in=chain_ids),
        # A plain list per partner: no related manager and queryset built for each row.
        to_attr="chains_shown",
    )
    return parts, ordering, chains_shown


PEOPLE_COLUMNS = ["id", "first_name", "last_name", "email", "phone", "consent_to_contact"]


def people_directory(user, q: str, chain: int | None, sort: str, cursor: str | None) -> Page:
    """One page of the people the user may see, searched and sorted."""
    qs, ordering = people_directory_queryset(user, q, chain, sort)
    return keyset_page(qs, ordering, cursor, settings.VCC_PAGE_SIZE)


def people_directory_queryset(
    user, q: str, chain: int | None, sort: str
) -> tuple[QuerySet[Person], list[str]]:
    """The people the user may see, searched, with their affiliations; and their order."""
    qs = visible_people(user)
    if chain:
        in_chain = Participation.objects.filter(
            partner_id=OuterRef("partner_id"), value_chain_id=chain
        )
        qs = qs.filter(Exists(Affiliation.objects.filter(Exists(in_chain), person=OuterRef("pk"))))
    qs = search_filter(qs, q, Lower(Concat("first_name", Value(" "), "last_name")))
    ordering = ["-rank", "id"] if q and sort in ("relevance", "") else PEOPLE_SORTS.get(sort)
    ordering = ordering or PEOPLE_SORTS["name"]
    # What the page and its export show, no more: a person's search text and dates, and a
    # partner's profile, are the bulk of the rows otherwise.
    qs = qs.only(*PEOPLE_COLUMNS).prefetch_related(
        Prefetch(
            "affiliations",
            queryset=Affiliation.objects.select_related("partner").only(
                "person", "title", "partner__name"
            ),
        )
    )
    return qs, ordering


def directory_choices(user) -> dict:
    """What the directory's filter menus offer: the user's chains with their stages."""
    stages = list(
        Stage.objects.filter(value_chain__in=coordinated_chains(user))
        .select_related("value_chain")
        .only("name", "position", "value_chain__name")
        .order_by("value_chain__name", "position")
    )
    return {"stages": stages}


def partner_overview(partner: Partner, user) -> dict:
    """The partner page's first tab: people, participations, interests, commitments."""
    return {
        "certifications": list(partner.certifications.all()),
        "affiliations": list(
            Affiliation.objects.filter(partner=partner)
            .select_related("person")
            .order_by("person__last_name", "person__first_name")
        ),
        "participations": list(
            Participation.objects.filter(partner=partner)
            .select_related("value_chain")
            .prefetch_related(Prefetch("stages", queryset=Stage.objects.order_by("position")))
            .order_by("value_chain__name")
        ),
        "interests": list(
            Interest.objects.filter(partners=partner)
            .select_related("value_chain")
            .annotate(partner_count=Count("partners"))
        ),
        "commitments": list(
            Commitment.objects.filter(partner=partner)
            .select_related("value_chain", "toward")
            .order_by(F("due_on").asc(nulls_last=True), "id")
        ),
    }


def partner_listings(partner: Partner) -> dict:
    """The partner page's offers and needs, with products and certifications."""
    return {
        "offers": list(
            Offer.objects.filter(partner=partner)
            .select_related("product")
            .prefetch_related("certifications")
        ),
        "needs": list(
            Need.objects.filter(partner=partner)
            .select_related("product")
            .prefetch_related("required_certifications")
        ),
    }


def partner_history(partner: Partner, cursor: str | None) -> Page:
    """The partner's change history, newest first, paged."""
    qs = ChangeRecord.objects.filter(partner=partner).select_related("user")
    return keyset_page(qs, ["-at", "-id"], cursor, 30)


STAGE_SAMPLE = 12


def value_chain_map(chain: ValueChain, sample: int = STAGE_SAMPLE) -> list[dict]:
    """The chain's stages in order: each with how many partners it has, whether it is thin
    (a gap), and the first `sample` of its partners by name (the directory lists them all).

    Two queries whatever the chain's size: the stages with their counts, and the samples of
    every stage at once (a window function numbers the partners within their stage).
    """
    stages = list(chain.stages.annotate(partner_count=Count("participations")).order_by("position"))
    counts = {s.pk: s.partner_count for s in stages}
    through = Participation.stages.through.objects.filter(stage__value_chain=chain)
    by_stage: dict[int, list] = {s.pk: [] for s in stages}
    if sample:
        links = (
            through.annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("stage_id")],
                    order_by=[F("participation__partner__name"), F("participation__partner_id")],
                )
            )
            .filter(rank__lte=sample)
            .select_related("participation__partner")
            .order_by("stage_id", "rank")
        )
        for link in links:
            by_stage[link.stage_id].append(link.participation)
    threshold = settings.VCC_THIN_STAGE_THRESHOLD
    rows = []
    for s in stages:
        count = counts.get(s.pk, 0)
        gap = "none" if count == 0 else "few" if count < threshold else ""
        rows.append(
            {
                "stage": s,
                "participations": by_stage[s.pk],
                "count": count,
                "more": count - len(by_stage[s.pk]),
                "gap": gap,
            }
        )
    return rows


def unstaged_participations(chain: ValueChain, limit: int = 50) -> list[Participation]:
    """Partners in the chain not placed at any stage yet (the first `limit` by name)."""
    return list(
        Participation.objects.filter(value_chain=chain, stages__isnull=True)
        .select_related("partner")
        .order_by("partner__name")[:limit]
    )


def chains_overview(user) -> QuerySet[ValueChain]:
    """The user's value chains with partner and stage counts."""
    return coordinated_chains(user).annotate(
        partner_count=Coalesce(
            Subquery(
                Participation.objects.filter(value_chain=OuterRef("pk"))
                .values("value_chain")
                .annotate(c=Count("*"))
                .values("c")
            ),
            0,
        ),
        stage_count=Coalesce(
            Subquery(
                Stage.objects.filter(value_chain=OuterRef("pk"))
                .values("value_chain")
                .annotate(c=Count("*"))
                .values("c")
            ),
            0,
        ),
    )


def person_affiliations(person: Person) -> list[Affiliation]:
    return list(person.affiliations.select_related("partner").order_by("partner__name"))


TIMELINE_PAGE = 20


def partner_timeline(partner: Partner, *, coordinator: bool, cursor: str | None) -> Page:
    """The partner's interactions, newest first, paged; partners see only shared ones."""
    qs = InteractionPartner.objects.filter(partner=partner).select_related("interaction__logged_by")
    if not coordinator:
        qs = qs.filter(interaction__visibility=Visibility.SHARED)
    page = keyset_page(qs, ["-occurred_on", "-interaction_id"], cursor, TIMELINE_PAGE)
    page.rows = [row.interaction for row in page.rows]
    _attach_interaction_parties(page.rows)
    return page


def person_timeline(person: Person, cursor: str | None) -> Page:
    """The person's interactions, newest first, paged (coordinators only)."""
    qs = Interaction.objects.filter(people=person).select_related("logged_by")
    page = keyset_page(qs, ["-occurred_on", "-id"], cursor, TIMELINE_PAGE)
    _attach_interaction_parties(page.rows)
    return page


def _attach_interaction_parties(interactions: list[Interaction]) -> None:
    """Prefetch the partners and people of a page of interactions (two queries)."""
    prefetch_related_objects(
        interactions,
        Prefetch("partners", queryset=Partner.objects.only("id", "name")),
        Prefetch("people", queryset=Person.objects.only("id", "first_name", "last_name")),
    )
