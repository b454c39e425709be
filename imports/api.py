"""REST endpoints for imports: upload a file for a dry run, apply it, list past imports, download a
file; and the bulk measurement upload (``POST /api/v1/measurements/bulk/``), which imports a file or a
JSON list of measurements at once through the same pipeline (imports.services.import_rows)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.reverse import reverse

from accountability import api as accountability
from partners.models import LeadPartner
from web.files import private_file_response
from web.parsers import BoundedJSONParser
from web.rest import (
    PROBLEM_CONTENT_TYPE,
    ProblemSerializer,
    ScopedQuerysetMixin,
    VisibleRelationsMixin,
    problem_response,
)
from web.schema import ValidationErrorSerializer
from zones.models import State

from .models import UPLOAD_CONTENT_TYPE, ImportBatch
from .reading import (
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    ImportFileError,
    read_table,
    records_table,
    too_big_message,
    upload_bytes,
)
from .services import (
    IMPORTERS,
    ApplyConflict,
    ImportStorageError,
    Plan,
    VisibleSchools,
    apply_import,
    import_rows,
    import_scopes_for,
    kind_error,
    preview_import,
)


class ImportBatchSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.SlugRelatedField(slug_field="email", read_only=True)

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "kind",
            "state",
            "lead_partner",
            "original_name",
            "uploaded_by",
            "uploaded_at",
            "applied_at",
            "status",
            "rows_total",
            "rows_done",
            "summary",
        ]
        read_only_fields = fields


class ImportUploadSerializer(VisibleRelationsMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=ImportBatch.Kind.choices)
    state = serializers.PrimaryKeyRelatedField(queryset=State.objects.all())
    lead_partner = serializers.PrimaryKeyRelatedField(queryset=LeadPartner.objects.all(), required=False)
    file = serializers.FileField()

    def validate_file(self, upload):
        if upload.size > MAX_UPLOAD_BYTES:
            raise serializers.ValidationError(too_big_message(upload.size))
        return upload

    def validate(self, attrs):
        scopes = import_scopes_for(self.context["request"].user)
        wanted = (attrs["state"], attrs.get("lead_partner"))
        scope = next((s for s in scopes if (s.state, s.lead_partner) == wanted), None)
        if scope is None:
            raise serializers.ValidationError({"state": "You cannot import for this state (and Lead Partner)."})
        refused = kind_error(attrs["kind"], scope)
        if refused:
            raise serializers.ValidationError({"kind": refused})
        attrs["scope"] = scope
        return attrs


class ImportBatchViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Imports of schools, baselines, targets, measurements and (state staff) commitments, expenditures
    and zone budgets in the caller's scope."""

    queryset = ImportBatch.objects.select_related("uploaded_by")
    serializer_class = ImportBatchSerializer
    filterset_fields = ["kind", "status", "state"]

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            201: OpenApiResponse(ImportBatchSerializer, "Dry run kept: counts, planned rows and row errors."),
            400: OpenApiResponse(
                ValidationErrorSerializer,
                "Messages by field for bad parameters; or the failed import (an ImportBatch with summary.errors) "
                "when the file cannot be read at all.",
            ),
            (507, PROBLEM_CONTENT_TYPE): OpenApiResponse(
                ProblemSerializer, "The file could not be stored (the server's storage is full or read-only)."
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        """Upload a CSV or XLSX file: it is checked and kept as a dry run; nothing is written yet."""
        if not import_scopes_for(request.user):  # authorization before validation
            raise PermissionDenied("You may not import.")
        upload = ImportUploadSerializer(data=request.data, context={"request": request})
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        try:
            batch = preview_import(user=request.user, scope=data["scope"], kind=data["kind"], upload=data["file"])
        except ImportStorageError as error:
            return problem_response(status.HTTP_507_INSUFFICIENT_STORAGE, "Upload not stored", error.message)
        failed = batch.status == ImportBatch.Status.FAILED
        return Response(
            ImportBatchSerializer(batch).data, status=status.HTTP_400_BAD_REQUEST if failed else status.HTTP_201_CREATED
        )

    @extend_schema(
        request=None,
        responses={
            200: OpenApiResponse(ImportBatchSerializer, "Applied in one transaction (when tasks run inline)."),
            202: OpenApiResponse(
                ImportBatchSerializer,
                "Being applied by a task: poll the import (the Location header) until its status is applied "
                "or failed; rows_done counts the rows checked so far.",
            ),
            400: OpenApiResponse(
                ValidationErrorSerializer,
                "Not applied, nothing written: the failed import (an ImportBatch with summary.errors), "
                "or a detail message when the batch is not an error-free dry run.",
            ),
            (409, PROBLEM_CONTENT_TYPE): OpenApiResponse(
                ProblemSerializer, "The import is already being applied, or was applied already."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def apply(self, request, *args, **kwargs):
        """Apply a dry run without errors (only its uploader may); any error: nothing is written.
        A large file is applied by a task: the answer is then 202 and the import shows its progress."""
        try:
            batch = apply_import(self.get_object(), request.user)
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from error
        except ApplyConflict as error:
            return problem_response(status.HTTP_409_CONFLICT, "Import not applied again", error.messages[0])
        except DjangoValidationError as error:
            return problem_response(status.HTTP_400_BAD_REQUEST, "Import not applied", error.messages[0])
        body = ImportBatchSerializer(batch).data
        if batch.status == ImportBatch.Status.APPLYING:
            location = reverse("api:importbatch-detail", kwargs={"pk": batch.pk}, request=request)
            return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": location})
        return Response(body, status=200 if batch.status == ImportBatch.Status.APPLIED else 400)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(description="The uploaded file.")})
    @action(detail=True, methods=["get"])
    def file(self, request, *args, **kwargs):
        """Download the file as it was uploaded."""
        batch = self.get_object()
        return private_file_response(batch.file, batch.original_name, UPLOAD_CONTENT_TYPE)


MEASUREMENT_COLUMNS = ", ".join(IMPORTERS[ImportBatch.Kind.MEASUREMENTS].columns)


class BulkUploadFileSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=f"A CSV (UTF-8) or XLSX file whose first row names the columns: {MEASUREMENT_COLUMNS}."
    )


class BulkRecordedSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    ids = serializers.ListField(child=serializers.IntegerField(), help_text="Each row's measurement, in row order.")


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        allow_null=True,
        help_text="A file's spreadsheet row (1 is the header), a JSON list's item (1 is the first); "
        "null for the upload as a whole.",
    )
    column = serializers.CharField(help_text="The column (a JSON item's key), or blank for the whole row.")
    message = serializers.CharField()


