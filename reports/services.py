"""What the reports say: progress per state and zone, the commissioner brief, the portfolio, a
zone's renewal dossier and a Lead Partner's annual review (``contracts.scorecard``'s figures).

The numbers come from the state rollup (``reports.rollups``, which every page and the API read
too) and their owning services: ``accountability.services`` for how schools stand,
``funding.services`` for money, ``funding.money`` for the match, the awards' outlooks, budgets and
sustainability. This module chooses the scope, arranges the results and renders them (HTML
context, CSV, PDF); it computes nothing itself.

"Decisions needed" are drawn from the data:

- a school its Lead Partner rated off track in its last two status updates;
- a commitment not yet received past its ``expected_by`` date;
- a zone (not closed) with fewer than three schools;
- a launched (or extended) zone whose schools have no baselines, targets or status updates yet
  (``ZoneRollup.missing_data``);
- the state below its match (``MatchStanding.below``), with the private money that closes the gap;
- an award at risk of lapsing, or lapsed (``AwardOutlook.flagged``);
- a school whose sustainability gap is flagged (from its zone's second year), with or without a plan.
"""

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import groupby

from django.template.loader import render_to_string
from django.utils import timezone

from accountability.calendar import SubmissionRecord, submission_records
from accountability.choices import Standing
from accountability.models import Measurement, Metric, RenewalDecision, StatusUpdate
from accountability.renewal import ExitCheck, evaluate_exit_criteria, year_values
from accountability.services import MetricProgress, SchoolStanding, StandingCounts
from contracts.models import AnnualReview
from contracts.scorecard import review_figures, review_parts
from funding.choices import Outlook
from funding.match import MatchStanding
from funding.models import Commitment, Expenditure, Funder
from funding.money import PortfolioMoney, StateMoney, portfolio_money
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
BRIEF_OVER_BUDGET = 6  # over-budget lines listed in the brief


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
    def school_count(self) -> int:
        return self.rollup.school_count

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
    def money(self) -> StateMoney | None:
        return self.rollup.money

    @property
    def match(self) -> MatchStanding | None:
        """The state's match; in a zone's report, the zone's (its rollup counts only the zone's money)."""
        return self.rollup.match

    @property
    def budgets(self) -> list[tuple[ZoneRollup, object]]:
        """Each zone with its budget (``funding.budgets.ZoneBudget``), zones without lines left out."""
        return [(zone, zone.budget) for zone in self.zones if zone.budget is not None and zone.budget.lines]

    @property
    def over_budget(self) -> list[tuple[ZoneRollup, object]]:
        """(zone, budget line) for every line spent past its budget."""
        return [(zone, line) for zone, budget in self.budgets for line in budget.over_lines]

    def money_decisions(self) -> list[Decision]:
        """The match below its target, awards at risk or lapsed, flagged sustainability gaps."""
        money, decisions = self.money, []
        if money is None:
            return decisions
        match = self.match
        if match is not None and match.below:
            stage = match.terms.stage_label
            decisions.append(
                Decision(
                    "Match below target",
                    f"{self.title}'s private money {stage} is {match.ratio:.2f} : 1 of its public money against a "
                    f"target of {match.target_ratio:.2f} : 1; ${match.gap:,.0f} more private money {stage} "
                    "closes the gap.",
                )
            )
        awards_at_risk = money.awards_at_risk if self.zone is None else []  # awards are the state's
        for outlook in awards_at_risk:
            award = outlook.award
            if outlook.outlook == Outlook.LAPSED:
                text = (
                    f"{award} ({award.state}): ${outlook.lapsed:,.0f} of ${outlook.amount:,.0f} was unspent when its "
                    f"period of availability ended on {outlook.lapse_date:%b %-d, %Y}."
                )
            else:
                text = (
                    f"{award} ({award.state}): ${outlook.at_risk:,.0f} of ${outlook.amount:,.0f} is projected "
                    f"unspent when it lapses on {outlook.lapse_date:%b %-d, %Y} "
                    f"(${outlook.spent:,.0f} spent so far)."
                )
            decisions.append(Decision(outlook.outlook.label, text))
        for school in money.sustainability.flagged_schools:
            per_pupil = f" (${school.gap_per_pupil:,.0f} per pupil)" if school.gap_per_pupil is not None else ""
            plan = "a plan to close it is written" if school.has_plan else "no plan to close it yet"
            decisions.append(
                Decision(
                    "Sustainability gap",
                    f"{school.school} ({school.school.zone}): ${school.gap:,.0f} a year{per_pupil} once its grants "
                    f"end; {plan}.",
                )
            )
        return decisions

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
            if missing := zone.missing_data:
                gaps = [f"{count} no {gap}" for gap, count in missing.items()]
                gaps[0] = gaps[0].replace(" no ", " have no ", 1)
                listed = ", ".join(gaps[:-1]) + (" and " if len(gaps) > 1 else "") + gaps[-1]
                decisions.append(
                    Decision(
                        "Zone missing data",
                        f"{zone.zone} is {zone.zone.get_status_display().lower()}, but of its {len(zone.schools)} "
                        f"schools {listed} yet: its progress cannot be judged.",
                    )
                )
        return decisions + self.money_decisions()

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
    money: list[PortfolioMoney] = field(default_factory=list)  # per initiative: against its targets

    @property
    def zones(self) -> list[ZoneRollup]:
        return [zone for state in self.states for zone in state.zones]

    @property
    def match(self) -> MatchStanding | None:
        """The initiative's match (when the report covers one initiative, as it does in practice)."""
        return self.money[0].match.standing if len(self.money) == 1 else None

    @property
    def school_count(self) -> int:
        return sum(state.school_count for state in self.states)

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
    states = state_rollups()
    initiatives = {state.state.initiative_id: state.state.initiative for state in states}
    return PortfolioReport(
        period=period or as_of.strftime("%Y-%m"),
        as_of=as_of,
        states=states,
        funding=funding_breakdown(funding_totals(), Commitment.objects.all(), Expenditure.objects.all()),
        money=[
            portfolio_money(initiative, lambda queryset: queryset.all())
            for initiative in sorted(initiatives.values(), key=lambda initiative: initiative.name)
        ],
    )


