"""Metrics, each school's baseline and two-year target, measurements and status updates."""

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode
from django_scopes import scopes_disabled
from simple_history.models import HistoricalRecords

from core.changes import TrackedModel
from core.concurrency import VersionedModel
from core.fields import school_year_field
from core.tenancy import TenantModel, scope_of, viewer_manager
from core.validators import (
    school_year_start,
    validate_not_after_today,
    validate_reported_school_year,
    validate_single_line_text,
)
from schools.models import GRADE_ORDER, GRADES

from .choices import Decision, Rating, Standing, Submission

TARGET_HORIZON_YEARS = 2  # dramatic gains within two years of launch


class MetricQuerySet(models.QuerySet):
    def visible_to(self, user_or_scope):
        """The catalog for every member, and the own indicators of the states the viewer reaches
        (state roles, Lead Partner grants, collaborator engagements); admins read all. Another
        state's indicator is not there (404)."""
        scope = scope_of(user_or_scope)
        if scope.is_admin:
            return self
        if not scope.is_member:
            return self.none()
        return self.filter(Q(state__isnull=True) | Q(state__in=scope.reach_state_ids))

    def for_state(self, state):
        """The indicators a school of ``state`` (a State or its id) is measured on: the catalog
        and that state's own."""
        return self.filter(Q(state__isnull=True) | Q(state=state))


