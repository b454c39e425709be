"""API representations of metrics, baselines, targets, measurements, status updates, progress and the
accountability cycle (reporting periods, period submissions, the collection calendar)."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from schools.models import School
from web.rest import BatchedField, ModelCleanSerializer, SparseFieldsMixin, VisibleRelationsMixin
from web.sync import ChangeStampsMixin

from .choices import Collection, Standing
from .cycle import is_locked
from .models import (
    Baseline,
    ExitCriterion,
    Measurement,
    Metric,
    PeriodSubmission,
    RenewalDecision,
    ReportingPeriod,
    StatusUpdate,
    Target,
)
from .services import school_standings


class MetricSerializer(ModelCleanSerializer):
    """A metric or indicator: its unit, direction, valid range, grade span and kind. ``state`` empty:
    the initiative's catalog (admins change it); else a state's own indicator (its state lead)."""

    grade_span = serializers.CharField(read_only=True, help_text="The grades it measures, in words.")

    class Meta:
        model = Metric
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "state",
            "unit",
            "direction",
            "min_value",
            "max_value",
            "lowest_grade",
            "highest_grade",
            "grade_span",
            "description",
        ]


class BaselineSerializer(ModelCleanSerializer):
    class Meta:
        model = Baseline
        fields = ["id", "school", "metric", "value", "school_year", "source"]


class TargetSerializer(ModelCleanSerializer):
    class Meta:
        model = Target
        fields = ["id", "school", "metric", "value", "target_school_year"]


class MeasurementSerializer(ModelCleanSerializer):
    recorded_by = serializers.HiddenField(default=serializers.CreateOnlyDefault(serializers.CurrentUserDefault()))
    recorded_by_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Measurement
        fields = [
            "id",
            "school",
            "metric",
            "school_year",
            "period",
            "value",
            "source",
            "recorded_by",
            "recorded_by_id",
            "recorded_at",
        ]


class StatusUpdateSerializer(ModelCleanSerializer):
    author = serializers.HiddenField(default=serializers.CreateOnlyDefault(serializers.CurrentUserDefault()))
    author_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = StatusUpdate
        fields = [
            "id",
            "school",
            "author",
            "author_id",
            "reported_on",
            "rating",
            "narrative",
            "staffing_notes",
            "scheduling_notes",
            "curriculum_notes",
            "budget_notes",
            "created_at",
        ]


class MetricProgressSerializer(serializers.Serializer):
    """One metric of a school: baseline → latest → target, gain so far and projection."""

    metric = serializers.IntegerField(source="metric.pk")
    metric_code = serializers.CharField(source="metric.code")
    metric_name = serializers.CharField(source="metric.name")
    baseline = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    baseline_year = serializers.CharField()
    latest = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    latest_year = serializers.CharField()
    latest_period = serializers.IntegerField(allow_null=True)
    target = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    target_year = serializers.CharField()
    gain = serializers.DecimalField(max_digits=11, decimal_places=2, allow_null=True)
    share_of_target = serializers.DecimalField(max_digits=12, decimal_places=3, allow_null=True)
    projected = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        help_text="At the end of the target year, on the least-squares line through the baseline and every "
        "measurement after it.",
    )
    band_low = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, help_text="The low edge of the projection's 80% band."
    )
    band_high = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, help_text="The high edge of the projection's 80% band."
    )
    status = serializers.ChoiceField(
        choices=Standing.choices, help_text="The metric's projection, judged with its state's thresholds."
    )


CENT, THOUSANDTH = Decimal("0.01"), Decimal("0.001")


def _decimal(value: Decimal | None, places: Decimal) -> str | None:
    """A decimal as MetricProgressSerializer's DecimalFields write it (a string with fixed places)."""
    return None if value is None else f"{value.quantize(places):f}"


def metric_progress_data(item) -> dict:
    """MetricProgressSerializer's representation of a MetricProgress, built as a plain dict: the
    zones list writes thousands of these per page, where a serializer per row dominated its time."""
    metric = item.metric
    return {
        "metric": metric.pk,
        "metric_code": metric.code,
        "metric_name": metric.name,
        "baseline": _decimal(item.baseline, CENT),
        "baseline_year": item.baseline_year,
        "latest": _decimal(item.latest, CENT),
        "latest_year": item.latest_year,
        "latest_period": item.latest_period,
        "target": _decimal(item.target, CENT),
        "target_year": item.target_year,
        "gain": _decimal(item.gain, CENT),
        "share_of_target": _decimal(item.share_of_target, THOUSANDTH),
        "projected": _decimal(item.projected, CENT),
        "band_low": _decimal(item.band_low, CENT),
        "band_high": _decimal(item.band_high, CENT),
        "status": item.status.value,
    }


def school_progress_data(standing) -> dict:
    """A school's standing (SchoolProgressSchemaSerializer's shape), from the one read model."""
    return {
        "status": standing.projection.value,
        "rating": standing.rating.value,
        "rated_on": standing.rated_on.isoformat() if standing.rated_on else None,
        "standing": standing.standing.value,
        "needs_attention": standing.needs_attention,
        "metrics": [metric_progress_data(item) for item in standing.progress],
    }


class SchoolProgressSchemaSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=Standing.choices, help_text="The school's projection (its weakest metric)."
    )
    rating = serializers.ChoiceField(
        choices=Standing.choices, help_text="The Lead Partner's latest rating you may see (no_data without one)."
    )
    rated_on = serializers.DateField(allow_null=True)
    standing = serializers.ChoiceField(
        choices=Standing.choices, help_text="The worse of the latest rating and the projection (the one rule)."
    )
    needs_attention = serializers.BooleanField(help_text="Off track by its latest rating or its projection.")
    metrics = MetricProgressSerializer(many=True)


