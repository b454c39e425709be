"""API v1 endpoints for metrics, baselines, targets, measurements, status updates, per-school
progress against target (read-only, from accountability.services), renewal decisions (recorded
through accountability.renewal, like on the renewal page) and exit criteria. A measurement or status update
is recorded through accountability.recording, like on the pages; the bulk measurement upload is
the imports pipeline's (imports.api)."""

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django_filters import rest_framework as filters
from rest_framework import exceptions

from schools.api import SchoolFilter
from schools.models import School
from web.rest import CursorPages, IdFilter, ScopedModelViewSet, ScopedReadOnlyViewSet

from .models import Baseline, ExitCriterion, Measurement, Metric, RenewalDecision, StatusUpdate, Target
from .recording import post_status_update, record_measurements
from .renewal import record_decision
from .serializers import (
    BaselineSerializer,
    ExitCriterionSerializer,
    MeasurementSerializer,
    MetricSerializer,
    RenewalDecisionSerializer,
    SchoolProgressSerializer,
    StatusUpdateSerializer,
    TargetSerializer,
)


@contextmanager
def refused_as_api_error():
    """The use case's refusal (the permission table's) as the API's 403 with its message."""
    try:
        yield
    except PermissionDenied as error:
        raise exceptions.PermissionDenied(str(error)) from error


class MetricFilter(filters.FilterSet):
    class Meta:
        model = Metric
        fields = ["code", "unit", "direction"]


class MetricViewSet(ScopedModelViewSet):
    queryset = Metric.objects.all()
    serializer_class = MetricSerializer
    filterset_class = MetricFilter
    ordering_fields = ["id", "code", "name"]


class SchoolRecordFilter(filters.FilterSet):
    """Filters shared by records kept per school (baselines, targets, measurements, updates)."""

    state = IdFilter(field_name="school__district__state")
    district = IdFilter(field_name="school__district")
    zone = IdFilter(field_name="school__zone")
    school = IdFilter(field_name="school")


class SchoolMetricFilter(SchoolRecordFilter):
    metric = IdFilter(field_name="metric")


class BaselineFilter(SchoolMetricFilter):
    class Meta:
        model = Baseline
        fields = ["state", "district", "zone", "school", "metric", "school_year"]


class BaselineViewSet(ScopedModelViewSet):
    queryset = Baseline.objects.all()
    serializer_class = BaselineSerializer
    filterset_class = BaselineFilter
    ordering_fields = ["id", "school_year", "value"]
    ordering = ["school_id", "metric_id"]  # the unique index (the model's ordering by names sorts every row)


class TargetFilter(SchoolMetricFilter):
    school_year = filters.CharFilter(field_name="target_school_year", help_text="The target school year.")

    class Meta:
        model = Target
        fields = ["state", "district", "zone", "school", "metric", "school_year"]


class TargetViewSet(ScopedModelViewSet):
    queryset = Target.objects.all()
    serializer_class = TargetSerializer
    filterset_class = TargetFilter
    ordering_fields = ["id", "target_school_year", "value"]
    ordering = ["school_id", "metric_id"]


class MeasurementFilter(SchoolMetricFilter):
    class Meta:
        model = Measurement
        fields = ["state", "district", "zone", "school", "metric", "school_year", "period"]


class MeasurementViewSet(ScopedModelViewSet):
    """Measurements by school, metric and time (the unique index's order), a cursor page at a time."""

    queryset = Measurement.objects.all()
    serializer_class = MeasurementSerializer
    filterset_class = MeasurementFilter
    ordering_fields = ["id", "school_year", "period", "value", "recorded_at"]
    ordering = ["school_id", "metric_id", "school_year", "period"]
    pagination_class = CursorPages

    def perform_create(self, serializer):
        with refused_as_api_error():
            serializer.instance = record_measurements(self.request.user, [serializer.candidate])[0]


class StatusUpdateFilter(SchoolRecordFilter):
    reported_after = filters.DateFilter(field_name="reported_on", lookup_expr="gte")
    reported_before = filters.DateFilter(field_name="reported_on", lookup_expr="lte")

    class Meta:
        model = StatusUpdate
        fields = ["state", "district", "zone", "school", "rating", "reported_after", "reported_before"]


class StatusUpdateViewSet(ScopedModelViewSet):
    """Status updates by school, each school's latest first, a cursor page at a time."""

    queryset = StatusUpdate.objects.all()
    serializer_class = StatusUpdateSerializer
    filterset_class = StatusUpdateFilter
    ordering_fields = ["id", "reported_on", "created_at"]
    ordering = ["school_id", "-reported_on", "-id"]
    pagination_class = CursorPages

    def perform_create(self, serializer):
        with refused_as_api_error():
            serializer.instance = post_status_update(self.request.user, serializer.candidate)


class SchoolProgressViewSet(ScopedReadOnlyViewSet):
    """Each school's progress against its targets: per metric the baseline, latest measurement,
    target, gain so far, share of the target reached and the projection; overall status is the
    weakest metric's. ``id`` is the school's id."""

    queryset = School.objects.all()
    serializer_class = SchoolProgressSerializer
    filterset_class = SchoolFilter
    ordering_fields = ["id", "name"]


# --- Renewal: the state's decisions on zones and its exit criteria ---


class RenewalDecisionFilter(filters.FilterSet):
    zone = IdFilter(field_name="zone")
    state = IdFilter(field_name="zone__state")

    class Meta:
        model = RenewalDecision
        fields = ["zone", "state", "decision"]


class RenewalDecisionViewSet(ScopedModelViewSet):
    """The state's renewal decisions on its zones, newest first. A state lead (or an admin) records
    one (POST); a decision is a record of its day, never changed or deleted: a new decision follows it."""

    queryset = RenewalDecision.objects.select_related("decided_by")
    serializer_class = RenewalDecisionSerializer
    filterset_class = RenewalDecisionFilter
    ordering_fields = ["id", "decided_on", "created_at"]
    ordering = ["-decided_on", "-created_at", "-id"]
    http_method_names = ["get", "post", "head", "options"]

    def perform_create(self, serializer):
        with refused_as_api_error():
            serializer.instance = record_decision(self.request.user, serializer.candidate)


class ExitCriterionFilter(filters.FilterSet):
    state = IdFilter(field_name="state")

    class Meta:
        model = ExitCriterion
        fields = ["state", "kind"]


class ExitCriterionViewSet(ScopedModelViewSet):
    """The exit criteria each state sets for its zones (evaluated in every zone's renewal dossier);
    a state lead manages their state's."""

    queryset = ExitCriterion.objects.select_related("metric")
    serializer_class = ExitCriterionSerializer
    filterset_class = ExitCriterionFilter
    ordering_fields = ["id", "kind"]
    ordering = ["state_id", "kind", "id"]
