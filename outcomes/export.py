"""The full export: everything the coordinator's value chains hold, as CSV files in one zip.
The data is theirs.

Every model of the project is either in a file of the export (TABLE_MODELS here, and the
files other apps register in vcc.hooks.EXPORT_TABLES: imports, captured email, tasks) or kept
out on purpose with why (NOT_EXPORTED here, and vcc.hooks.NOT_EXPORTED):
tests/outcomes/test_export_registry.py fails on a model that is in neither.

Rows are read with `iterator()` in chunks of EXPORT_CHUNK (a server-side cursor on PostgreSQL),
so an export of 100,000 partners holds one chunk in memory at a time, and its queries grow with
the chunks, never with the rows.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable, Iterator

from convenings.models import ActionItem, ActionUpdate, Convening, Invitee, WorkingGroup
from matchmaking.models import Dismissal, Introduction, IntroductionEvent, MatchSettings
from partners.exporting import (
    EXPORT_CHUNK,
    PARTNER_HEADER,
    PEOPLE_HEADER,
    csv_lines,
    model_header,
    model_rows,
    partner_rows,
    people_rows,
)
from partners.models import (
    ChangeRecord,
    Commitment,
    InteractionPartner,
    Interest,
    Invitation,
    Need,
    Offer,
    Participation,
    Relationship,
    Stage,
    ValueChain,
    describe_months,
)
from partners.permissions import coordinated_chain_ids, visible_partners
from partners.selectors import (
    DirectoryFilters,
    partner_directory_queryset,
    people_directory_queryset,
)
from vcc import hooks

from .models import OutcomeReport

# The models each file of this module holds (the files of other apps: hooks.EXPORT_TABLES).
TABLE_MODELS: dict[str, tuple[str, ...]] = {
    "partners.csv": ("partners.Partner", "partners.Certification"),
    "people.csv": ("partners.Person", "partners.Affiliation"),
    "participations.csv": ("partners.Participation",),
    "offers.csv": ("partners.Offer", "partners.Product"),
    "needs.csv": ("partners.Need",),
    "interactions.csv": ("partners.Interaction", "partners.InteractionPartner"),
    "introductions.csv": ("matchmaking.Introduction",),
    "relationships.csv": ("partners.Relationship",),
    "commitments.csv": ("partners.Commitment",),
    "interests.csv": ("partners.Interest",),
    "value_chains.csv": ("partners.ValueChain",),
    "stages.csv": ("partners.Stage",),
    "change_history.csv": ("partners.ChangeRecord",),
    "sign_in_invitations.csv": ("partners.Invitation",),
    "introduction_events.csv": ("matchmaking.IntroductionEvent",),
    "matchmaking_settings.csv": ("matchmaking.MatchSettings",),
    "dismissed_suggestions.csv": ("matchmaking.Dismissal",),
    "working_groups.csv": ("convenings.WorkingGroup",),
    "convenings.csv": ("convenings.Convening",),
    "convening_invitations.csv": ("convenings.Invitee",),
    "action_items.csv": ("convenings.ActionItem",),
    "action_updates.csv": ("convenings.ActionUpdate",),
    "outcome_reports.csv": ("outcomes.OutcomeReport",),
}

_SIGN_IN = "sign-in secrets and security records, not the chains' data"
_SCHEDULER = "the task scheduler's settings, the same for every chain"
# Models whose rows are kept out of the export, and why (higher apps add theirs to
# hooks.NOT_EXPORTED).
NOT_EXPORTED: dict[str, str] = {
    "admin.LogEntry": "the Django admin's log of the site operator's edits",
    "auth.Permission": "Django's permission names, the same on every site",
    "auth.Group": "Django's permission groups, not used for the chains' data",
    "auth.User": "sign-in accounts: people are in people.csv, users by email where they acted",
    "contenttypes.ContentType": "Django's table of models, the same on every site",
    "sessions.Session": _SIGN_IN,
    "accounts.UserSession": _SIGN_IN,
    "otp_totp.TOTPDevice": _SIGN_IN,
    "otp_static.StaticDevice": _SIGN_IN,
    "otp_static.StaticToken": _SIGN_IN,
    "axes.AccessAttempt": _SIGN_IN,
    "axes.AccessAttemptExpiration": _SIGN_IN,
    "axes.AccessFailureLog": _SIGN_IN,
    "axes.AccessLog": _SIGN_IN,
    "convenings.CalendarFeed": "the secret link of a person's calendar feed",
    **dict.fromkeys(
        [
            "django_celery_beat.SolarSchedule",
            "django_celery_beat.IntervalSchedule",
            "django_celery_beat.ClockedSchedule",
            "django_celery_beat.CrontabSchedule",
            "django_celery_beat.PeriodicTasks",
            "django_celery_beat.PeriodicTask",
        ],
        _SCHEDULER,
    ),
    "partners.SearchWord": "the search index's vocabulary, rebuilt from the partners",
    "outbox.Message": (
        "the outbox's delivery queue: what the emails said is in the invitations, convenings "
        "and introductions exported"
    ),
    "outbox.OptOut": "addresses that unsubscribed, kept by the outbox for every chain at once",
    "matchmaking.Suggestion": "computed from the offers and needs; recomputed at any time",
    "matchmaking.RecomputeRun": "the bookkeeping of a background recomputation",
}


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


def file_names() -> list[str]:
    """The names of the zip's files, in its order (for the export page)."""
    return [*TABLE_MODELS, *hooks.EXPORT_TABLES]


