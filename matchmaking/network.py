"""The relationship network: how strong each relationship is (from joint interactions and the
pair's introduction), the network map's data, and the gaps in a value chain a coordinator
should act on. Relationships are partners' rows; what makes and strengthens them is here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from partners.models import (
    LAST_CONTACT,
    ChainRole,
    InteractionPartner,
    Need,
    Participation,
    Partner,
    Relationship,
    RelationshipKind,
    RelationshipOrigin,
    ValueChain,
)
from partners.selectors import value_chain_map

from .models import Introduction, IntroductionStatus

RECENT_DAYS = 180
GAP_LIST_LIMIT = 50
MAX_CHAIN_PARTNERS = 10_000_000
MAP_NODE_LIMIT = 5000


@dataclass(frozen=True)
class Strength:
    level: str  # "strong", "active" or "dormant"
    reason: str


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def joint_interactions(partner_ids: list[int], since: datetime.date) -> dict[tuple, int]:
    """How many interactions since `since` each pair of the given partners took part in. The
    partners' recent interaction links are read once (the timeline index) and joined with
    themselves by interaction."""
    recent = InteractionPartner.objects.filter(
        partner_id__in=partner_ids, occurred_on__gte=since
    ).values("interaction_id", "partner_id")
    recent_sql, params = recent.query.sql_with_params()
    sql = f"""
        WITH recent AS ({recent_sql})
        SELECT a.partner_id, b.partner_id, count(*) FROM recent a
        JOIN recent b ON b.interaction_id = a.interaction_id AND b.partner_id > a.partner_id
        GROUP BY a.partner_id, b.partner_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(a, b): n for a, b, n in cursor.fetchall()}


def introduction_states(partner_ids: list[int]) -> dict[tuple, tuple[str, datetime.datetime]]:
    """The latest introduction status of each pair of the given partners."""
    latest: dict[tuple, tuple[str, datetime.datetime]] = {}
    rows = Introduction.objects.filter(
        partner_a_id__in=partner_ids, partner_b_id__in=partner_ids
    ).values_list("partner_a_id", "partner_b_id", "status", "status_changed_at")
    for a, b, status, at in rows:
        key = _pair(a, b)
        if key not in latest or latest[key][1] < at:
            latest[key] = (status, at)
    return latest


@lru_cache(maxsize=4096)  # a map asks for thousands, most of them alike
def strength_of(joint: int, intro: tuple[str, datetime.datetime] | None) -> Strength:
    """Strong when trading or in frequent contact; active with some recent contact or an
    introduction under way; dormant otherwise. The reason says which."""
    reasons = []
    if joint:
        reasons.append(
            f"{joint} joint interaction{'s' if joint != 1 else ''} in {RECENT_DAYS} days"
        )
    else:
        reasons.append(f"no joint interaction in {RECENT_DAYS} days")
    status = intro[0] if intro else None
    if status:
        reasons.append(f"introduction {status.replace('_', ' ')} since {intro[1]:%d %b %Y}")
    if status == "trading" or joint >= 3:
        level = "strong"
    elif joint or status in ("introduced", "talking", "trial_order"):
        level = "active"
    else:
        level = "dormant"
    return Strength(level, "; ".join(reasons))


STRENGTH_BATCH = 5000


def refresh_strengths(relationships: QuerySet[Relationship] | None = None) -> int:
    """Compute and store the strength of the relationships (all of them when None). In
    batches of STRENGTH_BATCH: the batch's rows, the joint interactions and introductions of
    its partners, and one update of the strengths that changed. Returns how many changed."""
    qs = Relationship.objects.all() if relationships is None else relationships
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    since = timezone.localdate() - datetime.timedelta(days=RECENT_DAYS)
    changed = 0
    for start in range(0, len(ids), STRENGTH_BATCH):
        batch = list(
            Relationship.objects.filter(pk__in=ids[start : start + STRENGTH_BATCH]).only(
                "source_id", "target_id", "strength_level", "strength_reason"
            )
        )
        partner_ids = sorted({r.source_id for r in batch} | {r.target_id for r in batch})
        joint = joint_interactions(partner_ids, since)
        intros = introduction_states(partner_ids)
        stale = []
        for r in batch:
            key = _pair(r.source_id, r.target_id)
            strength = strength_of(joint.get(key, 0), intros.get(key))
            if (strength.level, strength.reason) != (r.strength_level, r.strength_reason):
                stale.append((r.pk, strength.level, strength.reason))
        _store_strengths(stale)
        changed += len(stale)
    return changed


