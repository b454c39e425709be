"""What the reports say: progress per state and zone, the commissioner brief and the portfolio.

The numbers come from the state rollup (``reports.rollups``, which every page and the API read
too) and their owning services: ``accountability.services`` for how schools stand,
``funding.services`` for money and the match. This module chooses the scope,
arranges the results and renders them (HTML context, CSV, PDF); it computes nothing itself.

"Decisions needed" are drawn from the data:

- a school its Lead Partner rated off track in its last two status updates;
- a commitment not yet received past its ``expected_by`` date;
- a zone (not closed) with fewer than three schools.
"""

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone

from accountability.choices import Standing
from accountability.models import Measurement
from accountability.services import MetricProgress, SchoolStanding, StandingCounts
from funding.models import Commitment, Expenditure, Funder
from funding.services import FundingTotals, funding_totals, funding_totals_by, spending_by_use
from web.charts import funding_chart, rating_chart
from web.csv_export import write_rows
from zones.models import ZONE_MIN_SCHOOLS, State, Zone

from .models import ReportRun
from .rollups import StateRollup, ZoneRollup, state_rollup, state_rollups

# The brief stays within four pages at any size of state: a short list of decisions and of the
# schools furthest from target, the worst zones' narratives, short; schools listed per zone.
BRIEF_DECISIONS = 8
BRIEF_FURTHEST = 5
BRIEF_NARRATIVES = 4
BRIEF_NARRATIVE_WORDS = 40


def status_chart(counts: StandingCounts) -> str:
    """Schools by standing (the one rule), worst first, in the vocabulary's colours."""
    rows = counts.items()
    return rating_chart(
        "Schools by standing (latest rating or projection)",
        {standing.label: count for standing, count in rows},
        colors=tuple(standing.colour for standing, _count in rows),
    )


@dataclass
class FundingBreakdown:
    """Totals, by source (funder) and by use (expenditure category)."""

    totals: FundingTotals
    by_funder: list[tuple[Funder, FundingTotals]]

    @property
    def by_use(self) -> list[tuple[str, Decimal, bool]]:
        return spending_by_use(self.totals)


def funding_breakdown(totals: FundingTotals, commitments, expenditures) -> FundingBreakdown:
    """``totals`` (read from the rollup or the initiative's totals) split by funder."""
    by_funder = funding_totals_by("funder", commitments, expenditures)
    funders = Funder.objects.in_bulk(by_funder)
    rows = sorted(((funders[pk], sums) for pk, sums in by_funder.items()), key=lambda row: row[0].name)
    return FundingBreakdown(totals=totals, by_funder=rows)


@dataclass
class Decision:
    topic: str
    text: str


