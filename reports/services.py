"""What the reports say: progress per state and zone, the commissioner brief and the portfolio.

The numbers come from their owning services: ``accountability.services`` for baselines, gains
and projections, ``funding.services`` for money and the match. This module chooses the scope,
arranges the results and renders them (HTML context, CSV, PDF); it computes nothing itself.

"Decisions needed" are drawn from the data:

- a school its Lead Partner rated off track in its last two status updates;
- a commitment not yet received past its ``expected_by`` date;
- a zone (not closed) with fewer than three schools.
"""

import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone

from accountability.models import Measurement, StatusUpdate
from accountability.services import (
    STATUS_ORDER,
    MetricProgress,
    latest_status_updates,
    overall_status,
    progress_for_schools,
)
from funding.models import Commitment, Expenditure, Funder
from funding.services import FundingTotals, funding_totals, funding_totals_by
from schools.models import School
from web.charts import funding_chart, rating_chart
from web.csv_export import write_rows
from zones.models import ZONE_MIN_SCHOOLS, State, Zone

from .models import ReportRun

STATUS_LABELS = {"on_track": "On track", "at_risk": "At risk", "off_track": "Off track", "no_data": "No data yet"}
STATUS_COLORS = {"on_track": "#2e8540", "at_risk": "#e07b00", "off_track": "#b3261e", "no_data": "#9aa5b1"}
# The brief stays within four pages at any size of state: a short list of decisions and of the
# schools furthest from target, the worst zones' narratives, short; schools listed per zone.
BRIEF_DECISIONS = 8
BRIEF_FURTHEST = 5
BRIEF_NARRATIVES = 4
BRIEF_NARRATIVE_WORDS = 40


@dataclass
class SchoolProgress:
    school: School
    metrics: list[MetricProgress]
    updates: list[StatusUpdate]  # the Lead Partner's latest status updates, newest first (at most two)

    @property
    def status(self) -> str:
        return overall_status(self.metrics)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def last_update(self) -> StatusUpdate | None:
        return self.updates[0] if self.updates else None

    @property
    def weakest_metric(self) -> MetricProgress | None:
        """The metric furthest from its target: worst projection, then smallest share of the target."""
        measured = [item for item in self.metrics if item.status != "no_data"]
        return min(
            measured,
            key=lambda item: (STATUS_ORDER.index(item.status), item.share_of_target or Decimal(0)),
            default=None,
        )

    @property
    def off_track_twice(self) -> bool:
        """Rated off track in the last two status updates in a row."""
        return len(self.updates) == 2 and all(u.rating == StatusUpdate.Rating.OFF_TRACK for u in self.updates)


def status_counts(schools) -> dict[str, int]:
    """{status label: number of schools}, worst first, every status shown."""
    counts = Counter(school.status for school in schools)
    return {STATUS_LABELS[status]: counts.get(status, 0) for status in STATUS_ORDER}


def status_chart(schools) -> str:
    colors = tuple(STATUS_COLORS[status] for status in STATUS_ORDER)
    return rating_chart("Schools by projected progress", status_counts(schools), colors=colors)


class SchoolRollup:
    """The schools of anything with ``zones`` (a report, a state's summary), and how they stand."""

    @property
    def schools(self) -> list[SchoolProgress]:
        return [school for zone in self.zones for school in zone.schools]

    @property
    def status_counts(self) -> dict[str, int]:
        return status_counts(self.schools)

    @property
    def enrollment(self) -> int:
        return sum(school.school.enrollment for school in self.schools)


@dataclass
class ZoneProgress:
    zone: Zone
    schools: list[SchoolProgress]
    funding: FundingTotals

    @property
    def status(self) -> str:
        return overall_status([m for school in self.schools for m in school.metrics])

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def latest_update(self) -> StatusUpdate | None:
        """The Lead Partner's most recent status update on any school of the zone."""
        updates = [school.last_update for school in self.schools if school.last_update]
        return max(updates, key=lambda u: (u.reported_on, u.created_at), default=None)


