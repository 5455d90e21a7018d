"""Synthetic activity on a generated network, for benchmarks: interactions, introductions and
relationships between partners of the same value chain, and the coordinators' tasks about
them (COPY on PostgreSQL, as generate.py).

`generate_activity(interactions=1_000_000, introductions=100_000, relationships=..., tasks=...)`
reads the partners already in each chain and adds the rows in one transaction."""

from __future__ import annotations

import datetime
import random
import time
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from devdata.generate import first_free_id, reset_sequence, write_rows
from followups.models import Task
from matchmaking.models import CLOSED, OPEN, Introduction, IntroductionStatus
from matchmaking.network import refresh_strengths
from partners.models import (
    Interaction,
    InteractionKind,
    InteractionPartner,
    Participation,
    Relationship,
    RelationshipKind,
    RelationshipOrigin,
    StrengthLevel,
    ValueChain,
    Visibility,
)
from partners.permissions import COORDINATORS_GROUP

CHUNK = 100_000
TOPICS = [
    "Price list for the season",
    "Delivery schedule",
    "Food-safety plan review",
    "Grading and sizes",
    "Cold-chain question",
    "Invoice follow-up",
    "Introduction follow-up",
    "Working-group update",
    "Site visit report",
    "Loan application help",
]
KINDS = list(InteractionKind.values)
REL_KINDS = list(RelationshipKind.values)
TASK_TITLES = [
    "Call about the trial order",
    "Send the price list",
    "Check the delivery dates",
    "Ask for the food-safety certificate",
    "Visit the packhouse",
    "Confirm the volumes for the season",
]
STATUSES = list(IntroductionStatus.values)


def chain_members(chain_ids: list[int] | None = None) -> dict[int, list[int]]:
    """The partner ids of each value chain (those given, or every chain)."""
    qs = Participation.objects.all()
    if chain_ids:
        qs = qs.filter(value_chain_id__in=chain_ids)
    members: dict[int, list[int]] = defaultdict(list)
    for chain_id, partner_id in qs.values_list("value_chain_id", "partner_id").iterator(
        chunk_size=20_000
    ):
        members[chain_id].append(partner_id)
    return {chain: ids for chain, ids in members.items() if len(ids) >= 2}


def _pick_chain(rng: random.Random, chains: list[int], weights: list[int]) -> int:
    return rng.choices(chains, weights=weights)[0]


