"""Progress of schools against their baselines and two-year targets.

For each school and metric: the baseline, the measurements (the latest of them shown), the target,
the gain so far and a projection to the target year with an uncertainty band.

Timeline: a measurement in period p of school year Y-(Y+1) sits at Y + p/4 (the end-of-year
period at Y + 1). The baseline sits at the end of its school year, the target at the end of
the target school year.

Projection: the least-squares line through the baseline and every measurement after it, read at
the end of the target year (with one measurement, the line through the baseline and it). The
band is the 80% prediction interval there: center ± t(0.90, n−2)·s·√(1 + 1/n + (x₀−x̄)²/Sxx) with
n ≥ 3 points. Two points leave no scatter to estimate, so the band is a prior spread: 10% of the
needed gain at the latest measurement, widened in proportion to how far the target lies beyond it
(``PRIOR_SPREAD``).

The center and the band stay within the metric's valid range (a percentage never projects past 100).

Status (a Standing, choices.py), with the school's state's thresholds (``State.on_track_share``,
``State.at_risk_share``): on track when the projection reaches the on-track share of the needed
gain; at risk when it reaches the at-risk share, or when the band's optimistic edge reaches the
on-track share; off track otherwise; no data before any measurement after the baseline.

A school's standing (``SchoolStanding``) is the one read model of how a school stands, used by
every page, the API, the CSV exports and the reports.
"""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Case, Count, DateField, F, Max, Q, Value, When, Window
from django.db.models.functions import Least, RowNumber
from django.utils import timezone
from django.utils.functional import cached_property  # lock-free, unlike functools' before Python 3.12
from django_scopes import scopes_disabled

from core.tenancy import scope_of
from core.validators import SCHOOL_YEAR_FIRST_MONTH, school_year_start
from schools.models import School
from web.charts import Band
from zones.models import State, Zone

from .choices import Collection, Rating, Standing, worst
from .models import Baseline, Measurement, Metric, SchoolMetricProgress, SchoolProgress, Target

PERIODS_PER_YEAR = len(Measurement.Period)
CENT = Decimal("0.01")
# Thresholds of a state that has not tuned them (zones.State's defaults).
ON_TRACK_SHARE = State._meta.get_field("on_track_share").default
AT_RISK_SHARE = State._meta.get_field("at_risk_share").default
# With only the baseline and one measurement: the band's half-width at the latest measurement,
# as a share of the needed gain, before it widens toward the target year.
PRIOR_SPREAD = Decimal("0.10")
PRIOR_NOTE = (
    "one measurement since the baseline: no scatter to estimate the band from, so it is a prior "
    "spread of 10% of the needed gain, widened toward the target year"
)
# t quantiles at 0.90 (an 80% two-sided interval) by degrees of freedom; above 30, the next lower
# tabulated value (slightly wider, never narrower), and the normal quantile beyond 120.
T_90 = {
    1: "3.078", 2: "1.886", 3: "1.638", 4: "1.533", 5: "1.476", 6: "1.440", 7: "1.415", 8: "1.397",
    9: "1.383", 10: "1.372", 11: "1.363", 12: "1.356", 13: "1.350", 14: "1.345", 15: "1.341",
    16: "1.337", 17: "1.333", 18: "1.330", 19: "1.328", 20: "1.325", 21: "1.323", 22: "1.321",
    23: "1.319", 24: "1.318", 25: "1.316", 26: "1.315", 27: "1.314", 28: "1.313", 29: "1.311",
    30: "1.310", 40: "1.303", 60: "1.296", 120: "1.289",
}  # fmt: skip
Z_90 = Decimal("1.282")


def t_90(degrees: int) -> Decimal:
    """The 0.90 quantile of Student's t with ``degrees`` degrees of freedom (≥ 1)."""
    tabulated = max((df for df in T_90 if df <= degrees), default=1)
    return Decimal(T_90[tabulated]) if degrees <= 120 else Z_90


def time_of(school_year: str, period: int) -> Decimal:
    """A measurement's place on the timeline, in years (2010-11 fall → 2010.25)."""
    return Decimal(school_year_start(school_year)) + Decimal(period) / PERIODS_PER_YEAR