class Metric(TrackedModel):
    """What schools are measured on (an indicator), within a range of values and a span of grades
    (graduation rate only where grade 12 is taught). The catalog (``state`` empty: the achievement
    metrics and the federal 1003(g) SIG leading indicators) applies in every state; a state may add
    its own indicators, seen and collected in that state only."""

    natural_key_fields = {"code": "code"}

    class Unit(models.TextChoices):
        PERCENT = "percent", "Percent"
        COUNT = "count", "Count"
        PER_100 = "per_100", "Per 100 students"
        SCALE_SCORE = "scale_score", "Scale score"
        MINUTES = "minutes", "Minutes"

    class Kind(models.TextChoices):
        LAGGING = "lagging", "Achievement (lagging)"
        LEADING = "leading", "Leading indicator"

    class Direction(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200, validators=[validate_single_line_text])
    unit = models.CharField(max_length=20, choices=Unit.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    min_value = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    max_value = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    description = models.TextField(blank=True)
    lowest_grade = models.CharField(
        "lowest grade it measures",
        max_length=2,
        choices=GRADES,
        default=GRADES[0][0],
        help_text="A school is measured on the metric when it teaches a grade from the lowest to the highest.",
    )
    highest_grade = models.CharField("highest grade it measures", max_length=2, choices=GRADES, default=GRADES[-1][0])
    kind = models.CharField(
        max_length=10,
        choices=Kind.choices,
        default=Kind.LAGGING,
        help_text="Leading indicators move within a year and foretell achievement; achievement lags.",
    )
    state = models.ForeignKey(
        "zones.State",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="own_metrics",
        help_text="The state that added this indicator; empty for the initiative's catalog.",
    )

    objects = viewer_manager(MetricQuerySet)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def validate_unique(self, exclude=None):
        """A code is unique across every state's indicators, also those the viewer cannot see (a
        duplicate is a validation error, not an IntegrityError)."""
        with scopes_disabled():
            super().validate_unique(exclude=exclude)

    def state_error(self, school) -> str | None:
        """Why ``school`` is not measured on this metric (another state's own indicator), or None."""
        if self.state_id is None or self.state_id == school.district.state_id:
            return None
        return f"{self.name} is another state's own indicator; {school} is not measured on it."

    @property
    def higher_is_better(self) -> bool:
        return self.direction == self.Direction.HIGHER

    def clean(self):
        super().clean()
        if self.unit == self.Unit.PERCENT and self.max_value is None:
            self.max_value = 100
        errors = {}
        if self.max_value is not None and self.max_value <= self.min_value:
            errors["max_value"] = "The largest value must be above the smallest."
        if GRADE_ORDER.get(self.lowest_grade, 0) > GRADE_ORDER.get(self.highest_grade, len(GRADES)):
            errors["highest_grade"] = "The highest grade cannot be below the lowest grade."
        if errors:
            raise ValidationError(errors)

    @property
    def grade_span(self) -> str:
        """The grades it measures, in words: "grade 12", "grades 3–12"."""
        if self.lowest_grade == self.highest_grade:
            return f"grade {self.lowest_grade}"
        return f"grades {self.lowest_grade}–{self.highest_grade}"

    def applies_to_grades(self, lowest: str, highest: str) -> bool:
        """Whether a school teaching grades ``lowest``–``highest`` teaches one this metric measures."""
        return (
            GRADE_ORDER[lowest] <= GRADE_ORDER[self.highest_grade]
            and GRADE_ORDER[self.lowest_grade] <= GRADE_ORDER[highest]
        )

    def grade_error(self, school) -> str | None:
        """Why ``school`` is not measured on this metric (no grade of its span), or None."""
        if self.applies_to_grades(school.lowest_grade, school.highest_grade):
            return None
        grades = "grade" if school.lowest_grade == school.highest_grade else "grades"
        return f"{self.name} applies to schools with {self.grade_span}; {school} has {grades} {school.grade_span}."

    def range_error(self, value) -> str | None:
        """Why a value is impossible for this metric, or None when it is in range."""
        if value is None:
            return None
        if value < self.min_value or (self.max_value is not None and value > self.max_value):
            upper = f"{self.max_value}" if self.max_value is not None else "no limit"
            return f"{value} is out of range for {self.name} ({self.min_value} to {upper})."
        return None


class SchoolMetricValue(TrackedModel, TenantModel):
    """A school's value on a metric; checks the school, metric and value fit together."""

    # No index of its own: every subclass's unique key leads with the school.
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="%(class)ss", db_index=False)
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="%(class)ss")
    value = models.DecimalField(max_digits=10, decimal_places=2)

    class TenantScope:
        state = "school__district__state"
        lead_partner = "school__zone__lead_partner"
        collaborator = True

    class Meta:
        abstract = True

    def duplicate_label(self) -> str:
        """What a second record with the same key would repeat, e.g. "Graduation rate baseline"."""
        return f"{self.metric} {self._meta.verbose_name}"

    def edit_link(self) -> tuple[str, str]:
        """(URL, link text) of the page where this record is edited."""
        raise NotImplementedError

    def unique_error_message(self, model_class, unique_check):
        """A duplicate names the record that exists and where to edit it: pages link to it
        (``link_url``), the API gives its id (``existing``)."""
        existing = None
        if len(unique_check) > 1:
            same_key = {name: getattr(self, name) for name in unique_check}
            existing = type(self)._default_manager.filter(**same_key).exclude(pk=self.pk).first()
        if existing is None:
            return super().unique_error_message(model_class, unique_check)
        link_url, link_text = existing.edit_link()
        return ValidationError(
            "%(school)s already has a %(label)s (%(value)s): edit that one instead of adding another.",
            code="unique_together",
            params={
                "school": existing.school,
                "label": existing.duplicate_label(),
                "value": existing.value,
                "existing": existing.pk,
                "link_url": link_url,
                "link_text": link_text,
            },
        )

    def clean(self):
        super().clean()
        if self.metric_id and self.school_id:
            problem = self.metric.state_error(self.school) or self.metric.grade_error(self.school)
            if problem:
                raise ValidationError({"metric": problem})
        if self.metric_id and self.value is not None:
            problem = self.metric.range_error(self.value)
            if problem:
                raise ValidationError({"value": problem})


class Baseline(SchoolMetricValue):
    """Where a school stood on a metric before its zone launched."""

    natural_key_fields = {"school_nces_id": "school__nces_id", "metric_code": "metric__code"}

    school_year = school_year_field("baseline school year", validators=[validate_reported_school_year])
    source = models.CharField(max_length=200, blank=True, validators=[validate_single_line_text])
    history = HistoricalRecords()

    class Meta:
        ordering = ["school__name", "metric__name"]
        constraints = [models.UniqueConstraint(fields=["school", "metric"], name="one_baseline_per_school_metric")]

    def __str__(self):
        return f"{self.school} {self.metric} baseline {self.value} ({self.school_year})"

    def duplicate_label(self) -> str:
        return f"{self.metric} baseline for {self.school_year}"

    def edit_link(self) -> tuple[str, str]:
        return reverse("accountability:baseline_edit", kwargs={"baseline_pk": self.pk}), "Edit the baseline"

    def clean(self):
        super().clean()
        launch = self.school.zone.launch_year_start if self.school_id and self.school.zone_id else None
        if launch is not None and self.school_year and school_year_start(self.school_year) >= launch:
            launched = self.school.zone.launch_school_year
            raise ValidationError({"school_year": f"A baseline is measured before the zone launches in {launched}."})