def generate_activity(
    interactions: int = 0,
    introductions: int = 0,
    relationships: int = 0,
    chain_ids: list[int] | None = None,
    seed: int = 7,
    tasks: int = 0,
) -> dict:
    """Add interactions, introductions and relationships among the partners of the chains, and
    `tasks` for the chains' coordinators (due from a month ago to two months ahead, a fifth of
    them done), each about a partner of the chain."""
    started = time.monotonic()
    rng = random.Random(seed)
    members = chain_members(chain_ids)
    if not members:
        raise ValueError("no value chain with two partners or more: generate a network first")
    chains = list(members)
    weights = [len(members[c]) for c in chains]
    today = timezone.localdate()
    now = timezone.now()
    logger = (
        get_user_model()
        .objects.filter(groups__name=COORDINATORS_GROUP)
        .order_by("id")
        .values_list("id", flat=True)
    ).first()
    counts = {
        "interactions": 0,
        "interaction_partners": 0,
        "introductions": 0,
        "relationships": 0,
        "tasks": 0,
    }

    with transaction.atomic():
        next_id = first_free_id(Interaction)
        for done in range(0, interactions, CHUNK):
            rows, links = [], []
            for i in range(min(CHUNK, interactions - done)):
                pk = next_id + done + i
                chain = _pick_chain(rng, chains, weights)
                when = today - datetime.timedelta(days=int(rng.expovariate(1 / 120)) % 730)
                kind = rng.choice(KINDS)
                hours = (
                    f"{rng.choice([1, 1.5, 2, 3, 4])}" if kind == "technical_assistance" else None
                )
                rows.append(
                    (
                        pk,
                        kind,
                        when,
                        rng.choice(TOPICS),
                        hours,
                        "",
                        rng.choice([Visibility.SHARED, Visibility.COORDINATORS]),
                        None,
                        logger,
                        now,
                    )
                )
                for partner in set(
                    rng.sample(members[chain], min(len(members[chain]), rng.choice([1, 1, 2, 3])))
                ):
                    links.append((pk, partner, when))
            counts["interactions"] += write_rows(
                Interaction,
                [
                    "id",
                    "kind",
                    "occurred_on",
                    "topic",
                    "hours",
                    "notes",
                    "visibility",
                    "follow_up_on",
                    "logged_by_id",
                    "created_at",
                ],
                rows,
            )
            counts["interaction_partners"] += write_rows(
                InteractionPartner, ["interaction_id", "partner_id", "occurred_on"], links
            )

        rows, open_pairs = [], set()
        next_id = first_free_id(Introduction)
        while len(rows) < introductions:
            chain = _pick_chain(rng, chains, weights)
            a, b = rng.sample(members[chain], 2)
            status = rng.choice(STATUSES)
            pair = (min(a, b), max(a, b))
            if status in OPEN:
                if pair in open_pairs:
                    status = rng.choice(CLOSED)
                else:
                    open_pairs.add(pair)
            changed = now - datetime.timedelta(days=rng.randint(0, 365), hours=rng.randint(0, 23))
            sales = f"{rng.randint(5, 500) * 1000}" if status == "trading" else None
            rows.append(
                (
                    next_id + len(rows),
                    chain,
                    a,
                    b,
                    "Generated for the benchmark",
                    status,
                    changed,
                    sales,
                    "",
                    logger,
                    changed,
                )
            )
        counts["introductions"] = write_rows(
            Introduction,
            [
                "id",
                "value_chain_id",
                "partner_a_id",
                "partner_b_id",
                "reason",
                "status",
                "status_changed_at",
                "annual_sales_value",
                "volume_unit",
                "created_by_id",
                "created_at",
            ],
            rows,
        )

        rows, seen = [], set()
        while len(rows) < relationships:
            chain = _pick_chain(rng, chains, weights)
            source, target = rng.sample(members[chain], 2)
            kind = rng.choice(REL_KINDS)
            if (source, target, kind) in seen:
                continue
            seen.add((source, target, kind))
            began = today - datetime.timedelta(days=rng.randint(30, 3650))
            rows.append(
                (
                    source,
                    target,
                    kind,
                    began,
                    "",
                    now,
                    StrengthLevel.DORMANT,
                    "",
                    RelationshipOrigin.RECORDED,
                    "",
                )
            )
        counts["relationships"] = write_rows(
            Relationship,
            [
                *("source_id", "target_id", "kind", "began_on", "notes", "created_at"),
                *("strength_level", "strength_reason"),  # refreshed at the end
                *("origin", "origin_url"),
            ],
            rows,
        )
        counts["tasks"] = _write_tasks(rng, tasks, members, chains, weights, today, now)
        for model in (Interaction, Introduction, Relationship, Task):
            reset_sequence(model)
        if interactions:
            with connection.cursor() as cursor:
                # What services.note_contact does per interaction, for all of them at once.
                cursor.execute(
                    "UPDATE partners_partner SET last_contacted_on = m.last FROM ("
                    "SELECT partner_id, max(occurred_on) AS last "
                    "FROM partners_interactionpartner GROUP BY partner_id) AS m "
                    "WHERE partners_partner.id = m.partner_id AND ("
                    "partners_partner.last_contacted_on IS NULL "
                    "OR partners_partner.last_contacted_on < m.last)"
                )

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE partners_interaction, partners_interactionpartner, "
                "matchmaking_introduction, partners_relationship, followups_task"
            )
    # What the services keep as each interaction, introduction or relationship is recorded.
    counts["strengths_changed"] = refresh_strengths()
    return {**counts, "seconds": round(time.monotonic() - started, 2)}


def _write_tasks(rng, tasks, members, chains, weights, today, now) -> int:
    """`tasks` tasks, each for a coordinator of a chain about one of its partners."""
    coordinators: dict[int, list[int]] = defaultdict(list)
    for chain_id, user_id in ValueChain.coordinators.through.objects.filter(
        valuechain_id__in=chains
    ).values_list("valuechain_id", "user_id"):
        coordinators[chain_id].append(user_id)
    with_coordinators = [(c, w) for c, w in zip(chains, weights, strict=True) if coordinators[c]]
    if not tasks or not with_coordinators:
        return 0
    task_chains, task_weights = zip(*with_coordinators, strict=True)
    rows = []
    for _ in range(tasks):
        chain = _pick_chain(rng, list(task_chains), list(task_weights))
        assignee = rng.choice(coordinators[chain])
        due = today + datetime.timedelta(days=rng.randint(-30, 60))
        done = now - datetime.timedelta(days=rng.randint(0, 30)) if rng.random() < 0.2 else None
        title = f"{rng.choice(TASK_TITLES)}"
        rows.append(
            (chain, title, "", due, done, assignee, rng.choice(members[chain]), assignee, now, now)
        )
    return write_rows(
        Task,
        [
            *("value_chain_id", "title", "notes", "due_on", "done_at", "assignee_id"),
            *("partner_id", "created_by_id", "created_at", "updated_at"),
        ],
        rows,
    )