@dataclass(frozen=True)
class Projection:
    """The value a trend reaches at the end of the target year, and the band around it."""

    center: Decimal
    low: Decimal
    high: Decimal
    points: int  # baseline and measurements the line is fitted to


def project(points: list[tuple[Decimal, Decimal]], at: Decimal, needed_gain: Decimal) -> Projection:
    """The least-squares line through ``points`` ((time, value), at least two at distinct times)
    read at time ``at``, with its 80% prediction band (the module docstring)."""
    n = len(points)
    mean_x = sum(x for x, _y in points) / n
    mean_y = sum(y for _x, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _y in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sxx
    center = mean_y + slope * (at - mean_x)
    if n >= 3:
        residuals = sum((y - (mean_y + slope * (x - mean_x))) ** 2 for x, y in points)
        s = (residuals / (n - 2)).sqrt()
        half = t_90(n - 2) * s * (1 + Decimal(1) / n + (at - mean_x) ** 2 / sxx).sqrt()
    else:
        (first, _), (last, _) = sorted(points)
        half = PRIOR_SPREAD * abs(needed_gain) * max(Decimal(1), (at - first) / (last - first))
    return Projection(
        center=center.quantize(CENT), low=(center - half).quantize(CENT), high=(center + half).quantize(CENT), points=n
    )


@dataclass
class MetricProgress:
    """One school's progress on one metric. The derived figures are computed once, on first use,
    after ``progress_for_schools`` has filled the row in."""

    school_id: int
    metric: object
    baseline: Decimal | None = None
    baseline_year: str = ""
    target: Decimal | None = None
    target_year: str = ""
    # (school year, period, value) of every measurement, in time order
    measurements: list = field(default_factory=list)
    on_track_share: Decimal = ON_TRACK_SHARE  # the school's state's thresholds
    at_risk_share: Decimal = AT_RISK_SHARE

    @property
    def latest(self) -> Decimal | None:
        return self.measurements[-1][2] if self.measurements else None

    @property
    def latest_year(self) -> str:
        return self.measurements[-1][0] if self.measurements else ""

    @property
    def latest_period(self) -> int | None:
        return self.measurements[-1][1] if self.measurements else None

    def _good(self, change: Decimal) -> Decimal:
        """A change in the metric's good direction (negative: it got worse)."""
        return change if self.metric.higher_is_better else -change

    @cached_property
    def gain(self) -> Decimal | None:
        """Improvement so far in the metric's good direction (negative: it got worse)."""
        if self.baseline is None or self.latest is None:
            return None
        return self._good(self.latest - self.baseline)

    @cached_property
    def needed_gain(self) -> Decimal | None:
        if self.baseline is None or self.target is None:
            return None
        return self._good(self.target - self.baseline)

    @cached_property
    def share_of_target(self) -> Decimal | None:
        """Gain so far as a share of the gain the target asks for (1 = target reached)."""
        if self.gain is None or not self.needed_gain:
            return None
        return (self.gain / self.needed_gain).quantize(Decimal("0.001"))

    @property
    def target_at(self) -> Decimal | None:
        return Decimal(school_year_start(self.target_year) + 1) if self.target_year else None

    @property
    def baseline_at(self) -> Decimal | None:
        return Decimal(school_year_start(self.baseline_year) + 1) if self.baseline_year else None

    @cached_property
    def trend(self) -> Projection | None:
        """The trend from the baseline through every measurement after it, at the end of the
        target year; None without a target or a measurement after the baseline."""
        if self.baseline is None or self.target is None or not self.target_year or not self.baseline_year:
            return None
        start = self.baseline_at
        after = [(time_of(year, period), value) for year, period, value in self.measurements]
        points = [(start, self.baseline), *((at, value) for at, value in after if at > start)]
        if len(points) < 2:
            return None
        trend = project(points, self.target_at, self.needed_gain)
        valid = self._valid
        return replace(trend, center=valid(trend.center), low=valid(trend.low), high=valid(trend.high))

    def _valid(self, value: Decimal) -> Decimal:
        """``value`` within the metric's valid range: a trend cannot project 112% or a negative count."""
        value = max(value, self.metric.min_value)
        return value if self.metric.max_value is None else min(value, self.metric.max_value)

    @property
    def projected(self) -> Decimal | None:
        """The value expected at the end of the target year if the trend holds."""
        return self.trend.center if self.trend else None

    @property
    def band_low(self) -> Decimal | None:
        """The low edge of the 80% band around ``projected`` (lower values)."""
        return self.trend.low if self.trend else None

    @property
    def band_high(self) -> Decimal | None:
        return self.trend.high if self.trend else None

    @property
    def band_is_prior(self) -> bool:
        """Whether the band is the prior spread (two points: no scatter to estimate it from)."""
        return self.trend is not None and self.trend.points < 3

    @property
    def chart_band(self) -> Band | None:
        """The projection as the school page's chart draws it, from the latest measurement."""
        if self.trend is None:
            return None
        return Band(
            start=(float(time_of(self.latest_year, self.latest_period)), float(self.latest)),
            end_time=float(self.target_at),
            end_label=f"end of {self.target_year}",
            center=float(self.trend.center),
            low=float(self.trend.low),
            high=float(self.trend.high),
            note=self.band_note,
        )

    @property
    def band_note(self) -> str:
        """How the band was estimated, when it is the prior spread (shown beside it)."""
        return PRIOR_NOTE if self.band_is_prior else ""

    @cached_property
    def status(self) -> Standing:
        """The metric's projection, judged with its state's thresholds."""
        trend, needed = self.trend, self.needed_gain
        if trend is None or not needed:
            return Standing.NO_DATA
        share = self._good(trend.center - self.baseline) / needed
        optimistic = max(self._good(trend.low - self.baseline), self._good(trend.high - self.baseline))
        if share >= self.on_track_share:
            return Standing.ON_TRACK
        if share >= self.at_risk_share or optimistic / needed >= self.on_track_share:
            return Standing.AT_RISK
        return Standing.OFF_TRACK

    @property
    def status_label(self) -> str:
        return self.status.label


def measurement_series(schools):
    """Every measurement of ``schools`` in time order per school and metric, with the thresholds
    of the school's state joined in: one query whatever the number of schools."""
    return Measurement.objects.filter(school__in=schools).order_by("school_id", "metric_id", "school_year", "period")


METRIC_FIELDS = [field.attname for field in Metric._meta.concrete_fields]
THRESHOLDS = ["school__district__state__on_track_share", "school__district__state__at_risk_share"]


def progress_for_schools(schools) -> dict[int, list[MetricProgress]]:
    """{school id: [MetricProgress per metric with a baseline, target or measurement]}. Three
    queries: baselines, targets, and every measurement (with the state's thresholds).

    Rows are read as tuples (the metric's columns joined in), one Metric object per metric: model
    instances per row would cost most of the time for the hundreds of schools of a state.
    """
    rows: dict[tuple[int, int], MetricProgress] = {}
    metrics: dict[int, Metric] = {}

    def items(queryset, *fields):
        """(MetricProgress, values of ``fields``) per row of ``queryset``."""
        for school_id, values, metric in _with_metrics(queryset, fields, metrics):
            key = (school_id, metric.pk)
            if key not in rows:
                rows[key] = MetricProgress(school_id=school_id, metric=metric)
            yield rows[key], values[: len(fields)]

    # order_by(): the rows are sorted below; the models' orderings (by school and metric names) cost joins.
    baselines = Baseline.objects.filter(school__in=schools).order_by()
    for item, (value, year) in items(baselines, "value", "school_year"):
        item.baseline, item.baseline_year = value, year
    for item, (value, year) in items(
        Target.objects.filter(school__in=schools).order_by(), "value", "target_school_year"
    ):
        item.target, item.target_year = value, year
    series = items(measurement_series(schools), "value", "school_year", "period", *THRESHOLDS)
    for item, (value, year, period, on_track_share, at_risk_share) in series:
        item.measurements.append((year, period, value))
        item.on_track_share, item.at_risk_share = on_track_share, at_risk_share
    return _by_school(rows.values())


def _with_metrics(queryset, fields, metrics: dict):
    """(school id, values of ``fields``, Metric) per row of ``queryset``, read as tuples with the
    metric's columns joined in; ``metrics`` keeps one Metric object per metric across calls."""
    columns = [f"metric__{name}" for name in METRIC_FIELDS]
    for school_id, *values in queryset.values_list("school_id", *fields, *columns):
        metric_values = values[len(fields) :]
        metric = metrics.get(metric_values[0])
        if metric is None:
            metric = metrics[metric_values[0]] = Metric.from_db(queryset.db, METRIC_FIELDS, metric_values)
        yield school_id, values[: len(fields)], metric


def _by_school(items) -> dict[int, list[MetricProgress]]:
    """{school id: its MetricProgress items by metric name}."""
    by_school: dict[int, list[MetricProgress]] = {}
    for item in sorted(items, key=lambda item: (item.school_id, item.metric.name)):
        by_school.setdefault(item.school_id, []).append(item)
    return by_school


STORED_FIELDS = [
    "baseline",
    "baseline_year",
    "target",
    "target_year",
    "latest",
    "latest_year",
    "latest_period",
    "projected",
    "band_low",
    "band_high",
    "points",
    "status",
]


def stored_progress_for_schools(schools) -> dict[int, list[MetricProgress]]:
    """What ``progress_for_schools`` returns, read from the progress read model
    (``accountability.progress``) in one query: each MetricProgress holds its latest measurement only
    (its trend and status as stored), so lists and counts never load a series. Pages that draw the
    series (the school page's charts) call ``progress_for_schools``."""
    rows = SchoolMetricProgress.objects.filter(school__in=schools).order_by()
    items = []
    for school_id, values, metric in _with_metrics(rows, STORED_FIELDS, {}):
        row = dict(zip(STORED_FIELDS, values, strict=True))
        item = MetricProgress(
            school_id=school_id,
            metric=metric,
            baseline=row["baseline"],
            baseline_year=row["baseline_year"],
            target=row["target"],
            target_year=row["target_year"],
            measurements=[] if row["latest"] is None else [(row["latest_year"], row["latest_period"], row["latest"])],
        )
        # The derived figures as stored (cached_property reads them from the instance).
        item.__dict__["trend"] = (
            None
            if row["projected"] is None
            else Projection(row["projected"], row["band_low"], row["band_high"], row["points"])
        )
        item.__dict__["status"] = Standing(row["status"])
        items.append(item)
    return _by_school(items)


def overall_status(progress: list[MetricProgress]) -> Standing:
    """A school's projection is as good as its weakest metric with data."""
    return worst(item.status for item in progress)


def latest_status_updates(status_updates, per_school: int = 1):
    """Each school's ``per_school`` most recent status updates among ``status_updates``, in one query."""
    return status_updates.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("school_id")],
            order_by=[F("reported_on").desc(), F("created_at").desc(), F("pk").desc()],
        )
    ).filter(rank__lte=per_school)


