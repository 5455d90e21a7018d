"""The full export: everything the coordinator's value chains hold, as CSV files in one zip.
The data is theirs.

Rows are read with `iterator()` in chunks of EXPORT_CHUNK (a server-side cursor on PostgreSQL),
so an export of 100,000 partners holds one chunk in memory at a time, and its queries grow with
the chunks, never with the rows.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable, Iterator

from matchmaking.models import Introduction
from partners.exporting import (
    EXPORT_CHUNK,
    PARTNER_HEADER,
    PEOPLE_HEADER,
    csv_lines,
    partner_rows,
    people_rows,
)
from partners.models import (
    Commitment,
    InteractionPartner,
    Interest,
    Need,
    Offer,
    Participation,
    Relationship,
    describe_months,
)
from partners.permissions import coordinated_chain_ids, visible_partners
from partners.selectors import (
    DirectoryFilters,
    partner_directory_queryset,
    people_directory_queryset,
)


def _listing_rows(qs, extra: Callable) -> Iterator[list]:
    for item in (
        qs.select_related("partner", "product")
        .order_by("partner__name", "id")
        .iterator(chunk_size=EXPORT_CHUNK)
    ):
        yield [
            item.partner.name,
            item.product.name,
            item.volume,
            item.unit,
            item.get_period_display(),
            describe_months(item.months),
            *extra(item),
            item.notes,
        ]


def full_export_tables(user) -> list[tuple[str, list[str], Iterable[list]]]:
    """Every table of the coordinator's value chains: (file name, header, rows)."""
    chain_ids = coordinated_chain_ids(user)
    partners, _ = partner_directory_queryset(user, DirectoryFilters())
    partner_ids = visible_partners(user, chain_ids).values("pk")
    people, _ = people_directory_queryset(user, "", None, "")
    participations = (
        Participation.objects.filter(value_chain_id__in=chain_ids)
        .select_related("partner", "value_chain")
        .order_by("value_chain__name", "partner__name", "id")
    )
    interactions = (
        InteractionPartner.objects.filter(partner_id__in=partner_ids)
        .select_related("interaction__logged_by", "partner")
        .order_by("-occurred_on", "interaction_id", "partner__name")
    )
    introductions = (
        Introduction.objects.filter(value_chain_id__in=chain_ids)
        .select_related("value_chain", "partner_a", "partner_b")
        .order_by("-status_changed_at", "id")
    )
    relationships = (
        Relationship.objects.filter(source_id__in=partner_ids, target_id__in=partner_ids)
        .select_related("source", "target")
        .order_by("source__name", "id")
    )
    commitments = (
        Commitment.objects.filter(value_chain_id__in=chain_ids)
        .select_related("value_chain", "partner", "toward")
        .order_by("value_chain__name", "due_on", "id")
    )
    interests = (
        Interest.objects.filter(value_chain_id__in=chain_ids)
        .select_related("value_chain")
        .prefetch_related("partners")
        .order_by("value_chain__name", "id")
    )
    it = {"chunk_size": EXPORT_CHUNK}
    return [
        ("partners.csv", PARTNER_HEADER, partner_rows(partners.order_by("name", "id"))),
        ("people.csv", PEOPLE_HEADER, people_rows(people.order_by("last_name", "id"))),
        (
            "participations.csv",
            ["Value chain", "Partner", "Chain role", "Network role", "Status", "Status since"],
            (
                [
                    p.value_chain.name,
                    p.partner.name,
                    p.get_chain_role_display(),
                    p.get_network_role_display(),
                    p.get_status_display(),
                    p.status_changed_on,
                ]
                for p in participations.iterator(**it)
            ),
        ),
        (
            "offers.csv",
            [
                *("Partner", "Product", "Volume", "Unit", "Per", "Months"),
                *("Delivery radius (km)", "Price from", "Price to", "Notes"),
            ],
            _listing_rows(
                Offer.objects.filter(partner_id__in=partner_ids),
                lambda o: [o.delivery_radius_km, o.price_min, o.price_max],
            ),
        ),
        (
            "needs.csv",
            [
                *("Partner", "Product", "Volume", "Unit", "Per", "Months"),
                *("Maximum distance (km)", "Notes"),
            ],
            _listing_rows(
                Need.objects.filter(partner_id__in=partner_ids), lambda n: [n.max_distance_km]
            ),
        ),
        (
            "interactions.csv",
            [
                *("Interaction", "Date", "Kind", "Topic", "Partner", "Hours"),
                *("Shared with partners", "Follow-up", "Notes", "Logged by"),
            ],
            (
                [
                    link.interaction_id,
                    link.occurred_on,
                    link.interaction.get_kind_display(),
                    link.interaction.topic,
                    link.partner.name,
                    link.interaction.hours,
                    link.interaction.visibility == "shared",
                    link.interaction.follow_up_on,
                    link.interaction.notes,
                    link.interaction.logged_by.email if link.interaction.logged_by else "",
                ]
                for link in interactions.iterator(**it)
            ),
        ),
        (
            "introductions.csv",
            [
                *("Value chain", "Partner", "Introduced to", "Reason", "Status"),
                *("Status since", "Annual sales value", "Annual volume", "Unit"),
            ],
            (
                [
                    i.value_chain.name,
                    i.partner_a.name,
                    i.partner_b.name,
                    i.reason,
                    i.get_status_display(),
                    i.status_changed_at,
                    i.annual_sales_value,
                    i.annual_volume,
                    i.volume_unit,
                ]
                for i in introductions.iterator(**it)
            ),
        ),
        (
            "relationships.csv",
            ["From", "To", "Kind", "Began", "Strength", "Why", "Notes"],
            (
                [
                    r.source.name,
                    r.target.name,
                    r.get_kind_display(),
                    r.began_on,
                    r.get_strength_level_display(),
                    r.strength_reason,
                    r.notes,
                ]
                for r in relationships.iterator(**it)
            ),
        ),
        (
            "commitments.csv",
            ["Value chain", "Partner", "Commitment", "Toward", "Due", "Status", "Evidence"],
            (
                [
                    c.value_chain.name,
                    c.partner.name,
                    c.description,
                    c.toward.name if c.toward else "",
                    c.due_on,
                    c.get_status_display(),
                    c.evidence,
                ]
                for c in commitments.iterator(**it)
            ),
        ),
        (
            "interests.csv",
            ["Value chain", "Kind", "Interest", "Partners"],
            (
                [
                    i.value_chain.name,
                    i.get_kind_display(),
                    i.description,
                    "; ".join(sorted(p.name for p in i.partners.all())),
                ]
                for i in interests.iterator(**it)
            ),
        ),
    ]


def write_full_export(user, target) -> None:
    """Write the coordinator's full export, a zip of CSV files, to the binary file `target`."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, header, rows in full_export_tables(user):
            with archive.open(name, "w") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                text.writelines(csv_lines(header, rows))
                text.flush()
                text.detach()