def _store_strengths(rows: list[tuple[int, str, str]]) -> None:
    """UPDATE ... FROM (VALUES ...): one statement per thousand rows, where bulk_update's
    CASE per row costs seconds on a whole network."""
    table = Relationship._meta.db_table
    for start in range(0, len(rows), 1000):
        chunk = rows[start : start + 1000]
        values = ", ".join(["(%s, %s, %s)"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH v(id, level, reason) AS (VALUES {values}) "
                f"UPDATE {table} SET strength_level = v.level, strength_reason = v.reason "
                f"FROM v WHERE {table}.id = v.id",
                [value for row in chunk for value in row],
            )


def refresh_pair_strengths(partner_ids: list[int]) -> int:
    """Refresh the relationships among these partners (those of an interaction, or the two
    sides of an introduction)."""
    return refresh_strengths(
        Relationship.objects.filter(source_id__in=partner_ids, target_id__in=partner_ids)
    )


def partner_relationships(partner: Partner) -> list[Relationship]:
    """The partner's relationships, both directions, with their stored strength."""
    return list(
        Relationship.objects.filter(Q(source=partner) | Q(target=partner))
        .select_related("source", "target")
        .order_by("kind", "id")
    )


# --- the network map --------------------------------------------------------------------------

ROLE_COLOURS = {
    ChainRole.PRODUCER: "#2f6b4f",
    ChainRole.PROCESSOR: "#c77d14",
    ChainRole.AGGREGATOR: "#7a5195",
    ChainRole.DISTRIBUTOR: "#2b5590",
    ChainRole.BUYER: "#a23b2a",
    ChainRole.SUPPORT: "#6b7b80",
}


def network_data(chains, chain: ValueChain | None = None) -> dict:
    """Nodes (partners, with stage and chain role) and edges (relationships, with strength)
    of one value chain, or of all the given chains, for the network map."""
    participations = Participation.objects.filter(value_chain__in=chains)
    if chain is not None:
        participations = participations.filter(value_chain=chain)
    rows = list(
        participations.values_list(
            "partner_id", "partner__name", "chain_role", "value_chain__name"
        ).order_by("partner_id")[: MAP_NODE_LIMIT * 2]
    )
    stage_rows = Participation.stages.through.objects.filter(
        participation__in=participations
    ).values_list("participation__partner_id", "stage__position", "stage__name")
    stages: dict[int, tuple[int, str]] = {}
    for partner_id, position, name in stage_rows:
        if partner_id not in stages or position < stages[partner_id][0]:
            stages[partner_id] = (position, name)
    nodes: dict[int, dict] = {}
    for partner_id, name, role, chain_name in rows:
        if partner_id in nodes or len(nodes) >= MAP_NODE_LIMIT:
            continue
        position, stage = stages.get(partner_id, (0, "not placed"))
        nodes[partner_id] = {
            "id": str(partner_id),
            "name": name,
            "role": role,
            "stage": stage,
            "position": position,
            "chain": chain_name,
            "colour": ROLE_COLOURS.get(role, "#6b7b80"),
        }
    # The chain's partners as a subquery: a list of thousands of ids would cost more to send
    # and parse than the query itself. Strengths are stored with the relationships.
    members = participations.values("partner_id")
    relationships = Relationship.objects.filter(
        source_id__in=members, target_id__in=members
    ).values_list("source_id", "target_id", "kind", "strength_level", "strength_reason", "origin")
    kinds = dict(RelationshipKind.choices)
    edges = [
        # (The map derives each edge's width from its strength: 10,000 edges make every
        # byte count.)
        {
            "source": str(source),
            "target": str(target),
            "kind": kinds.get(kind, kind),
            "strength": level,
            "reason": reason,
            "origin": origin,
        }
        for source, target, kind, level, reason, origin in relationships
        if source in nodes and target in nodes  # not a partner beyond MAP_NODE_LIMIT
    ]
    return {
        "nodes": list(nodes.values()),
        "edges": edges,
        "truncated": len(nodes) >= MAP_NODE_LIMIT,
        "roles": {role.label: ROLE_COLOURS[role] for role in ChainRole},
        "origins": dict(RelationshipOrigin.choices),
    }


# --- gaps -------------------------------------------------------------------------------------


def chain_gaps(chain: ValueChain) -> dict:
    """What a coordinator should act on in this chain, each list capped for the page."""
    today = timezone.localdate()
    in_chain = Participation.objects.filter(value_chain=chain)
    stages = value_chain_map(chain, sample=0)
    thin = [s for s in stages if s["gap"]]

    producers = Partner.objects.filter(
        Exists(in_chain.filter(partner=OuterRef("pk"), chain_role=ChainRole.PRODUCER))
    ).exclude(
        Exists(
            Relationship.objects.filter(target=OuterRef("pk"), kind=RelationshipKind.BUYER_SUPPLIER)
        )
    )
    # The chain's partners, computed first as a set (a LIMIT keeps PostgreSQL from folding
    # the subquery into the join): otherwise, for a chain that buys little, it walks every
    # need of an unserved product in the network, in name order, looking for the chain's.
    chain_partners = in_chain.values("partner_id")[:MAX_CHAIN_PARTNERS]
    unmet_needs = (
        Need.objects.filter(partner_id__in=chain_partners, product_id__in=unserved_products(chain))
        .select_related("partner", "product")
        .order_by("product__name", "id")
    )
    # Longest without contact first, from the index on last_contacted_on (never first).
    quiet = (
        Partner.objects.filter(
            Exists(in_chain.filter(partner=OuterRef("pk")).exclude(status="inactive"))
        )
        .alias(last_contact=LAST_CONTACT)
        .filter(last_contact__lt=today - datetime.timedelta(days=settings.VCC_NOT_CONTACTED_DAYS))
        .order_by("last_contact", "id")
    )
    stalled_since = timezone.now() - datetime.timedelta(days=settings.VCC_STALLED_AFTER_DAYS)
    stalled = (
        Introduction.objects.filter(value_chain=chain)
        .filter(
            Q(status=IntroductionStatus.STALLED)
            | Q(
                status__in=["proposed", "introduced", "talking", "trial_order"],
                status_changed_at__lt=stalled_since,
            )
        )
        .select_related("partner_a", "partner_b")
        .order_by("status_changed_at")
    )
    return {
        "stages": stages,
        "thin_stages": thin,
        "producers_without_buyer": list(producers.order_by("name")[:GAP_LIST_LIMIT]),
        "unmet_needs": list(unmet_needs[:GAP_LIST_LIMIT]),
        "not_contacted": list(quiet[:GAP_LIST_LIMIT]),
        "stalled_introductions": list(stalled[:GAP_LIST_LIMIT]),
        "missing_links": missing_links(chain, stages),
        "list_limit": GAP_LIST_LIMIT,
        "not_contacted_days": settings.VCC_NOT_CONTACTED_DAYS,
    }


def unserved_products(chain: ValueChain) -> list[int]:
    """The products no offer in the chain can serve: a need is served by an offer of the same
    product, or of its parent or a child in the taxonomy. One query over the product table
    (a few hundred rows), each product's offers probed through their index until one from
    the chain turns up; the needs are then read by product, not all scanned."""
    sql = """
        WITH offered AS (
            SELECT pr.id FROM partners_product pr WHERE EXISTS (
                SELECT 1 FROM partners_offer o
                JOIN partners_participation p
                  ON p.partner_id = o.partner_id AND p.value_chain_id = %s
                WHERE o.product_id = pr.id
            )
        )
        , served AS (
            SELECT id FROM partners_product
            WHERE id IN (SELECT id FROM offered) OR parent_id IN (SELECT id FROM offered)
            UNION
            SELECT parent_id FROM partners_product
            WHERE parent_id IS NOT NULL AND id IN (SELECT id FROM offered)
        )
        SELECT id FROM partners_product WHERE id NOT IN (SELECT id FROM served)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [chain.pk])
        return [row[0] for row in cursor.fetchall()]


# A relationship (either way) between a partner at one stage of the chain and one at the
# other: EXISTS stops at the first it finds, so a linked pair costs a few index look-ups.
_LINKED = """EXISTS (
    SELECT 1 FROM partners_participation_stages xa
    JOIN partners_participation pa ON pa.id = xa.participation_id
    JOIN partners_relationship r ON r.source_id = pa.partner_id
    JOIN partners_participation pb ON pb.partner_id = r.target_id AND pb.value_chain_id = %s
    JOIN partners_participation_stages xb ON xb.participation_id = pb.id
    WHERE xa.stage_id IN (%s, %s) AND xb.stage_id IN (%s, %s) AND xa.stage_id <> xb.stage_id
)"""


def missing_links(chain: ValueChain, stages: list[dict]) -> list[tuple]:
    """Consecutive stages with no relationship between any partner of one and of the next
    (in either direction). One query, one EXISTS per pair of stages."""
    ordered = [s["stage"] for s in stages]
    pairs = list(zip(ordered, ordered[1:], strict=False))
    if not pairs:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join([_LINKED] * len(pairs)),
            [v for a, b in pairs for v in (chain.pk, a.pk, b.pk, a.pk, b.pk)],
        )
        linked = cursor.fetchone()
    return [pair for pair, link in zip(pairs, linked, strict=True) if not link]