# What a school may have none of yet (``SchoolStanding.missing``), in the order the brief lists them.
MISSING_BASELINES, MISSING_TARGETS, MISSING_UPDATES = "baselines", "targets", "status updates"


@dataclass
class SchoolStanding:
    """Where a school stands: its Lead Partner's latest ratings, its projected progress per metric,
    and the one rule that says how it stands overall.

    The rule (used by every count, list, page, API, CSV and report): a school's ``standing`` is
    the worse of its Lead Partner's latest rating and its projection, whichever has data. So a
    school *needs attention* (is off track) when its latest rating **or** its projection is off
    track; it is at risk when either is at risk and neither is off track; on track when what is
    known is on track; "no data" with neither a rating nor a projection.

    Stale (``stale``): no status update for more than the school's state's ``stale_after_days``
    as of ``today``. A school that never had one is stale once its zone has operated that long
    (since 1 July of its launch school year); a school outside an operating zone (planning, closed,
    none) is never stale. Counted from the school's latest update whoever may read it, so the flag
    is the same for every reader (a national collaborator sees that updates are missing, not them).
    """

    school: object
    updates: list = field(default_factory=list)  # the latest status updates the reader may see, newest first
    progress: list = field(default_factory=list)  # MetricProgress per metric
    staleness: "Staleness | None" = None  # what ``stale`` is decided from (``school_standings`` fills it in)
    late: list = field(default_factory=list)  # its late requirements, where the calendar was read (``mark_late``)

    @property
    def latest_update(self):
        return self.updates[0] if self.updates else None

    @property
    def rated_on(self):
        return self.latest_update.reported_on if self.latest_update else None

    @property
    def rating(self) -> Standing:
        return Standing.of(self.latest_update.rating if self.latest_update else None)

    @property
    def projection(self) -> Standing:
        return overall_status(self.progress)

    @property
    def standing(self) -> Standing:
        return worst([self.rating, self.projection])

    @property
    def needs_attention(self) -> bool:
        return self.standing == Standing.OFF_TRACK

    @property
    def weakest_metric(self) -> MetricProgress | None:
        """The metric furthest from its target: worst projection, then smallest share of the target."""
        measured = [item for item in self.progress if item.status != Standing.NO_DATA]
        return min(measured, key=lambda item: (item.status.severity, item.share_of_target or Decimal(0)), default=None)

    @property
    def days_since_update(self) -> int | None:
        """Days since the school's latest status update (None: never updated)."""
        staleness = self.staleness
        if staleness is None or staleness.last_reported_on is None:
            return None
        return (staleness.today - staleness.last_reported_on).days

    @property
    def stale(self) -> bool:
        """No status update for more than the state's ``stale_after_days`` (see the class docstring)."""
        return self.staleness is not None and self.staleness.stale

    @property
    def missing(self) -> list[str]:
        """What the school has none of yet among what its progress is judged on: "baselines",
        "targets", "status updates" (any reader's, like ``stale``)."""
        gaps = []
        if not any(item.baseline is not None for item in self.progress):
            gaps.append(MISSING_BASELINES)
        if not any(item.target is not None for item in self.progress):
            gaps.append(MISSING_TARGETS)
        reported_on = self.staleness.last_reported_on if self.staleness else self.rated_on
        if reported_on is None:
            gaps.append(MISSING_UPDATES)
        return gaps

    @property
    def off_track_twice(self) -> bool:
        """Rated off track in the last two status updates in a row."""
        return len(self.updates) >= 2 and all(u.rating == Rating.OFF_TRACK for u in self.updates[:2])