def full_export_tables(user) -> list[tuple[str, list[str], Iterable[list]]]:
    """Every table of the coordinator's value chains: (file name, header, rows)."""
    chain_ids = coordinated_chain_ids(user)
    partners, _ = partner_directory_queryset(user, DirectoryFilters())
    partner_ids = visible_partners(user, chain_ids).values("pk")
    people, _ = people_directory_queryset(user, "", None, "")
    it = {"chunk_size": EXPORT_CHUNK}
    return [
        *_core_tables(user, chain_ids, partners, partner_ids, people, it),
        *_chain_tables(chain_ids, partner_ids),
        *(
            (table.filename, table.header, table.rows(user, chain_ids))
            for table in hooks.EXPORT_TABLES.values()
        ),
    ]


def _core_tables(user, chain_ids, partners, partner_ids, people, it) -> list:
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


def _names(related) -> str:
    return "; ".join(sorted(str(item) for item in related.all()))


def _table(filename: str, qs, exclude: tuple[str, ...] = (), extra=None, extra_header=()):
    header = [*model_header(qs.model, exclude), *extra_header]
    return (filename, header, model_rows(qs, exclude, extra))


def _chain_tables(chain_ids: list[int], partner_ids) -> list:
    """The tables read column by column (partners.exporting.model_rows): one query per chunk,
    two where a list of names (members, certifications) is prefetched."""
    in_chains = {"value_chain_id__in": chain_ids}
    convenings = Convening.objects.filter(**in_chains)
    actions = ActionItem.objects.filter(**in_chains)
    return [
        _table("value_chains.csv", ValueChain.objects.filter(pk__in=chain_ids).order_by("name")),
        _table("stages.csv", Stage.objects.filter(**in_chains).order_by("value_chain", "position")),
        _table(
            "change_history.csv",
            ChangeRecord.objects.filter(partner_id__in=partner_ids).order_by("partner_id", "at"),
        ),
        _table(
            "sign_in_invitations.csv",
            Invitation.objects.filter(partner_id__in=partner_ids).order_by("created_at", "id"),
        ),
        _table(
            "introduction_events.csv",
            IntroductionEvent.objects.filter(introduction__value_chain_id__in=chain_ids).order_by(
                "introduction_id", "at", "id"
            ),
        ),
        _table("matchmaking_settings.csv", MatchSettings.objects.filter(**in_chains)),
        _table("dismissed_suggestions.csv", Dismissal.objects.filter(**in_chains).order_by("id")),
        _table(
            "working_groups.csv",
            WorkingGroup.objects.filter(**in_chains).prefetch_related("members").order_by("id"),
            extra=lambda group: [_names(group.members)],
            extra_header=["Members"],
        ),
        _table("convenings.csv", convenings.order_by("starts_at", "id")),
        _table(
            "convening_invitations.csv",
            Invitee.objects.filter(convening__in=convenings.values("pk")).order_by(
                "convening_id", "id"
            ),
        ),
        _table("action_items.csv", actions.order_by("due_on", "id")),
        _table(
            "action_updates.csv",
            ActionUpdate.objects.filter(item__in=actions.values("pk")).order_by("item_id", "at"),
        ),
        _table(
            "outcome_reports.csv",
            OutcomeReport.objects.filter(**in_chains)
            .prefetch_related("certifications_gained")
            .order_by("period_start", "id"),
            extra=lambda report: [_names(report.certifications_gained)],
            extra_header=["Certifications gained"],
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
