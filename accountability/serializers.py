"""API representations of metrics, baselines, targets, measurements, status updates and progress."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from schools.models import School
from web.rest import BatchedField, ModelCleanSerializer, SparseFieldsMixin

from .choices import Standing
from .models import Baseline, ExitCriterion, Measurement, Metric, RenewalDecision, StatusUpdate, Target
from .services import school_standings


class MetricSerializer(ModelCleanSerializer):
    class Meta:
        model = Metric
        fields = [
            "id",
            "code",
            "name",
            "unit",
            "direction",
            "min_value",
            "max_value",
            "lowest_grade",
            "highest_grade",
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
    projected = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    status = serializers.ChoiceField(choices=Standing.choices, help_text="The metric's projection.")


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