@dataclass(frozen=True)
class Staleness:
    """What a school's ``stale`` flag is decided from: its state's setting, its latest update
    (anyone's), since when its zone operates (None: not operating) and the day it is judged on."""

    stale_after_days: int
    last_reported_on: date | None
    operating_since: date | None
    today: date

    @property
    def cutoff(self) -> date:
        """A school whose latest update is older than this is stale."""
        return self.today - timedelta(days=self.stale_after_days)

    @property
    def stale(self) -> bool:
        """The one staleness rule (``SchoolStanding``'s docstring): updated before the cutoff, or
        never updated in a zone operating since before it."""
        since = self.last_reported_on if self.last_reported_on is not None else self.operating_since
        return since is not None and since < self.cutoff


def operating_since(status: str, launch_school_year: str) -> date | None:
    """Since when a zone operates, for staleness: 1 July of its launch school year (None when it
    is not operating or has no launch year)."""
    if status in Zone.OPERATING_STATUSES and launch_school_year:
        return date(school_year_start(launch_school_year), SCHOOL_YEAR_FIRST_MONTH, 1)
    return None


def staleness_by_school(schools, today: date | None = None) -> dict[int, Staleness]:
    """{school id: Staleness}, in one query whatever the number of schools and states: each
    school's state setting, zone and latest update date come joined to it."""
    today = today or timezone.localdate()
    rows = (
        School.objects.filter(pk__in=[school.pk for school in schools])
        .order_by()
        .values_list("pk", "district__state__stale_after_days", "zone__status", "zone__launch_school_year")
        .annotate(last_reported_on=Max("status_updates__reported_on"))
    )
    return {
        pk: Staleness(
            stale_after_days=stale_after_days,
            last_reported_on=last_reported_on,
            operating_since=operating_since(status, launch_year),
            today=today,
        )
        for pk, stale_after_days, status, launch_year, last_reported_on in rows
    }