@dataclass
class ProgressReport:
    """Progress and funding for one state, or one zone of it, in one month: the state's rollup
    (how its schools stand, its money) arranged for reading."""

    rollup: StateRollup
    zone: Zone | None
    period: str
    as_of: date
    funding: FundingBreakdown
    overdue_commitments: list[Commitment] = field(default_factory=list)

    @property
    def state(self) -> State:
        return self.rollup.state

    @property
    def zones(self) -> list[ZoneRollup]:
        return self.rollup.zones

    @property
    def schools(self) -> list[SchoolStanding]:
        return self.rollup.schools

    @property
    def counts(self) -> StandingCounts:
        return self.rollup.counts

    @property
    def enrollment(self) -> int:
        return sum(school.school.enrollment for school in self.schools)

    @property
    def title(self) -> str:
        return str(self.zone or self.state)

    @property
    def decisions(self) -> list[Decision]:
        decisions = []
        for school in self.schools:
            if school.off_track_twice:
                dates = " and ".join(f"{u.reported_on:%b %-d, %Y}" for u in reversed(school.updates[:2]))
                decisions.append(
                    Decision(
                        "School off track",
                        f"{school.school} ({school.school.zone}) was rated off track in its last two status "
                        f"updates ({dates}).",
                    )
                )
        for commitment in self.overdue_commitments:
            decisions.append(
                Decision(
                    "Money not received",
                    f"{commitment.funder}: ${commitment.amount:,.0f} for {commitment.recipient_label} is "
                    f"{commitment.get_status_display().lower()} but not received; it was expected by "
                    f"{commitment.expected_by:%b %-d, %Y}.",
                )
            )
        for zone in self.zones:
            if zone.zone.status != Zone.Status.CLOSED and len(zone.schools) < ZONE_MIN_SCHOOLS:
                decisions.append(
                    Decision(
                        "Zone short of schools",
                        f"{zone.zone} has {len(zone.schools)} school{'s' if len(zone.schools) != 1 else ''}; "
                        f"a zone needs at least {ZONE_MIN_SCHOOLS}.",
                    )
                )
        return decisions

    @property
    def furthest_from_target(self) -> list[SchoolStanding]:
        """Schools projected off track, the smallest share of their weakest metric's target first."""
        off_track = [school for school in self.schools if school.projection == Standing.OFF_TRACK]
        return sorted(off_track, key=lambda school: school.weakest_metric.share_of_target or Decimal(0))

    @property
    def narratives(self) -> list[tuple[ZoneRollup, object]]:
        """Each zone's latest Lead Partner narrative, worst zone first."""
        rows = [(zone, zone.latest_update) for zone in self.zones if zone.latest_update]
        return sorted(rows, key=lambda row: row[0].standing.severity)

    def charts(self) -> dict[str, str]:
        return {
            "ratings": status_chart(self.counts),
            "funding": funding_chart(
                "Zone-level funding by zone", [(zone.zone.name, zone.funding) for zone in self.zones]
            ),
        }


def progress_report(*, state=None, zone=None, period: str = "", as_of: date | None = None) -> ProgressReport:
    """The progress report for a state (all its zones) or for one zone, read from the state rollup."""
    as_of = as_of or timezone.localdate()
    if zone is not None:
        state = zone.state
        commitments = Commitment.objects.filter(zone=zone)
    else:
        commitments = Commitment.objects.filter(state=state)
    rollup = state_rollup(state, zone=zone)
    overdue = (
        commitments.filter(expected_by__lt=as_of)
        .exclude(status=Commitment.Status.RECEIVED)
        .select_related("funder", "state", "zone", "initiative")
        .order_by("expected_by")
    )
    return ProgressReport(
        rollup=rollup,
        zone=zone,
        period=period or as_of.strftime("%Y-%m"),
        as_of=as_of,
        funding=funding_breakdown(rollup.funding, commitments, Expenditure.objects.all()),
        overdue_commitments=list(overdue),
    )


@dataclass
class PortfolioReport:
    """Every state's zones, schools and money, for initiative admins: the state rollups."""

    period: str
    as_of: date
    states: list[StateRollup]
    funding: FundingBreakdown

    @property
    def zones(self) -> list[ZoneRollup]:
        return [zone for state in self.states for zone in state.zones]

    @property
    def schools(self) -> list[SchoolStanding]:
        return [school for state in self.states for school in state.schools]

    @property
    def counts(self) -> StandingCounts:
        return sum((state.counts for state in self.states), StandingCounts())

    def charts(self) -> dict[str, str]:
        return {
            "ratings": status_chart(self.counts),
            "funding": funding_chart("Funding by state", [(s.state.postal_code, s.funding) for s in self.states]),
        }


def portfolio_report(*, period: str = "", as_of: date | None = None) -> PortfolioReport:
    as_of = as_of or timezone.localdate()
    return PortfolioReport(
        period=period or as_of.strftime("%Y-%m"),
        as_of=as_of,
        states=state_rollups(),
        funding=funding_breakdown(funding_totals(), Commitment.objects.all(), Expenditure.objects.all()),
    )


# --- Rendering ---