class BulkProblemSerializer(ProblemSerializer):
    """RFC 9457 problem details, with every problem by row and column (an import's shape)."""

    errors = RowErrorSerializer(many=True)


def rows_problem_response(errors: list[dict], conflict: bool = False) -> Response:
    """Nothing was saved: the problems as RFC 9457 problem details; 409 when concurrent uploads
    took the rows (send them again), else 400."""
    count = len(errors)
    code = status.HTTP_409_CONFLICT if conflict else status.HTTP_400_BAD_REQUEST
    detail = f"{count} problem{'s' if count != 1 else ''}; nothing was saved."
    return problem_response(code, "Measurements not recorded", detail, errors=errors)


class MeasurementViewSet(accountability.MeasurementViewSet):
    """Measurements (accountability.api), and their bulk upload through the imports pipeline."""

    @extend_schema(
        summary="Record many measurements at once",
        description=(
            "A JSON list of measurements, or a CSV or XLSX file (multipart field `file`), read, checked "
            "and written like a measurements import: the columns (JSON keys) are "
            f"{MEASUREMENT_COLUMNS}; the school is named by `nces_id` or by its `school` id, the metric "
            "by its code, name or id, the period by number or name. A row of an existing measurement "
            "(same school, metric, school year and period) updates its value and source. All or nothing: "
            "every row is checked, also against what you may record (measurements only for schools you "
            "report on); if any row fails nothing is saved and the problem details list each problem by "
            f"row and column. At most {MAX_ROWS:,} rows and {MAX_UPLOAD_BYTES // 1024 // 1024} MB."
        ),
        request={
            "application/json": accountability.MeasurementSerializer(many=True),
            "multipart/form-data": BulkUploadFileSerializer,
        },
        responses={
            201: BulkRecordedSerializer,
            (400, PROBLEM_CONTENT_TYPE): OpenApiResponse(
                BulkProblemSerializer, description="Problems by row and column; nothing was saved."
            ),
            (409, PROBLEM_CONTENT_TYPE): OpenApiResponse(
                BulkProblemSerializer,
                description="Concurrent uploads kept recording the same rows first; nothing was saved: send again.",
            ),
        },
    )
    @action(detail=False, methods=["post"], parser_classes=[BoundedJSONParser, MultiPartParser])
    def bulk(self, request):
        self.check_may_add()
        try:
            table = self._uploaded_table(request)
        except (ImportFileError, ParseError) as error:
            message = str(getattr(error, "detail", error))
            return rows_problem_response([{"row": None, "column": "", "message": message}])
        plan: Plan = import_rows(
            ImportBatch.Kind.MEASUREMENTS, table, request.user, VisibleSchools(), reason="API bulk upload"
        )
        if plan.errors:
            return rows_problem_response(plan.summary()["errors"], conflict=plan.conflict)
        counts = plan.summary()["counts"]
        return Response(
            {
                "created": counts["create"],
                "updated": counts["update"],
                "unchanged": counts["skip"],
                "ids": [row.instance.pk for row in plan.rows],
            },
            status=status.HTTP_201_CREATED,
        )

    def _uploaded_table(self, request):
        data = request.data  # a malformed body raises ParseError
        upload = request.FILES.get("file") if hasattr(data, "getlist") else None
        if upload is not None:
            return read_table(upload_bytes(upload))
        return records_table(data if not hasattr(data, "getlist") else None)