def school_standings(
    schools, status_updates, per_school: int = 2, *, today: date | None = None
) -> list[SchoolStanding]:
    """A standing per school, in the schools' order; ``status_updates`` are those the reader may
    see, of which each school keeps its latest ``per_school``; ``stale`` is judged as of ``today``.

    Four queries: the schools, their stored progress (``stored_progress_for_schools``), their
    latest status updates and what their staleness is decided from.
    """
    schools = list(schools)
    progress = stored_progress_for_schools(schools)
    latest = latest_status_updates(status_updates.filter(school__in=schools), per_school).order_by("school_id", "rank")
    updates: dict[int, list] = {}
    for update in latest:
        updates.setdefault(update.school_id, []).append(update)
    staleness = staleness_by_school(schools, today)
    return [
        SchoolStanding(school, updates.get(school.pk, []), progress.get(school.pk, []), staleness.get(school.pk))
        for school in schools
    ]


def late_by_school(requirements) -> dict[int, list]:
    """{school id: its late requirements} among the collection calendar's ``requirements``
    (``accountability.calendar``): the one definition of a school's late submissions."""
    late: dict[int, list] = {}
    for requirement in requirements:
        if requirement.status == Collection.LATE:
            late.setdefault(requirement.school.pk, []).append(requirement)
    return late