class Target(SchoolMetricValue):
    """The gain a school commits to on a metric, due within two years of its zone's launch."""

    natural_key_fields = {"school_nces_id": "school__nces_id", "metric_code": "metric__code"}

    target_school_year = school_year_field("target school year")
    history = HistoricalRecords()

    class Meta:
        ordering = ["school__name", "metric__name"]
        constraints = [models.UniqueConstraint(fields=["school", "metric"], name="one_target_per_school_metric")]

    def __str__(self):
        return f"{self.school} {self.metric} target {self.value} by {self.target_school_year}"

    def duplicate_label(self) -> str:
        return f"{self.metric} target for {self.target_school_year}"

    def edit_link(self) -> tuple[str, str]:
        return reverse("accountability:target_edit", kwargs={"target_pk": self.pk}), "Edit the target"

    def clean(self):
        super().clean()
        errors = {}
        launch = self.school.zone.launch_year_start if self.school_id and self.school.zone_id else None
        if launch is not None and self.target_school_year:
            gap = school_year_start(self.target_school_year) - launch
            if not 0 <= gap < TARGET_HORIZON_YEARS:
                errors["target_school_year"] = (
                    f"The target is due within two years of the zone's launch in "
                    f"{self.school.zone.launch_school_year}: its first or second school year."
                )
        baseline = (
            Baseline.objects.filter(school_id=self.school_id, metric_id=self.metric_id).first()
            if self.school_id and self.metric_id
            else None
        )
        if baseline is not None and self.value is not None:
            improves = self.value > baseline.value if self.metric.higher_is_better else self.value < baseline.value
            if not improves:
                word = "above" if self.metric.higher_is_better else "below"
                errors["value"] = f"A target is a gain: set it {word} the baseline of {baseline.value}."
        if errors:
            raise ValidationError(errors)


class Measurement(SchoolMetricValue):
    """A school's value on a metric in one period of a school year."""

    natural_key_fields = {
        "school_nces_id": "school__nces_id",
        "metric_code": "metric__code",
        "school_year": "school_year",
        "period": "period",
    }

    class Period(models.IntegerChoices):
        FALL = 1, "Fall"
        WINTER = 2, "Winter"
        SPRING = 3, "Spring"
        END_OF_YEAR = 4, "End of year"

    school_year = school_year_field("school year", validators=[validate_reported_school_year])
    period = models.PositiveSmallIntegerField(choices=Period.choices)
    source = models.CharField(max_length=200, blank=True, validators=[validate_single_line_text])
    # Unindexed: only deleting a user (never done: users are deactivated) looks rows up by it, and
    # every index slows the bulk writes of millions of rows.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, db_index=False
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["school__name", "metric__name", "school_year", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "metric", "school_year", "period"], name="one_measurement_per_period"
            )
        ]
        # Leading with the school year: ``?school_year=`` (also one that matches nothing) and
        # ``?ordering=school_year`` read a range of it; a metric's rows are its foreign key's index.
        indexes = [models.Index(fields=["school_year", "metric", "period"], name="measurement_year_metric")]

    def __str__(self):
        return f"{self.school} {self.metric} {self.school_year} {self.get_period_display()}: {self.value}"

    def duplicate_label(self) -> str:
        return f"{self.metric} measurement for {self.school_year} {self.get_period_display().lower()}"

    def edit_link(self) -> tuple[str, str]:
        """Where the value is corrected: the workspace's grid of its reporting period (when the state
        collects that period), else the school's page that lists it."""
        reporting_period = ReportingPeriod.objects.filter(
            state_id=self.school.district.state_id, school_year=self.school_year, period=self.period
        ).first()
        if reporting_period is None:
            url = reverse("portfolio:school_detail", kwargs={"school_pk": self.school_id}) + "#measurements"
            return url, f"See it on {self.school}'s page"
        return period_form_url(self.school_id, reporting_period.pk) + "#period", "Correct it in the period's form"

    @property
    def time_index(self) -> float:
        """Position on a timeline in school years (2010-11 fall → 2010.25)."""
        return school_year_start(self.school_year) + self.period / len(self.Period)


