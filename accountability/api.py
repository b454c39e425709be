"""API v1 endpoints for metrics, baselines, targets, measurements (incl. bulk upload), status
updates and per-school progress against target (read-only, from accountability.services)."""

from django.db import transaction
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from core.permissions import permission_name
from imports.reading import ImportFileError, read_table, upload_bytes
from schools.api import SchoolFilter
from schools.models import School
from web.parsers import BoundedJSONParser
from web.rest import CursorPages, IdFilter, ScopedModelViewSet, ScopedReadOnlyViewSet

from .models import Baseline, Measurement, Metric, StatusUpdate, Target
from .serializers import (
    BaselineSerializer,
    MeasurementSerializer,
    MetricSerializer,
    SchoolProgressSerializer,
    StatusUpdateSerializer,
    TargetSerializer,
)

MAX_BULK_ROWS = 5000


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


class BulkUploadFileSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="UTF-8 CSV (or XLSX) with a header row: school, metric, school_year, period, value, source."
    )


class BulkCreatedSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    ids = serializers.ListField(child=serializers.IntegerField())


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="1 for the first record (the line after a CSV header).")
    field = serializers.CharField(help_text="Field name, or non_field_errors.")
    message = serializers.CharField()


class BulkErrorReportSerializer(serializers.Serializer):
    errors = RowErrorSerializer(many=True)


class BulkUploadFailed(Exception):
    def __init__(self, errors):
        super().__init__(f"{len(errors)} problems")
        self.errors = errors


def row_errors(row: int, errors) -> list[dict]:
    """Serializer errors of one row as a flat list of {row, field, message}."""
    if not isinstance(errors, dict):
        errors = {"non_field_errors": errors}
    return [
        {"row": row, "field": field, "message": str(message)}
        for field, messages in errors.items()
        for message in (messages if isinstance(messages, list) else [messages])
    ]


class MeasurementViewSet(ScopedModelViewSet):
    """Measurements by school, metric and time (the unique index's order), a cursor page at a time."""

    queryset = Measurement.objects.all()
    serializer_class = MeasurementSerializer
    filterset_class = MeasurementFilter
    ordering_fields = ["id", "school_year", "period", "value", "recorded_at"]
    ordering = ["school_id", "metric_id", "school_year", "period"]
    pagination_class = CursorPages

    @extend_schema(
        summary="Upload many measurements at once",
        description=(
            "A JSON list of measurements, or a CSV file (multipart field `file`). All or nothing: "
            "every row is validated and permission-checked (you may record measurements only for "
            "schools you report on); if any row fails nothing is saved and the response lists "
            f"each problem by row. At most {MAX_BULK_ROWS} rows."
        ),
        request={
            "application/json": MeasurementSerializer(many=True),
            "multipart/form-data": BulkUploadFileSerializer,
        },
        responses={
            201: BulkCreatedSerializer,
            400: OpenApiResponse(BulkErrorReportSerializer, description="Problems by row; nothing was saved."),
        },
    )
    @action(detail=False, methods=["post"], parser_classes=[BoundedJSONParser, MultiPartParser])
    def bulk(self, request):
        self.check_may_add()
        try:
            rows = self._uploaded_rows(request)
            with transaction.atomic():
                ids = self._save_rows(rows)
        except BulkUploadFailed as failure:
            return Response({"errors": failure.errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"created": len(ids), "ids": ids}, status=status.HTTP_201_CREATED)

    def _uploaded_rows(self, request) -> list:
        try:
            data = request.data
        except ParseError as error:
            raise BulkUploadFailed([{"row": 0, "field": "non_field_errors", "message": str(error.detail)}]) from error
        upload = request.FILES.get("file") if hasattr(data, "getlist") else None
        if upload is not None:
            try:  # bounded like an import: size before reading, rows while reading
                table = read_table(upload_bytes(upload), max_rows=MAX_BULK_ROWS)
            except ImportFileError as error:
                raise BulkUploadFailed([{"row": 0, "field": "file", "message": str(error)}]) from error
            rows = [dict(zip(table.header, cells, strict=False)) for _number, cells in table.rows]
        elif isinstance(data, list):
            rows = data
        else:
            raise BulkUploadFailed(
                [{"row": 0, "field": "non_field_errors", "message": "Send a JSON list or a CSV file."}]
            )
        if not 1 <= len(rows) <= MAX_BULK_ROWS:
            message = f"Send between 1 and {MAX_BULK_ROWS} measurements."
            raise BulkUploadFailed([{"row": 0, "field": "non_field_errors", "message": message}])
        return rows

    def _save_rows(self, rows) -> list[int]:
        """Validate and save row by row (so a row sees the ones before it); on any problem, raise
        with every row's problems, which rolls the whole upload back."""
        errors, ids = [], []
        context = self.get_serializer_context()
        for number, row in enumerate(rows, start=1):
            serializer = MeasurementSerializer(data=row, context=context)
            if not serializer.is_valid():
                errors += row_errors(number, serializer.errors)
                continue
            if not self.request.user.has_perm(permission_name(Measurement, "add"), serializer.candidate):
                errors.append(
                    {"row": number, "field": "school", "message": "You may not record measurements for this school."}
                )
                continue
            ids.append(serializer.save().pk)
        if errors:
            raise BulkUploadFailed(errors)
        return ids


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


class SchoolProgressViewSet(ScopedReadOnlyViewSet):
    """Each school's progress against its targets: per metric the baseline, latest measurement,
    target, gain so far, share of the target reached and the projection; overall status is the
    weakest metric's. ``id`` is the school's id."""

    queryset = School.objects.all()
    serializer_class = SchoolProgressSerializer
    filterset_class = SchoolFilter
    ordering_fields = ["id", "name"]