# --- The renewal dossier ---


@dataclass
class IndicatorTrend:
    """A leading indicator's values at one school, period by period (oldest first)."""

    metric: Metric
    points: list[Measurement]


@dataclass
class SchoolDossier:
    """One school's inputs to the renewal decision."""

    standing: SchoolStanding  # targets vs latest results (its progress), how it stands
    trends: list[IndicatorTrend]
    record: SubmissionRecord  # the collection calendar's late / returned / approved counts
    updates: list[StatusUpdate]  # every status update, oldest first: the ratings over time

    @property
    def school(self):
        return self.standing.school


@dataclass
class RenewalDossier:
    """What the state decides a zone's renewal on, per zone and per school: targets vs latest
    results, leading-indicator trends, submission records, status-update history, spending vs
    commitments, the exit criteria checked, the decisions so far, and the data not yet available."""

    rollup: ZoneRollup
    period: str
    as_of: date
    schools: list[SchoolDossier]
    funding: FundingBreakdown
    checks: list[ExitCheck]
    not_available: list[str]
    decisions: list[RenewalDecision]  # newest first

    @property
    def zone(self) -> Zone:
        return self.rollup.zone

    @property
    def latest_decision(self) -> RenewalDecision | None:
        return self.decisions[0] if self.decisions else None


def data_not_available(state, schools: list[SchoolDossier], values) -> list[str]:
    """What the decision lacks, school by school, in words: a school without targets, a targeted
    metric without a baseline or without a value in its target year, reporting periods due and
    not approved, status updates gone stale (``SchoolStanding.stale``)."""
    gaps = []
    for row in schools:
        school, targeted = row.school, [item for item in row.standing.progress if item.target is not None]
        if not targeted:
            gaps.append(f"{school}: no targets set.")
        for item in targeted:
            if item.baseline is None:
                gaps.append(f"{school}: no baseline for {item.metric}.")
            if item.target_year not in values.get((school.pk, item.metric.pk), {}):
                gaps.append(f"{school}: no {item.metric} value for {item.target_year}, its target year.")
        if row.record.due > row.record.approved:
            gaps.append(f"{school}: {row.record.approved} of {row.record.due} reporting periods due so far approved.")
        if row.standing.stale:
            since = (
                f"for {row.standing.days_since_update} days" if row.standing.days_since_update is not None else "yet"
            )
            gaps.append(f"{school}: no status update {since} (expected every {state.stale_after_days} days).")
    return gaps