class StatusUpdate(TrackedModel, TenantModel):
    """A Lead Partner's periodic report on a school: a rating, a narrative, per-autonomy notes."""

    Rating = Rating  # the one vocabulary (choices.py)
    # Each note and the area of autonomy (autonomy.choices.Area) it reports on.
    NOTE_AREAS = {
        "staffing_notes": "people",
        "scheduling_notes": "time",
        "curriculum_notes": "program",
        "budget_notes": "money",
    }

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="status_updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="status_updates"
    )
    reported_on = models.DateField(validators=[validate_not_after_today])
    rating = models.CharField("overall rating", max_length=20, choices=Rating.choices)
    narrative = models.TextField()
    staffing_notes = models.TextField(blank=True)
    scheduling_notes = models.TextField(blank=True)
    curriculum_notes = models.TextField(blank=True)
    budget_notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class TenantScope:
        state = "school__district__state"
        lead_partner = "school__zone__lead_partner"
        collaborator = False  # narratives are for the state and its partners

    class Meta:
        ordering = ["-reported_on", "-created_at"]
        get_latest_by = ["reported_on", "created_at"]
        # Each school's latest update (the portfolio's ratings) is read from this index.
        indexes = [
            models.Index(fields=["school", "-reported_on", "-created_at"], name="statusupdate_latest"),
            # The API's orderings (web.filtering: each one an index range, not a sort of every row).
            models.Index(fields=["reported_on"], name="statusupdate_reported_on"),
            models.Index(fields=["created_at"], name="statusupdate_created_at"),
        ]

    def __str__(self):
        return f"{self.school} {self.reported_on}: {self.get_rating_display()}"

    def clean(self):
        super().clean()
        self.check_not_posted_twice()

    def check_not_posted_twice(self) -> None:
        """The same update twice (same school, day, rating and narrative) is a double post, not news.
        ``recording.post_status_update`` checks it again on the school's locked row, so two clicks
        at once cannot both pass."""
        if self.school_id and self.reported_on and self.rating and self.narrative:
            twins = StatusUpdate._base_manager.filter(  # every update of the school, whoever reads
                school_id=self.school_id, reported_on=self.reported_on, rating=self.rating, narrative=self.narrative
            ).exclude(pk=self.pk)
            if twins.exists():
                raise ValidationError(
                    "%(school)s already has this status update for %(day)s (same rating and narrative).",
                    code="duplicate_status_update",
                    params={"school": self.school, "day": self.reported_on},
                )

    def check_notes_on_held_autonomies(self) -> None:
        """A new update's notes only on areas of autonomy its school's zone holds: a note on one it
        lacks reports on a power the zone does not have. ``recording.post_status_update`` checks
        it (an older update keeps notes on a power since revoked)."""
        held = held_autonomy_areas([self.school])
        errors = {
            notes: f"{self.school.zone or self.school} holds no autonomy in this area."
            for notes, area in self.NOTE_AREAS.items()
            if getattr(self, notes) and area not in held
        }
        if errors:
            raise ValidationError(errors)


GRANTED = "granted"  # autonomy.choices.TermStatus.GRANTED (autonomy sits above this app): the zone holds the power


def held_autonomy_areas(schools) -> set[str]:
    """The areas of autonomy the schools' zones hold (a granted term in their ledger): one query."""
    School = apps.get_model("schools", "School")
    terms = School.objects.filter(pk__in=[school.pk for school in schools], zone__autonomy_terms__status=GRANTED)
    return set(terms.values_list("zone__autonomy_terms__area", flat=True))


def period_form_url(school_id, reporting_period_id) -> str:
    """The workspace grid where a school's values for a reporting period are entered (pages, the
    duplicate-measurement error and the reminder mails link to it)."""
    query = urlencode({"school": school_id, "period": reporting_period_id})
    return f"{reverse('accountability:period_form')}?{query}"


