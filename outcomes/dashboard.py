"""The dashboard's figures: each one SQL aggregate (GROUP BY over a date_trunc), a few numbers a
funder understands, and the rows behind it for CSV.

A figure is one small function `figure_<key>(scope) -> Figure`, listed in FIGURES: the
convenings figures (convenings held with their attendance rate, action items done on time)
read the convenings app's tables the same way.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncQuarter
from django.utils import timezone

from matchmaking.models import Introduction, IntroductionStatus
from partners.models import (
    Commitment,
    CommitmentStatus,
    Interaction,
    InteractionKind,
    InteractionPartner,
    Participation,
    Relationship,
)
from partners.money import format_money

from .models import OutcomeReport


@dataclass(frozen=True)
class Scope:
    """Which chains (the coordinator's, or one of them) and which dates the figures cover."""

    chain_ids: tuple[int, ...]
    start: datetime.date | None = None
    end: datetime.date | None = None
    # The currency sales are shown in: the chains' own when they share one, else none.
    currency: str = ""
    # Rows two figures share (sales and jobs read the same reports), read once per request.
    memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def dates(self, lookup: str) -> Q:
        q = Q()
        if self.start:
            q &= Q(**{f"{lookup}__gte": self.start})
        if self.end:
            q &= Q(**{f"{lookup}__lte": self.end})
        return q

    def datetimes(self, lookup: str) -> Q:
        q = Q()
        if self.start:
            q &= Q(**{f"{lookup}__date__gte": self.start})
        if self.end:
            q &= Q(**{f"{lookup}__date__lte": self.end})
        return q


@dataclass
class Bar:
    label: str
    value: float
    text: str
    css: str = ""
    # Filled in by layout(): geometry of the bar in the SVG.
    y: float = 0
    width: float = 0


@dataclass
class Figure:
    key: str
    title: str
    lede: str  # one sentence with the headline number
    bars: list[Bar] = field(default_factory=list)
    csv_header: list[str] = field(default_factory=list)
    csv_rows: list[list] = field(default_factory=list)
    empty: str = "Nothing recorded in this period yet."
    unit: str = ""

    ROW = 26
    LABEL_W = 120
    CHART_W = 560

    @property
    def height(self) -> int:
        return self.ROW * len(self.bars) + 6

    @property
    def plot_width(self) -> int:
        return self.CHART_W - self.LABEL_W - 90

    def layout(self) -> Figure:
        """Horizontal bars, each labelled with its category and its value: no legend needed."""
        top = max((b.value for b in self.bars), default=0) or 1
        for i, bar in enumerate(self.bars):
            bar.y = i * self.ROW + 3
            bar.width = max(1.5, self.plot_width * bar.value / top) if bar.value else 0
        return self


def _quarter(d) -> str:
    if d is None:
        return "undated"
    if isinstance(d, datetime.datetime):
        d = d.date()
    return f"{d.year} Q{(d.month - 1) // 3 + 1}"


def _quarter_start(d) -> datetime.date | None:
    return None if d is None else datetime.date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def _per_quarter(rows, day: str, keys: tuple[str, ...], sums: tuple[str, ...]) -> list[dict]:
    """Rows the database grouped by day (and `keys`) folded into quarters, in order: grouping
    by the stored date lets PostgreSQL read an index, where date_trunc per row cost as much as
    the scan itself. A few hundred rows at most (one per day with activity), never a table."""
    folded: dict[tuple, dict] = {}
    for row in rows:
        quarter = _quarter_start(row[day])
        group = (quarter, *(row[k] for k in keys))
        into = folded.setdefault(
            group, {"quarter": quarter, **{k: row[k] for k in keys}, **dict.fromkeys(sums)}
        )
        for name in sums:
            if row[name] is not None:
                into[name] = row[name] if into[name] is None else into[name] + row[name]
    return [folded[g] for g in sorted(folded, key=lambda g: (g[0] is None, g[0] or 0, *g[1:]))]


def _money(value, currency: str = "") -> str:
    return format_money(Decimal(value or 0), currency, whole=True)


def _pct(part, whole) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "—"


# --- the figures ------------------------------------------------------------------------------

# The steps of the funnel: an introduction counts at a step when its status history (its
# events, or its status now) reached that step or any later one. A later step implies the
# earlier were passed: Proposed → Trial order → Trading counts as introduced and talking too,
# since partners who ordered on trial have met and talked. Declined and stalled count for the
# steps they reached before.
FUNNEL_STEPS = [
    (IntroductionStatus.PROPOSED, "Proposed"),
    (IntroductionStatus.INTRODUCED, "Introduced"),
    (IntroductionStatus.TALKING, "Talking"),
    (IntroductionStatus.TRIAL_ORDER, "Trial order"),
    (IntroductionStatus.TRADING, "Trading"),
]


def figure_funnel(scope: Scope) -> Figure:
    """Introductions made in the period that reached each step, by their status history;
    shares are of all the introductions made (each begins proposed)."""
    pipeline = [status for status, _ in FUNNEL_STEPS]
    counts = {}
    for status, _ in FUNNEL_STEPS:
        beyond = pipeline[pipeline.index(status) :]
        counts[status] = Count(
            "pk", distinct=True, filter=Q(status__in=beyond) | Q(events__status__in=beyond)
        )
    made = Introduction.objects.filter(
        Q(value_chain_id__in=scope.chain_ids) & scope.datetimes("created_at")
    )
    row = made.aggregate(total=Count("pk", distinct=True), **counts)
    total = row.pop("total")
    bars, csv_rows = [], []
    for status, label in FUNNEL_STEPS:
        n = total if status == IntroductionStatus.PROPOSED else row[status]
        conversion = _pct(n, total)
        bars.append(Bar(label, n, f"{n} ({conversion})" if status != pipeline[0] else str(n)))
        csv_rows.append([label, n, conversion])
    trading = row[IntroductionStatus.TRADING]
    return Figure(
        "funnel",
        "Introduction funnel",
        f"{_pct(trading, total)} of the {total} introductions made reached trading."
        if total
        else "",
        bars if total else [],
        ["step", "introductions", "share of those made"],
        csv_rows,
        empty="No introductions were made in this period.",
    )


def _outcome_quarters(scope: Scope) -> list[dict]:
    """Reported sales and jobs per quarter: one query for both figures, from one index
    (outcome_chain_period_totals) without reading the reports themselves."""
    if "outcomes" not in scope.memo:
        rows = (
            OutcomeReport.objects.filter(
                Q(value_chain_id__in=scope.chain_ids) & scope.dates("period_start")
            )
            .values("period_start")
            .annotate(
                value=Sum("sales_value"),
                reports=Count("pk"),
                created=Sum("jobs_created"),
                retained=Sum("jobs_retained"),
            )
            .order_by()
        )
        sums = ("value", "reports", "created", "retained")
        scope.memo["outcomes"] = _per_quarter(rows, "period_start", (), sums)
    return scope.memo["outcomes"]


def _introduction_sales_quarters(scope: Scope) -> list[dict]:
    """Annual sales of the introductions now trading, per quarter they began trading: one
    query, grouped by day (the intro_board index leads with chain and status)."""
    rows = (
        Introduction.objects.filter(
            Q(value_chain_id__in=scope.chain_ids, status=IntroductionStatus.TRADING)
            & Q(annual_sales_value__isnull=False)
            & scope.datetimes("status_changed_at")
        )
        .annotate(day=TruncDate("status_changed_at"))
        .values("day")
        .annotate(value=Sum("annual_sales_value"), introductions=Count("pk"))
        .order_by()
    )
    return _per_quarter(rows, "day", (), ("value", "introductions"))


def figure_sales(scope: Scope) -> Figure:
    """Sales through the chain, from two sources labelled apart: what partners reported, per
    quarter of the period reported, and the annual sales of trading introductions, per
    quarter they began trading (a coordinator's record, not a partner's report)."""
    reported = [r for r in _outcome_quarters(scope) if r["value"]]
    introduced = _introduction_sales_quarters(scope)
    total = sum((r["value"] for r in reported), Decimal(0))
    from_intros = sum((r["value"] for r in introduced), Decimal(0))
    count = sum(r["introductions"] for r in introduced)
    rows = sorted(
        [("reported", r["quarter"], r["value"], r["reports"]) for r in reported]
        + [
            ("from introductions", r["quarter"], r["value"], r["introductions"]) for r in introduced
        ],
        key=lambda r: (r[1] is None, r[1] or 0, r[0] != "reported"),
    )
    lede = []
    if reported:
        lede.append(f"{_money(total, scope.currency)} in sales reported")
    if introduced:
        lede.append(
            f"{_money(from_intros, scope.currency)} a year from {count} trading "
            f"introduction{'s' if count != 1 else ''}"
        )
    return Figure(
        "sales",
        "Sales through the chain",
        ("; ".join(lede) + ".") if lede else "",
        [
            Bar(
                f"{_quarter(q)}",
                float(value),
                f"{_money(value, scope.currency)} {source}",
                "" if source == "reported" else "alt",
            )
            for source, q, value, _ in rows
        ],
        ["quarter", "source", "sales value", "reports or introductions"],
        [[_quarter(q), source, f"{Decimal(value):.2f}", n] for source, q, value, n in rows],
        empty="No sales reported for this period: partners report them from their page, and "
        "an introduction that trades adds its annual sales.",
    )


def figure_jobs(scope: Scope) -> Figure:
    rows = _outcome_quarters(scope)
    rows = [r for r in rows if r["created"] or r["retained"]]
    created = sum(r["created"] for r in rows)
    retained = sum(r["retained"] for r in rows)
    bars = []
    for r in rows:
        bars.append(Bar(f"{_quarter(r['quarter'])} new", r["created"], f"{r['created']} created"))
        bars.append(
            Bar(f"{_quarter(r['quarter'])} kept", r["retained"], f"{r['retained']} kept", "alt")
        )
    return Figure(
        "jobs",
        "Jobs",
        f"{created} jobs created and {retained} retained." if rows else "",
        bars,
        ["quarter", "jobs created", "jobs retained"],
        [[_quarter(r["quarter"]), r["created"], r["retained"]] for r in rows],
        empty="No jobs reported for this period.",
    )


def figure_commitments(scope: Scope) -> Figure:
    """Commitments due in the period, by what became of them."""
    row = Commitment.objects.filter(
        Q(value_chain_id__in=scope.chain_ids) & scope.dates("due_on")
    ).aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in CommitmentStatus.values}
    )
    total = sum(row.values())
    decided = row[CommitmentStatus.KEPT] + row[CommitmentStatus.MISSED]
    css = {CommitmentStatus.KEPT: "", CommitmentStatus.MISSED: "warn"}
    bars = [Bar(CommitmentStatus(s).label, n, str(n), css.get(s, "alt")) for s, n in row.items()]
    return Figure(
        "commitments",
        "Commitments kept",
        f"{row[CommitmentStatus.KEPT]} of {decided} commitments due were kept "
        f"({_pct(row[CommitmentStatus.KEPT], decided)})."
        if decided
        else (f"{total} commitments are due, none settled yet." if total else ""),
        bars if total else [],
        ["status", "commitments"],
        [[CommitmentStatus(s).label, n] for s, n in row.items()],
        empty="No commitments fall due in this period.",
    )


