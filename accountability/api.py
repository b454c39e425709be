"""API v1 endpoints for metrics, baselines, targets, measurements, status updates and per-school
progress against target (read-only, from accountability.services). A measurement or status update
is recorded through accountability.recording, like on the pages; the bulk measurement upload is
the imports pipeline's (imports.api)."""

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django_filters import rest_framework as filters
from rest_framework import exceptions

from schools.api import SchoolFilter
from schools.models import School
from web.rest import CursorPages, IdFilter, ScopedModelViewSet, ScopedReadOnlyViewSet

from .models import Baseline, Measurement, Metric, StatusUpdate, Target
from .recording import post_status_update, record_measurements
from .serializers import (
    BaselineSerializer,
    MeasurementSerializer,
    MetricSerializer,
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
    state = IdFilter(field_name="state", help_text="A state's own indicators.")
    catalog = filters.BooleanFilter(
        field_name="state", lookup_expr="isnull", help_text="true: the initiative's catalog only."
    )

    class Meta:
        model = Metric
        fields = ["code", "unit", "direction", "kind", "state", "catalog"]


class MetricViewSet(ScopedModelViewSet):
    """The catalog (achievement metrics and the SIG leading indicators: initiative admins change
    it) and the own indicators of the states you reach (a state lead adds and changes their
    state's); another state's indicator does not exist here."""

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