class ReportingPeriod(TrackedModel, TenantModel):
    """A period of a school year a state collects indicators for, and when they are due. With the
    schools of its operating zones and the indicators that apply to them, it makes the collection
    calendar's requirements (``accountability.calendar``)."""

    natural_key_fields = {"state_postal_code": "state__postal_code", "school_year": "school_year", "period": "period"}

    state = models.ForeignKey("zones.State", on_delete=models.CASCADE, related_name="reporting_periods")
    school_year = school_year_field("school year")
    period = models.PositiveSmallIntegerField(choices=Measurement.Period.choices)
    due_on = models.DateField("due date")
    indicators = models.ManyToManyField(
        Metric,
        blank=True,
        related_name="reporting_periods",
        help_text="The indicators collected in this period; none chosen: every indicator that applies.",
    )
    history = HistoricalRecords(m2m_fields=[indicators])

    class TenantScope:
        state = "state"
        lead_partner = "state__zones__lead_partner"
        collaborator = True
        multivalued = True

    class Meta:
        ordering = ["state__name", "-school_year", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["state", "school_year", "period"], name="one_reporting_period_per_state")
        ]

    def __str__(self):
        return f"{self.state} {self.school_year} {self.get_period_display()} (due {self.due_on:%b %-d, %Y})"


class PeriodSubmission(TrackedModel, VersionedModel, TenantModel):
    """A school's report for one reporting period moving through the cycle (``choices.Submission``):
    in progress → submitted → approved (locked) or returned (with a comment) → submitted again; an
    approved period is reopened only by a state lead, with a reason. Each step is a history row."""

    natural_key_fields = {
        "school_nces_id": "school__nces_id",
        "school_year": "reporting_period__school_year",
        "period": "reporting_period__period",
    }

    Status = Submission

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="period_submissions")
    reporting_period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="submissions")
    status = models.CharField(max_length=20, choices=Submission.choices, default=Submission.IN_PROGRESS)
    submitted_at = models.DateTimeField(null=True, blank=True, help_text="When it was last submitted.")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_submitted_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was first submitted: on time or late against the due date."
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(blank=True, help_text="The state's comment when it returned or reopened the period.")
    times_returned = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class TenantScope:
        state = "school__district__state"
        lead_partner = "school__zone__lead_partner"
        collaborator = True

    class Meta:
        ordering = ["school__name", "-reporting_period__school_year", "-reporting_period__period"]
        constraints = [
            models.UniqueConstraint(fields=["school", "reporting_period"], name="one_submission_per_school_period")
        ]

    def __str__(self):
        period = self.reporting_period
        return f"{self.school} {period.school_year} {period.get_period_display()}: {self.get_status_display()}"


class RenewalDecision(TrackedModel, TenantModel):
    """The state's decision on a zone at its renewal: continue, intensify, replace the Lead Partner
    or exit, with the reasons, the date and who decided."""

    Decision = Decision

    zone = models.ForeignKey("zones.Zone", on_delete=models.CASCADE, related_name="renewal_decisions")
    decision = models.CharField(max_length=30, choices=Decision.choices)
    reasons = models.TextField()
    decided_on = models.DateField(validators=[validate_not_after_today])
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class TenantScope:
        state = "zone__state"
        lead_partner = "zone__lead_partner"
        collaborator = True

    class Meta:
        ordering = ["-decided_on", "-created_at"]
        get_latest_by = ["decided_on", "created_at"]

    def __str__(self):
        return f"{self.zone} {self.decided_on}: {self.get_decision_display()}"


class ExitCriterion(TrackedModel, TenantModel):
    """A condition a state sets for a zone's schools to exit the zone (e.g. their targets met two
    consecutive school years), evaluated for every zone at its renewal."""

    class Kind(models.TextChoices):
        TARGETS_MET = "targets_met", "Targets met in consecutive school years"
        ON_TRACK = "on_track", "Every school on track"

    state = models.ForeignKey("zones.State", on_delete=models.CASCADE, related_name="exit_criteria")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    years = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="Consecutive school years (targets met).",
    )
    metric = models.ForeignKey(
        Metric,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Only this metric; empty: every metric with a target.",
    )
    history = HistoricalRecords()

    class TenantScope:
        state = "state"
        lead_partner = "state__zones__lead_partner"
        collaborator = True
        multivalued = True

    class Meta:
        ordering = ["state__name", "kind", "pk"]
        verbose_name_plural = "exit criteria"

    def __str__(self):
        on = f" ({self.metric})" if self.metric_id else ""
        if self.kind == self.Kind.TARGETS_MET:
            return f"Targets met {self.years} consecutive school years{on}"
        return f"{self.get_kind_display()}{on}"

    def clean(self):
        super().clean()
        if self.metric_id and self.state_id and self.metric.state_id not in (None, self.state_id):
            raise ValidationError({"metric": f"{self.metric} is another state's own indicator."})