def mark_late(standings, late: dict[int, list]) -> None:
    """Give each standing its school's late requirements (from ``late_by_school``)."""
    for row in standings:
        row.late = late.get(row.school.pk, [])


@dataclass
class StandingCounts:
    """How many schools stand where (by ``SchoolStanding.standing``)."""

    off_track: int = 0
    at_risk: int = 0
    on_track: int = 0
    no_data: int = 0

    @classmethod
    def of(cls, standings) -> "StandingCounts":
        counts = cls()
        for row in standings:
            counts.add(row.standing)
        return counts

    def add(self, standing: Standing, count: int = 1) -> None:
        setattr(self, standing.value, getattr(self, standing.value) + count)

    @property
    def schools(self) -> int:
        return self.off_track + self.at_risk + self.on_track + self.no_data

    def share(self, standing: Standing) -> Decimal | None:
        """Share of the schools that stand at ``standing`` (None without schools)."""
        if not self.schools:
            return None
        return (Decimal(getattr(self, Standing(standing).value)) / self.schools).quantize(Decimal("0.001"))

    def items(self) -> list[tuple[Standing, int]]:
        """(standing, count) for every standing, worst first."""
        return [(standing, getattr(self, standing.value)) for standing in Standing]

    def __add__(self, other: "StandingCounts") -> "StandingCounts":
        return StandingCounts(**{s.value: getattr(self, s.value) + getattr(other, s.value) for s in Standing})


def _severity(field: str):
    """The ``Standing.severity`` of a stored rating or status, in SQL (no data: the largest)."""
    known = [standing for standing in Standing if standing != Standing.NO_DATA]
    whens = [When(**{field: standing.value}, then=Value(standing.severity)) for standing in known]
    return Case(*whens, default=Value(Standing.NO_DATA.severity))


def worst_first(schools):
    """``schools`` ordered by ``SchoolStanding.standing``, worst first, then by name, in SQL from the
    stored read model (``SchoolProgress``: the worse of the latest rating and the projection), so a
    list pages through every school in that order without computing every standing. For readers who
    see the Lead Partner's ratings (the rating is anyone's latest)."""
    severity = Least(_severity("progress__rating"), _severity("progress__projection"))
    return schools.annotate(standing_severity=severity).order_by("standing_severity", "name", "pk")


