"""API representations of metrics, baselines, targets, measurements, status updates and progress."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.rest import BatchedField, ModelCleanSerializer, SparseFieldsMixin
from schools.models import School

from .models import Baseline, Measurement, Metric, StatusUpdate, Target
from .services import STATUS_ORDER, overall_status, progress_for_schools

PROGRESS_STATUSES = STATUS_ORDER


class MetricSerializer(ModelCleanSerializer):
    class Meta:
        model = Metric
        fields = ["id", "code", "name", "unit", "direction", "min_value", "max_value", "description"]


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
    status = serializers.ChoiceField(choices=PROGRESS_STATUSES)


class SchoolProgressSchemaSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=PROGRESS_STATUSES)
    metrics = MetricProgressSerializer(many=True)


@extend_schema_field(SchoolProgressSchemaSerializer)
class SchoolProgressField(BatchedField):
    """A school's overall status and its metrics; the progress of every school being serialized
    comes from one service call (three queries). ``schools_of`` maps the root serializer's
    objects (schools, or zones for nested schools) to schools."""

    def __init__(self, schools_of=list, **kwargs):
        self.schools_of = schools_of
        super().__init__(**kwargs)

    def compute(self, root_objects):
        return progress_for_schools(self.schools_of(root_objects))

    def represent(self, school, progress):
        metrics = progress.get(school.pk, [])
        return {"status": overall_status(metrics), "metrics": MetricProgressSerializer(metrics, many=True).data}


class SchoolProgressSerializer(SparseFieldsMixin, serializers.ModelSerializer):
    progress = SchoolProgressField()

    class Meta:
        model = School
        fields = ["id", "name", "nces_id", "district", "zone", "progress"]