class ReminderDigest(TenantModel):
    """One reminder mail to one person on one day (the digest of everything due, late or escalated
    for them): the unique day makes two beats, or a retried task, send it once."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    state = models.ForeignKey("zones.State", on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    items = models.PositiveIntegerField(help_text="Requirements the mail listed.")
    escalated = models.BooleanField(default=False, help_text="The mail copied the state lead on late periods.")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class TenantScope:
        state = "state"
        collaborator = False

    class Meta:
        ordering = ["-sent_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "state", "sent_on"], name="one_reminder_digest_per_day")
        ]

    def __str__(self):
        return f"Reminder to {self.recipient} on {self.sent_on}"


class SchoolMetricProgress(TenantModel):
    """The progress read model's row for one school and metric (``accountability.progress``): what
    ``services.MetricProgress`` computes from the baseline, target and every measurement, stored so
    lists, counts and rollups read one row instead of the whole series. Written only by
    ``progress.refresh`` in the transaction of the write that changed its inputs; never edited."""

    derived = True  # goes with its school or metric: never what keeps one (core.deletion)

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="metric_progress")
    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="+")
    baseline = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    baseline_year = school_year_field("baseline school year", blank=True)
    target = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    target_year = school_year_field("target school year", blank=True)
    latest = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    latest_year = school_year_field("latest school year", blank=True)
    latest_period = models.PositiveSmallIntegerField(null=True, blank=True, choices=Measurement.Period.choices)
    points = models.PositiveIntegerField(default=0, help_text="Baseline and measurements the trend is fitted to.")
    projected = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    band_low = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    band_high = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    band_is_prior = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Standing.choices, default=Standing.NO_DATA)
    refreshed_at = models.DateTimeField(auto_now=True)

    class TenantScope:
        state = "school__district__state"
        lead_partner = "school__zone__lead_partner"
        collaborator = True

    class Meta:
        ordering = ["school", "metric__name"]
        verbose_name_plural = "school metric progress"
        constraints = [models.UniqueConstraint(fields=["school", "metric"], name="one_progress_per_school_metric")]
        indexes = [models.Index(fields=["metric", "status"], name="metricprogress_status")]

    def __str__(self):
        return f"{self.school} {self.metric}: {self.get_status_display()}"


class SchoolProgress(TenantModel):
    """The progress read model's row for one school: its projection (the worst of its metrics'),
    its latest status update (anyone's: the same for every reader) and how many metrics it is judged
    on. Zone and state rollups are one GROUP BY over these rows (``zone``, ``state`` and
    ``projection`` are indexed for it). Written only by ``progress.refresh``."""

    derived = True  # goes with its school (core.deletion)

    school = models.OneToOneField("schools.School", on_delete=models.CASCADE, related_name="progress")
    state = models.ForeignKey("zones.State", on_delete=models.CASCADE, related_name="+")
    zone = models.ForeignKey("zones.Zone", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    projection = models.CharField(max_length=20, choices=Standing.choices, default=Standing.NO_DATA)
    metrics = models.PositiveIntegerField(default=0, help_text="Metrics with a baseline, target or measurement.")
    latest_update = models.ForeignKey(StatusUpdate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rating = models.CharField(max_length=20, choices=Rating.choices, blank=True)
    reported_on = models.DateField(null=True, blank=True, help_text="The latest status update's date (staleness).")
    refreshed_at = models.DateTimeField(auto_now=True)

    class TenantScope:
        state = "state"
        lead_partner = "school__zone__lead_partner"
        collaborator = False  # it carries the Lead Partner's latest rating

    class Meta:
        ordering = ["school"]
        verbose_name_plural = "school progress"
        indexes = [
            models.Index(fields=["state", "projection"], name="schoolprogress_state"),
            models.Index(fields=["zone", "projection"], name="schoolprogress_zone"),
            models.Index(fields=["reported_on"], name="schoolprogress_reported_on"),
        ]

    def __str__(self):
        return f"{self.school}: {self.get_projection_display()}"