def standings_by_school(schools, request) -> dict:
    """{school id: SchoolStanding} of the schools being serialized, status updates read as the
    request's user may (one service call, five queries)."""
    updates = StatusUpdate.objects.visible_to(request.user)
    return {row.school.pk: row for row in school_standings(schools, updates)}


@extend_schema_field(SchoolProgressSchemaSerializer)
class SchoolProgressField(BatchedField):
    """A school's standing and its metrics; the standing of every school being serialized comes
    from one service call."""

    def compute(self, schools):
        return standings_by_school(schools, self.context["request"])

    def represent(self, school, standings):
        return school_progress_data(standings[school.pk])


class SchoolProgressSerializer(SparseFieldsMixin, serializers.ModelSerializer):
    progress = SchoolProgressField()

    class Meta:
        model = School
        fields = ["id", "name", "nces_id", "district", "zone", "progress"]


class ReportingPeriodSerializer(ModelCleanSerializer):
    class Meta:
        model = ReportingPeriod
        fields = ["id", "state", "school_year", "period", "due_on", "indicators"]
        extra_kwargs = {"indicators": {"required": False}}


class PeriodSubmissionSerializer(SparseFieldsMixin, ChangeStampsMixin, serializers.ModelSerializer):
    """Where a school's reporting period stands in the cycle (read: changes go through the actions)."""

    state = serializers.IntegerField(source="reporting_period.state_id", read_only=True)
    school_year = serializers.CharField(source="reporting_period.school_year", read_only=True)
    period = serializers.ChoiceField(
        source="reporting_period.period", choices=Measurement.Period.choices, read_only=True
    )
    due_on = serializers.DateField(source="reporting_period.due_on", read_only=True)
    locked = serializers.SerializerMethodField(help_text="Submitted or approved: its values cannot change.")

    class Meta:
        model = PeriodSubmission
        fields = [
            "id",
            "school",
            "reporting_period",
            "state",
            "school_year",
            "period",
            "due_on",
            "status",
            "locked",
            "submitted_at",
            "submitted_by",
            "first_submitted_at",
            "reviewed_at",
            "reviewed_by",
            "comment",
            "times_returned",
            "version",
        ]
        read_only_fields = fields

    def get_locked(self, submission) -> bool:
        return is_locked(submission)


class PeriodValuesSerializer(VisibleRelationsMixin, serializers.Serializer):
    """A school's values for a reporting period, by indicator code (null clears a value)."""

    school = serializers.PrimaryKeyRelatedField(queryset=School.objects.all())
    reporting_period = serializers.PrimaryKeyRelatedField(queryset=ReportingPeriod.objects.all())
    values = serializers.DictField(
        child=serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True),
        allow_empty=True,
        help_text="Indicator code → value (null clears it).",
    )
    source = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)

    def validate_values(self, values):
        metrics = {metric.code: metric for metric in Metric.objects.filter(code__in=list(values))}
        unknown = sorted(set(values) - set(metrics))
        if unknown:
            raise serializers.ValidationError(f"Unknown indicator codes: {', '.join(unknown)}.")
        self.metrics_by_id = {metric.pk: metric for metric in metrics.values()}
        return {metrics[code].pk: value for code, value in values.items()}


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, default="", allow_blank=True, max_length=5000)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, default="", allow_blank=True, max_length=5000)


class RequirementSerializer(serializers.Serializer):
    """One school's report for one reporting period on the collection calendar."""

    school = serializers.IntegerField(source="school.pk")
    school_name = serializers.CharField(source="school.name")
    zone = serializers.IntegerField(source="school.zone_id")
    lead_partner = serializers.IntegerField(source="school.zone.lead_partner_id", allow_null=True)
    state = serializers.IntegerField(source="reporting_period.state_id")
    reporting_period = serializers.IntegerField(source="reporting_period.pk")
    school_year = serializers.CharField(source="reporting_period.school_year")
    period = serializers.ChoiceField(source="reporting_period.period", choices=Measurement.Period.choices)
    due_on = serializers.DateField(source="reporting_period.due_on")
    indicators = serializers.SerializerMethodField(help_text="Codes of the indicators the school owes.")
    entered = serializers.IntegerField(help_text="Indicators with a value.")
    status = serializers.ChoiceField(choices=Collection.choices)
    days_late = serializers.IntegerField()
    submission = serializers.IntegerField(source="submission.pk", allow_null=True, default=None)

    def get_indicators(self, requirement) -> list[str]:
        return [metric.code for metric in requirement.indicators]


# --- Renewal: the state's decisions on zones and its exit criteria ---


class RenewalDecisionSerializer(ModelCleanSerializer):
    """A renewal decision; recorded by ``accountability.renewal.record_decision`` (who decided: the requester)."""

    decided_by = serializers.StringRelatedField(help_text="Who recorded the decision.")
    decision_label = serializers.CharField(source="get_decision_display", read_only=True)

    class Meta:
        model = RenewalDecision
        fields = ["id", "zone", "decision", "decision_label", "reasons", "decided_on", "decided_by", "created_at"]


class ExitCriterionSerializer(ModelCleanSerializer):
    class Meta:
        model = ExitCriterion
        fields = ["id", "state", "kind", "years", "metric"]