def renewal_dossier(zone: Zone, *, period: str = "", as_of: date | None = None) -> RenewalDossier:
    """The renewal dossier of ``zone``, read from the state rollup, the collection calendar and the
    zone's records, within the current scope."""
    as_of = as_of or timezone.localdate()
    rollup = state_rollup(zone.state, zone=zone).zones[0]
    schools = [row.school for row in rollup.schools]
    measurements = list(
        Measurement.objects.filter(school__in=schools)
        .select_related("metric")
        .order_by("school_id", "metric__name", "metric_id", "school_year", "period")
    )
    updates: dict[int, list[StatusUpdate]] = {}
    for update in StatusUpdate.objects.filter(school__in=schools).order_by("reported_on", "created_at", "pk"):
        updates.setdefault(update.school_id, []).append(update)
    records = submission_records(schools, today=as_of)
    rows = []
    for standing in rollup.schools:
        school_rows = [
            m for m in measurements if m.school_id == standing.school.pk and m.metric.kind == Metric.Kind.LEADING
        ]
        trends = [
            IndicatorTrend(metric, list(points))
            for metric, points in groupby(school_rows, key=lambda measurement: measurement.metric)
        ]
        rows.append(SchoolDossier(standing, trends, records[standing.school.pk], updates.get(standing.school.pk, [])))
    return RenewalDossier(
        rollup=rollup,
        period=period or as_of.strftime("%Y-%m"),
        as_of=as_of,
        schools=rows,
        funding=funding_breakdown(rollup.funding, Commitment.objects.filter(zone=zone), Expenditure.objects.all()),
        checks=evaluate_exit_criteria(zone, rollup.schools, measurements),
        not_available=data_not_available(zone.state, rows, year_values(measurements)),
        decisions=list(RenewalDecision.objects.filter(zone=zone).select_related("decided_by")),
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
    "Band low (80%)",
    "Band high (80%)",
    "Projection",
    "Last status update",
    "Last rating",
    "School standing",
]


def _metric_cells(item: MetricProgress) -> list:
    period = Measurement.Period(item.latest_period).label if item.latest_period else None
    values = (item.baseline, item.baseline_year, item.latest, item.latest_year, period, item.target, item.target_year)
    values += (item.gain, item.share_of_target, item.projected, item.band_low, item.band_high)
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
                blanks = len(CSV_PROGRESS_HEADER) - len(place) - len(update_cells) - 1  # all but the projection
                yield [*place, *[""] * blanks, Standing.NO_DATA.label, *update_cells]
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
    match = report.match
    yield [f"Private:public match ({match.terms.stage_label})", match.ratio]
    yield ["Match target (private per public)", match.target_ratio]


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
    decisions, furthest, over_budget = report.decisions, report.furthest_from_target, report.over_budget
    context = {
        "report": report,
        "over_budget": over_budget[:BRIEF_OVER_BUDGET],
        "more_over_budget": max(len(over_budget) - BRIEF_OVER_BUDGET, 0),
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


def renewal_dossier_pdf(dossier: RenewalDossier) -> bytes:
    return render_pdf("reports/renewal_dossier.html", {"dossier": dossier})


def annual_review_pdf(review: AnnualReview) -> bytes:
    """The review as its page shows it (the frozen scorecard once issued), without its comments."""
    context = {"review": review, "card": review_figures(review), "parts": review_parts(review)}
    return render_pdf("reports/annual_review.html", context)


def render_run(run: ReportRun) -> tuple[str, bytes]:
    """The file a run produces: (file name, content)."""
    Kind = ReportRun.Kind
    if run.kind == Kind.ANNUAL_REVIEW:
        review = run.review
        filename = f"review-{run.state.postal_code}-zone{run.zone_id}-{review.school_year}-{review.status}.pdf"
        return filename, annual_review_pdf(review)
    if run.kind == Kind.PORTFOLIO:
        return f"portfolio-{run.period}.pdf", portfolio_pdf(portfolio_report(period=run.period))
    if run.kind == Kind.RENEWAL_DOSSIER:
        filename = f"renewal-{run.state.postal_code}-zone{run.zone_id}-{run.period}.pdf"
        return filename, renewal_dossier_pdf(renewal_dossier(run.zone, period=run.period))
    report = progress_report(state=run.state, zone=run.zone, period=run.period)
    if run.kind == Kind.COMMISSIONER_BRIEF:
        return f"brief-{run.state.postal_code}-{run.period}.pdf", commissioner_brief_pdf(report)
    slug = f"{run.state.postal_code}-zone{run.zone_id}" if run.zone_id else run.state.postal_code
    return f"progress-{slug}-{run.period}.csv", progress_csv(report)