def rating_hidden_state_ids(user) -> frozenset:
    """The states that reach the user only as a national collaborator, where Lead Partner ratings
    and narratives stay hidden (``StatusUpdate.TenantScope``): schools there stand by projection
    alone. Empty for a task (``user`` None), which reads everything."""
    if user is None:
        return frozenset()
    scope = scope_of(user)
    return frozenset() if scope.is_admin else scope.collaborator_state_ids - scope.state_ids


def ratings_hidden_from(user, state=None) -> bool:
    """Whether ``state`` (default: some state) hides Lead Partner ratings from the user
    (``rating_hidden_state_ids``); empty lists say so rather than "none yet"."""
    hidden = rating_hidden_state_ids(user)
    return state.pk in hidden if state is not None else bool(hidden)


@dataclass
class StandingTally:
    """How the schools of one zone stand, counted rather than listed: what a rollup shows of them."""

    counts: StandingCounts = field(default_factory=StandingCounts)
    stale: int = 0
    rated_on: date | None = None  # the latest status update the reader sees


def standing_tallies(schools, zones, *, reader=None, today: date | None = None) -> dict[int, StandingTally]:
    """{zone id: StandingTally} of ``schools`` (a queryset of the schools ``reader`` may read) in
    ``zones`` (with their states), in one GROUP BY over the progress read model (``SchoolProgress``),
    so a rollup of every state costs one aggregate instead of every school's standing.

    The same rules as ``SchoolStanding``, in SQL: the standing is the worse of the stored rating
    (none where ``rating_hidden_state_ids``) and the projection; staleness compares the stored latest
    update with each state's ``Staleness.cutoff``, and counts never-updated schools as stale where
    ``Staleness`` says a zone's are."""
    today = today or timezone.localdate()
    zones = list(zones)
    if not zones:
        return {}
    hidden = rating_hidden_state_ids(reader)
    # Each zone's staleness rule for a school never updated there (its cutoff is its state's).
    never_updated = {
        zone.pk: Staleness(
            zone.state.stale_after_days, None, operating_since(zone.status, zone.launch_school_year), today
        )
        for zone in zones
    }
    by_cutoff: dict[date, list[int]] = {}
    for zone in zones:
        by_cutoff.setdefault(never_updated[zone.pk].cutoff, []).append(zone.state_id)
    cutoffs = [When(state_id__in=ids, then=Value(day)) for day, ids in by_cutoff.items()]
    counted = {standing.value: Count("pk", filter=Q(severity=standing.severity)) for standing in Standing}
    # The read model's rows are walled off from national collaborators (they carry the rating);
    # counted here only for ``schools`` the reader reads, the rating masked where it is hidden.
    with scopes_disabled():
        rows = list(_tally_rows(schools, zones, hidden, cutoffs, counted))
    return {
        row["school__zone_id"]: StandingTally(
            counts=StandingCounts(**{standing.value: row[standing.value] for standing in Standing}),
            stale=row["updated_before_cutoff"]
            + (row["never_updated"] if never_updated[row["school__zone_id"]].stale else 0),
            rated_on=row["rated_on"],
        )
        for row in rows
    }


def _tally_rows(schools, zones, hidden, cutoffs, counted):
    rating = Case(When(state_id__in=hidden, then=Value(Standing.NO_DATA.severity)), default=_severity("rating"))
    return (
        SchoolProgress.objects.filter(school__in=schools, school__zone__in=zones)
        .annotate(severity=Least(rating, _severity("projection")), cutoff=Case(*cutoffs, output_field=DateField()))
        .values("school__zone_id")
        .annotate(
            **counted,
            updated_before_cutoff=Count("pk", filter=Q(reported_on__lt=F("cutoff"))),
            never_updated=Count("pk", filter=Q(reported_on__isnull=True)),
            rated_on=Max("reported_on", filter=~Q(state_id__in=hidden) if hidden else None),
        )
        .order_by()
    )
