"""Reads of the partner directory: querysets with their joins and prefetches already done."""

from __future__ import annotations

from dataclasses import dataclass

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Concat, Lower, RowNumber
from django.utils import timezone

from vcc import hooks
from vcc.paging import Page, keyset_page

from .models import (
    Affiliation,
    Certification,
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
    Product,
    Stage,
    ValueChain,
    Visibility,
)
from .permissions import (
    coordinates_chain,
    seen_chain_ids_and_all,
    seen_chains,
    visible_partners,
    visible_people,
)
from .search import partner_search, search_filter

PARTNER_SORTS = {
    "name": ["name", "id"],
    "-name": ["-name", "-id"],
    "region": ["region", "name", "id"],
    "-updated": ["-updated_at", "-id"],
}
PEOPLE_SORTS = {
    "name": ["last_name", "first_name", "id"],
    "-name": ["-last_name", "-first_name", "-id"],
}


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
    first over the whole network are read in two parts (see partners.search)."""
    parts, ordering, chains_shown, ahead = _partner_directory_parts(user, f, for_page=True)
    page = keyset_page(parts, ordering, cursor, settings.VCC_PAGE_SIZE, ahead=ahead)
    # After paging: a first look that found too few rows has nothing prefetched for them.
    prefetch_related_objects(page.rows, chains_shown)
    return page


def partner_directory_queryset(user, f: DirectoryFilters) -> tuple[QuerySet[Partner], list[str]]:
    """The partners the user may see, filtered and searched, each with `chains_shown` (its
    participations in the user's chains); and the order to read them in."""
    (qs,), ordering, chains_shown, _ = _partner_directory_parts(user, f, for_page=False)
    certifications = Prefetch("certifications", queryset=Certification.objects.only("name"))
    stages = Prefetch("chains_shown__stages", queryset=Stage.objects.only("name"))
    return qs.prefetch_related(chains_shown, stages, certifications), ordering


# What a directory page shows of a partner (and sorts it by): an export reads every column.
DIRECTORY_COLUMNS = ["id", "name", "kind", "size", "region", "updated_at"]


def _partner_directory_parts(
    user, f: DirectoryFilters, for_page: bool
) -> tuple[list[QuerySet[Partner]], list[str], Prefetch, QuerySet[Partner] | None]:
    """The parts of the list (see search.partner_search), the order to read them in, the
    prefetch of each partner's participations in the user's chains (`chains_shown`), and the
    table a sorted search first looks along."""
    chain_ids, every_chain = seen_chain_ids_and_all(user)
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
    # The page shows neither descriptions nor the search text; the export carries the
    # description (the import reads it back), not the search text.
    qs = qs.only(*DIRECTORY_COLUMNS) if for_page else qs.defer("search_document")
    filtered = any(value for name, value in vars(f).items() if name not in ("q", "sort"))
    search = None
    if f.q:
        search = partner_search(
            qs, f.q, sort=f.sort, whole_network=for_page and every_chain and not filtered
        )
    if search is not None and search.ordering:
        parts, ordering = search.parts, search.ordering
    elif by_chain_name:
        parts = [qs]
        ordering = ["-chain_name", "-id"] if f.sort == "-name" else ["chain_name", "id"]
    else:
        parts = search.parts if search is not None else [qs]
        ordering = PARTNER_SORTS.get(f.sort, PARTNER_SORTS["name"])
    chains_shown = Prefetch(
        "participations",
        queryset=Participation.objects.select_related("value_chain")
        .only(
            "partner",
            "chain_role",
            "network_role",
            "status",
            "status_changed_on",
            "value_chain__name",
        )
        .filter(value_chain_id__in=chain_ids),
        # A plain list per partner: no related manager and queryset built for each row.
        to_attr="chains_shown",
    )
    return parts, ordering, chains_shown, search.ahead if search is not None else None


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
        Stage.objects.filter(value_chain__in=seen_chains(user))
        .select_related("value_chain")
        .only("name", "position", "value_chain__name")
        .order_by("value_chain__name", "position")
    )
    return {"stages": stages}


def partner_overview(partner: Partner, user) -> dict:
    """The partner page's first tab: people, participations, interests, and commitments,
    those it made and those made toward it (a commitment shows on both parties' pages)."""
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
            Commitment.objects.filter(Q(partner=partner) | Q(toward=partner))
            .select_related("value_chain", "toward", "partner", "product")
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


def chain_observers(chain: ValueChain) -> list:
    """The chain's observers, by email, with whether they have signed in yet."""
    return list(chain.observers.order_by("username").only("username", "email", "last_login"))