@dataclass
class FundingBreakdown:
    """Totals, by source (funder) and by use (expenditure category)."""

    totals: FundingTotals
    by_funder: list[tuple[Funder, FundingTotals]]

    @property
    def by_use(self) -> list[tuple[str, Decimal]]:
        labels = dict(Expenditure.Category.choices)
        return [(labels[category], self.totals.spent_by_category.get(category, Decimal("0.00"))) for category in labels]


def funding_breakdown(commitments, expenditures) -> FundingBreakdown:
    by_funder = funding_totals_by("funder", commitments, expenditures)
    funders = Funder.objects.in_bulk(by_funder)
    rows = sorted(((funders[pk], totals) for pk, totals in by_funder.items()), key=lambda row: row[0].name)
    return FundingBreakdown(totals=funding_totals(commitments, expenditures), by_funder=rows)


@dataclass
class Decision:
    topic: str
    text: str


@dataclass
class ProgressReport(SchoolRollup):
    """Progress and funding for one state, or one zone of it, in one month."""

    state: State
    zone: Zone | None
    period: str
    as_of: date
    zones: list[ZoneProgress]
    funding: FundingBreakdown
    overdue_commitments: list[Commitment] = field(default_factory=list)

    @property
    def title(self) -> str:
        return str(self.zone or self.state)

    @property
    def decisions(self) -> list[Decision]:
        decisions = []
        for school in self.schools:
            if school.off_track_twice:
                dates = " and ".join(f"{u.reported_on:%b %-d, %Y}" for u in reversed(school.updates))
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
            if len(zone.schools) < ZONE_MIN_SCHOOLS:
                decisions.append(
                    Decision(
                        "Zone short of schools",
                        f"{zone.zone} has {len(zone.schools)} school{'s' if len(zone.schools) != 1 else ''}; "
                        f"a zone needs at least {ZONE_MIN_SCHOOLS}.",
                    )
                )
        return decisions

    @property
    def furthest_from_target(self) -> list[SchoolProgress]:
        """Schools projected off track, the smallest share of their weakest metric's target first."""
        off_track = [school for school in self.schools if school.status == "off_track"]
        return sorted(off_track, key=lambda school: school.weakest_metric.share_of_target or Decimal(0))

    @property
    def narratives(self) -> list[tuple[ZoneProgress, StatusUpdate]]:
        """Each zone's latest Lead Partner narrative, worst zone first."""
        rows = [(zone, zone.latest_update) for zone in self.zones if zone.latest_update]
        return sorted(rows, key=lambda row: STATUS_ORDER.index(row[0].status))

    def charts(self) -> dict[str, str]:
        return {
            "ratings": status_chart(self.schools),
            "funding": funding_chart("Funding by zone", [(zone.zone.name, zone.funding) for zone in self.zones]),
        }


def recent_status_updates(schools, per_school: int = 2) -> dict[int, list[StatusUpdate]]:
    """{school id: its latest status updates, newest first}, in one query."""
    ranked = (
        latest_status_updates(StatusUpdate.objects.filter(school__in=schools), per_school)
        .select_related("school")
        .order_by("school_id", "rank")
    )
    updates: dict[int, list[StatusUpdate]] = {}
    for update in ranked:
        updates.setdefault(update.school_id, []).append(update)
    return updates


def zone_progress(zones, commitments, expenditures) -> list[ZoneProgress]:
    """Progress of every school of the given zones, with each zone's funding."""
    zones = list(zones)
    schools = list(School.objects.filter(zone__in=zones).select_related("zone", "district").order_by("name"))
    progress = progress_for_schools(schools)
    updates = recent_status_updates(schools)
    funding = funding_totals_by("zone", commitments, expenditures)
    by_zone: dict[int, list[SchoolProgress]] = {zone.pk: [] for zone in zones}
    for school in schools:
        by_zone[school.zone_id].append(
            SchoolProgress(school=school, metrics=progress.get(school.pk, []), updates=updates.get(school.pk, []))
        )
    return [
        ZoneProgress(zone=zone, schools=by_zone[zone.pk], funding=funding.get(zone.pk, FundingTotals()))
        for zone in zones
    ]