CSV_PROGRESS_HEADER = [
    "Zone",
    "School",
    "NCES id",
    "Metric",
    "Baseline",
    "Baseline year",
    "Latest",
    "Latest year",
    "Latest period",
    "Target",
    "Target year",
    "Gain so far",
    "Share of target",
    "Projected",
    "Projection",
    "Last status update",
    "Last rating",
    "School standing",
]


def _metric_cells(item: MetricProgress) -> list:
    period = Measurement.Period(item.latest_period).label if item.latest_period else None
    values = (item.baseline, item.baseline_year, item.latest, item.latest_year, period, item.target, item.target_year)
    values += (item.gain, item.share_of_target, item.projected)
    return [item.metric.name, *values, item.status.label]


def _progress_rows(report: ProgressReport):
    for zone in report.zones:
        for school in zone.schools:
            update_cells = [school.rated_on.isoformat() if school.rated_on else "", school.rating.label]
            update_cells.append(school.standing.label)
            place = [zone.zone.name, school.school.name, school.school.nces_id]
            for item in school.progress:
                yield [*place, *_metric_cells(item), *update_cells]
            if not school.progress:
                yield [*place, *[""] * 11, Standing.NO_DATA.label, *update_cells]
    totals = report.funding.totals
    stages = ("pledged", "committed", "received", "spent")
    yield []
    yield ["Funding by source", "Pledged", "Committed", "Received", "Spent"]
    for funder, funder_totals in report.funding.by_funder:
        yield [funder.name, *(getattr(funder_totals, stage) for stage in stages)]
    yield ["Total", *(getattr(totals, stage) for stage in stages)]
    yield []
    yield ["Spending by use", "Spent"]
    yield from ([label, amount] for label, amount, _teacher_compensation in report.funding.by_use)
    yield []
    yield ["Private:public match (committed)", totals.match_ratio]


def progress_csv(report: ProgressReport) -> bytes:
    """One row per school and metric, then funding by source and by use (formula-safe cells)."""
    out = io.StringIO()
    write_rows(out, CSV_PROGRESS_HEADER, _progress_rows(report))
    return out.getvalue().encode("utf-8")


def render_pdf(template: str, context: dict) -> bytes:
    """A PDF from a Django template, rendered fully in memory; it may load the project's static files only."""
    from .pdf import html_to_pdf  # imported late: WeasyPrint loads system libraries

    return html_to_pdf(render_to_string(template, context))


def commissioner_brief_pdf(report: ProgressReport) -> bytes:
    decisions, furthest = report.decisions, report.furthest_from_target
    context = {
        "report": report,
        "charts": report.charts(),
        "decisions": decisions[:BRIEF_DECISIONS],
        "more_decisions": max(len(decisions) - BRIEF_DECISIONS, 0),
        "furthest": furthest[:BRIEF_FURTHEST],
        "more_furthest": max(len(furthest) - BRIEF_FURTHEST, 0),
        "narratives": report.narratives[:BRIEF_NARRATIVES],
        "narrative_words": BRIEF_NARRATIVE_WORDS,
    }
    return render_pdf("reports/brief.html", context)


def portfolio_pdf(report: PortfolioReport) -> bytes:
    return render_pdf("reports/portfolio_pdf.html", {"report": report, "charts": report.charts()})


def render_run(run: ReportRun) -> tuple[str, bytes]:
    """The file a run produces: (file name, content)."""
    Kind = ReportRun.Kind
    if run.kind == Kind.PORTFOLIO:
        return f"portfolio-{run.period}.pdf", portfolio_pdf(portfolio_report(period=run.period))
    report = progress_report(state=run.state, zone=run.zone, period=run.period)
    if run.kind == Kind.COMMISSIONER_BRIEF:
        return f"brief-{run.state.postal_code}-{run.period}.pdf", commissioner_brief_pdf(report)
    slug = f"{run.state.postal_code}-zone{run.zone_id}" if run.zone_id else run.state.postal_code
    return f"progress-{slug}-{run.period}.csv", progress_csv(report)