def chains_overview(user) -> QuerySet[ValueChain]:
    """The user's value chains (coordinated or observed: `user_coordinates` says which) with
    partner and stage counts."""
    return seen_chains(user).annotate(
        user_coordinates=coordinates_chain(user, OuterRef("pk")),
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


def chain_stages(chain: ValueChain) -> list[Stage]:
    """The chain's stages in order, each with how many partners are placed at it."""
    return list(chain.stages.annotate(partner_count=Count("participations")).order_by("position"))


def product_tree() -> list[dict]:
    """Every product in taxonomy order, each with its depth and how many offers and needs
    name it (one query for the products, two for the counts)."""
    products = list(Product.objects.only("id", "name", "parent_id", "unit"))
    offers = dict(
        Offer.objects.values("product").annotate(n=Count("*")).values_list("product", "n")
    )
    needs = dict(Need.objects.values("product").annotate(n=Count("*")).values_list("product", "n"))
    children: dict[int | None, list[Product]] = {}
    for p in products:
        children.setdefault(p.parent_id, []).append(p)
    rows: list[dict] = []

    def walk(parent_id, depth):
        for p in sorted(children.get(parent_id, []), key=lambda p: p.name.lower()):
            rows.append(
                {
                    "product": p,
                    "depth": depth,
                    "offers": offers.get(p.pk, 0),
                    "needs": needs.get(p.pk, 0),
                }
            )
            walk(p.pk, depth + 1)

    walk(None, 0)
    return rows


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
    """Prefetch the partners and people of a page of interactions (two queries), and what
    higher apps add to them (vcc.hooks.INTERACTION_DETAILS: one query each)."""
    prefetch_related_objects(
        interactions,
        Prefetch("partners", queryset=Partner.objects.only("id", "name")),
        Prefetch("people", queryset=Person.objects.only("id", "first_name", "last_name")),
    )
    if interactions:
        for add_details in hooks.INTERACTION_DETAILS.values():
            add_details(interactions)


# --- contacts and pickers ---------------------------------------------------------------------

PICKER_LIMIT = 50


def partner_people(partner_id: int) -> QuerySet[Person]:
    """The people of one partner, its main contact first (see main_contact)."""
    return (
        Person.objects.filter(affiliations__partner_id=partner_id)
        .annotate(affiliated_id=F("affiliations__id"))
        .order_by("affiliated_id")
    )


def main_contact(people) -> Person | None:
    """A partner's main contact among `people` (partner_people, evaluated): the first person
    recorded at it who has an email address (a follow-up can reach them), else the first."""
    people = list(people)
    return next((p for p in people if p.email), people[0] if people else None)


def chain_people(
    chain_id: int, q: str = "", limit: int = PICKER_LIMIT, person_ids=None
) -> list[Affiliation]:
    """People of the chain's partners for a picker, as affiliations (person and partner joined,
    so a choice reads "Thandi Nkosi — Umvoti Timber"); `q` matches first name, last name or
    organisation. A person at two of the chain's partners appears once per partner."""
    rows = Affiliation.objects.filter(partner__participations__value_chain_id=chain_id)
    if person_ids is not None:
        rows = rows.filter(person_id__in=person_ids)
    for word in q.split()[:4]:
        rows = rows.filter(
            Q(person__first_name__icontains=word)
            | Q(person__last_name__icontains=word)
            | Q(partner__name__icontains=word)
        )
    return list(
        rows.select_related("person", "partner").order_by(
            "person__last_name", "person__first_name", "partner__name", "pk"
        )[:limit]
    )


def chain_partners(chain_id: int, q: str = "", limit: int = PICKER_LIMIT) -> list[Partner]:
    """Partners of the chain for a picker, by name; `q` matches the name."""
    rows = Partner.objects.filter(participations__value_chain_id=chain_id)
    for word in q.split()[:4]:
        rows = rows.filter(name__icontains=word)
    return list(rows.order_by("name", "pk")[:limit])


def sign_in_locked(person: Person) -> bool:
    """Whether the person's account is locked out of signing in (django-axes): as many wrong
    passwords for their username within the lockout time as the limit allows. One query."""
    if person.user_id is None:
        return False
    username = get_user_model().objects.filter(pk=person.user_id).values("username")
    attempts = AccessAttempt.objects.filter(username=Subquery(username))
    cool_off = get_cool_off()
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    failures = attempts.aggregate(n=Coalesce(Sum("failures_since_start"), 0))["n"]
    return failures >= settings.AXES_FAILURE_LIMIT