def reported_zones(**filters):
    """Zones a report covers: all but closed ones."""
    return (
        Zone.objects.filter(**filters).exclude(status=Zone.Status.CLOSED).select_related("state", "lead_partner")
    ).order_by("name")


def progress_report(*, state=None, zone=None, period: str = "", as_of: date | None = None) -> ProgressReport:
    """The progress report for a state (all its zones) or for one zone."""
    as_of = as_of or timezone.localdate()
    if zone is not None:
        state = zone.state
        zones = reported_zones(pk=zone.pk)
        commitments, expenditures = Commitment.objects.filter(zone=zone), Expenditure.objects.filter(zone=zone)
    else:
        zones = reported_zones(state=state)
        commitments, expenditures = Commitment.objects.filter(state=state), Expenditure.objects.filter(state=state)
    overdue = (
        commitments.filter(expected_by__lt=as_of)
        .exclude(status=Commitment.Status.RECEIVED)
        .select_related("funder", "state", "zone", "initiative")
        .order_by("expected_by")
    )
    return ProgressReport(
        state=state,
        zone=zone,
        period=period or as_of.strftime("%Y-%m"),
        as_of=as_of,
        zones=zone_progress(zones, commitments, expenditures),
        funding=funding_breakdown(commitments, expenditures),
        overdue_commitments=list(overdue),
    )


@dataclass
class StateSummary(SchoolRollup):
    state: State
    zones: list[ZoneProgress]
    funding: FundingTotals


@dataclass
class PortfolioReport(SchoolRollup):
    """Every state's zones, schools and money, for initiative admins."""

    period: str
    as_of: date
    states: list[StateSummary]
    funding: FundingBreakdown

    @property
    def zones(self) -> list[ZoneProgress]:
        return [zone for state in self.states for zone in state.zones]

    def charts(self) -> dict[str, str]:
        return {
            "ratings": status_chart(self.schools),
            "funding": funding_chart("Funding by state", [(s.state.postal_code, s.funding) for s in self.states]),
        }


def portfolio_report(*, period: str = "", as_of: date | None = None) -> PortfolioReport:
    as_of = as_of or timezone.localdate()
    commitments, expenditures = Commitment.objects.all(), Expenditure.objects.all()
    zones = zone_progress(reported_zones(), commitments, expenditures)
    by_state = funding_totals_by("state", commitments, expenditures)
    states = [
        StateSummary(
            state=state,
            zones=[zone for zone in zones if zone.zone.state_id == state.pk],
            funding=by_state.get(state.pk, FundingTotals()),
        )
        for state in State.objects.order_by("name")
    ]
    return PortfolioReport(
        period=period or as_of.strftime("%Y-%m"),
        as_of=as_of,
        states=states,
        funding=funding_breakdown(commitments, expenditures),
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
]


def _metric_cells(item: MetricProgress) -> list:
    period = Measurement.Period(item.latest_period).label if item.latest_period else None
    values = (item.baseline, item.baseline_year, item.latest, item.latest_year, period, item.target, item.target_year)
    values += (item.gain, item.share_of_target, item.projected)
    return [item.metric.name, *values, STATUS_LABELS[item.status]]


def _progress_rows(report: ProgressReport):
    for zone in report.zones:
        for school in zone.schools:
            update = school.last_update
            update_cells = [update.reported_on.isoformat(), update.get_rating_display()] if update else ["", ""]
            place = [zone.zone.name, school.school.name, school.school.nces_id]
            for item in school.metrics:
                yield [*place, *_metric_cells(item), *update_cells]
            if not school.metrics:
                yield [*place, *[""] * 11, STATUS_LABELS["no_data"], *update_cells]
    totals = report.funding.totals
    stages = ("pledged", "committed", "received", "spent")
    yield []
    yield ["Funding by source", "Pledged", "Committed", "Received", "Spent"]
    for funder, funder_totals in report.funding.by_funder:
        yield [funder.name, *(getattr(funder_totals, stage) for stage in stages)]
    yield ["Total", *(getattr(totals, stage) for stage in stages)]
    yield []
    yield ["Spending by use", "Spent"]
    yield from ([label, amount] for label, amount in report.funding.by_use)
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