def figure_stages(scope: Scope) -> Figure:
    """Partners who joined each stage of the chain, per quarter they joined it (a partner at
    two stages counts at each): where the chain grows, and which stage stays thin."""
    rows = (
        Participation.stages.through.objects.filter(
            Q(participation__value_chain_id__in=scope.chain_ids)
            & scope.dates("participation__joined_on")
        )
        .values(
            day=F("participation__joined_on"),
            stage_name=F("stage__name"),
            position=F("stage__position"),
        )
        # One row of the M2M per participation and stage (unique): a partner at a stage once.
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = _per_quarter(rows, "day", ("stage_name", "position"), ("n",))
    rows.sort(key=lambda r: (r["quarter"] is None, r["quarter"] or 0, r["position"] or 0))
    totals: dict[str, int] = {}
    for r in rows:
        totals[r["stage_name"]] = totals.get(r["stage_name"], 0) + r["n"]
    bars = [
        Bar(f"{_quarter(r['quarter'])}", r["n"], f"{r['n']} at {r['stage_name']}") for r in rows
    ]
    busiest = max(totals, key=totals.get) if totals else ""
    return Figure(
        "stages",
        "Partners per stage over time",
        f"Most partners who joined the chain in this period joined at {busiest} "
        f"({totals[busiest]} of {sum(totals.values())} by stage)."
        if rows
        else "",
        bars,
        ["quarter", "stage", "partners"],
        [[_quarter(r["quarter"]), r["stage_name"], r["n"]] for r in rows],
        empty="No partner joined a stage of the chain in this period.",
    )


def figure_relationships(scope: Scope) -> Figure:
    in_chains = Participation.objects.filter(value_chain_id__in=scope.chain_ids)
    rows = (
        Relationship.objects.filter(
            Q(Exists(in_chains.filter(partner=OuterRef("source"))))
            & Q(Exists(in_chains.filter(partner=OuterRef("target"))))
            & Q(began_on__isnull=False)
            & scope.dates("began_on")
        )
        .values("began_on")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = _per_quarter(rows, "began_on", (), ("n",))
    total = sum(r["n"] for r in rows)
    return Figure(
        "relationships",
        "New relationships per quarter",
        f"{total} new relationships between partners." if rows else "",
        [Bar(_quarter(r["quarter"]), r["n"], str(r["n"])) for r in rows],
        ["quarter", "new relationships"],
        [[_quarter(r["quarter"]), r["n"]] for r in rows],
        empty="No new relationships began in this period.",
    )


def figure_ta_hours(scope: Scope) -> Figure:
    """Technical-assistance hours from the coordinator's interactions with the chain's partners."""
    # Participation by partner id, without joining the partners themselves.
    participates = Participation.objects.filter(
        partner_id=OuterRef("partner_id"), value_chain_id__in=scope.chain_ids
    )
    in_chains = InteractionPartner.objects.filter(Exists(participates), interaction=OuterRef("pk"))
    rows = (
        Interaction.objects.filter(
            Q(kind=InteractionKind.TECHNICAL_ASSISTANCE)
            & Q(Exists(in_chains))
            & scope.dates("occurred_on")
        )
        .values("occurred_on")
        .annotate(hours=Sum("hours"), sessions=Count("pk"))
        .order_by()
    )
    rows = _per_quarter(rows, "occurred_on", (), ("hours", "sessions"))
    hours = sum((r["hours"] or 0 for r in rows), Decimal(0))
    return Figure(
        "ta_hours",
        "Technical-assistance hours",
        f"{hours:,.1f} hours in {sum(r['sessions'] for r in rows)} sessions." if rows else "",
        [
            Bar(_quarter(r["quarter"]), float(r["hours"] or 0), f"{(r['hours'] or 0):,.1f} h")
            for r in rows
        ],
        ["quarter", "hours", "sessions"],
        [[_quarter(r["quarter"]), f"{Decimal(r['hours'] or 0):.2f}", r["sessions"]] for r in rows],
        empty="No technical assistance logged in this period: log it as an interaction.",
    )


def figure_convenings(scope: Scope) -> Figure:
    """Convenings held in the period (started before now, not cancelled), per quarter, with
    the share of the people invited who came (attendance as taken on the checklist)."""
    from convenings.models import Convening, ConveningStatus

    rows = list(
        Convening.objects.exclude(status=ConveningStatus.CANCELLED)
        .filter(
            Q(value_chain_id__in=scope.chain_ids)
            & Q(starts_at__lt=timezone.now())
            & scope.datetimes("starts_at")
        )
        .annotate(quarter=TruncQuarter("starts_at"))
        .values("quarter")
        .annotate(
            held=Count("pk", distinct=True),
            invited=Count("invitees"),
            attended=Count("invitees", filter=Q(invitees__attended=True)),
        )
        .order_by("quarter")
    )
    held = sum(r["held"] for r in rows)
    invited = sum(r["invited"] for r in rows)
    attended = sum(r["attended"] for r in rows)
    return Figure(
        "convenings",
        "Convenings held and attendance",
        f"{held} convening{'s' if held != 1 else ''} held; {attended} of {invited} people "
        f"invited came ({_pct(attended, invited)})."
        if rows
        else "",
        [
            Bar(
                _quarter(r["quarter"]),
                r["held"],
                f"{r['held']} · {_pct(r['attended'], r['invited'])} came",
            )
            for r in rows
        ],
        ["quarter", "convenings held", "people invited", "people attended"],
        [[_quarter(r["quarter"]), r["held"], r["invited"], r["attended"]] for r in rows],
        empty="No convening held in this period: schedule one from Convenings.",
    )


def figure_action_items(scope: Scope) -> Figure:
    """Action items due in the period (up to today), by whether they were done by their due
    date: the first update that marked them done, else (done without one) their last change."""
    from convenings.models import ActionItem, ActionStatus, ActionUpdate

    today = timezone.localdate()
    done_at = Coalesce(
        Subquery(
            ActionUpdate.objects.filter(item=OuterRef("pk"), status=ActionStatus.DONE)
            .order_by("at")
            .values("at")[:1]
        ),
        "updated_at",
    )
    done = Q(status=ActionStatus.DONE)
    row = (
        ActionItem.objects.filter(
            Q(value_chain_id__in=scope.chain_ids) & Q(due_on__lte=today) & scope.dates("due_on")
        )
        .annotate(done_on=TruncDate(done_at))
        .aggregate(
            on_time=Count("pk", filter=done & Q(done_on__lte=F("due_on"))),
            late=Count("pk", filter=done & Q(done_on__gt=F("due_on"))),
            overdue=Count("pk", filter=~done),
        )
    )
    due = row["on_time"] + row["late"] + row["overdue"]
    labels = [
        ("on_time", "Done on time", ""),
        ("late", "Done late", "alt"),
        ("overdue", "Still not done", "warn"),
    ]
    return Figure(
        "action_items",
        "Action items done on time",
        f"{row['on_time']} of {due} action items due were done on time "
        f"({_pct(row['on_time'], due)})."
        if due
        else "",
        [Bar(label, row[key], str(row[key]), css) for key, label, css in labels] if due else [],
        ["action items due", "count"],
        [[label, row[key]] for key, label, _ in labels],
        empty="No action item fell due in this period.",
    )


# The dashboard, in order.
FIGURES = {
    "funnel": figure_funnel,
    "sales": figure_sales,
    "jobs": figure_jobs,
    "commitments": figure_commitments,
    "stages": figure_stages,
    "relationships": figure_relationships,
    "ta_hours": figure_ta_hours,
    "convenings": figure_convenings,
    "action_items": figure_action_items,
}


def all_figures(scope: Scope) -> list[Figure]:
    return [fn(scope).layout() for fn in FIGURES.values()]
