"""REST endpoints for imports: upload a file for a dry run, apply it, list past imports, download a
file; and the bulk measurement upsert, a JSON list (``POST /api/v1/measurements/bulk/``) or a CSV/XLSX
file (``POST /api/v1/measurements/bulk-upload/``), through the same pipeline (imports.services.import_rows)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.reverse import reverse

from accountability import api as accountability
from core.validators import validate_school_year
from partners.models import LeadPartner
from web.files import private_file_response
from web.problems import PROBLEM_CONTENT_TYPE, FieldErrorSerializer, ProblemDetailsSerializer, problem_response
from web.rest import (
    ScopedQuerysetMixin,
    VisibleRelationsMixin,
)
from web.sync import ChangeStampsMixin
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


class ImportBatchSerializer(ChangeStampsMixin, serializers.ModelSerializer):
    uploaded_by = serializers.SlugRelatedField(slug_field="email", read_only=True)

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "kind",
            "state",
            "lead_partner",
            "original_name",
            "school_year",
            "uploaded_by",
            "uploaded_at",
            "applied_at",
            "status",
            "rows_total",
            "rows_done",
            "summary",
        ]
        read_only_fields = fields


def checked_size(upload):
    if upload.size > MAX_UPLOAD_BYTES:
        raise serializers.ValidationError(too_big_message(upload.size))
    return upload


def import_scope(user, attrs: dict, kind: str):
    """The caller's import scope named by ``state`` (and ``lead_partner``) in ``attrs``, which may
    import ``kind``; a ValidationError saying why not otherwise."""
    wanted = (attrs["state"], attrs.get("lead_partner"))
    scope = next((s for s in import_scopes_for(user) if (s.state, s.lead_partner) == wanted), None)
    if scope is None:
        raise serializers.ValidationError({"state": "You cannot import for this state (and Lead Partner)."})
    refused = kind_error(kind, scope)
    if refused:
        raise serializers.ValidationError({"kind": refused})
    return scope


class ImportUploadSerializer(VisibleRelationsMixin, serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[(kind, label) for kind, label in ImportBatch.Kind.choices if kind in IMPORTERS]
    )
    state = serializers.PrimaryKeyRelatedField(queryset=State.objects.all())
    lead_partner = serializers.PrimaryKeyRelatedField(queryset=LeadPartner.objects.all(), required=False)
    file = serializers.FileField(validators=[checked_size])

    def validate(self, attrs):
        attrs["scope"] = import_scope(self.context["request"].user, attrs, attrs["kind"])
        return attrs


class DirectoryUploadSerializer(VisibleRelationsMixin, serializers.Serializer):
    """The federal school directory (imports.ccd): a state's two CCD files for a school year."""

    state = serializers.PrimaryKeyRelatedField(queryset=State.objects.all())
    school_year = serializers.CharField(
        max_length=7, validators=[validate_school_year], help_text="The files' school year, e.g. 2023-24."
    )
    school_file = serializers.FileField(
        validators=[checked_size], help_text="The CCD school directory (ccd_sch_029) as CSV: the state's rows."
    )
    lea_file = serializers.FileField(
        validators=[checked_size], help_text="The CCD LEA directory (ccd_lea_029) as CSV: the state's rows."
    )

    def validate(self, attrs):
        attrs["scope"] = import_scope(self.context["request"].user, attrs, ImportBatch.Kind.CCD_DIRECTORY)
        return attrs


class RowErrorSerializer(FieldErrorSerializer):
    """A field error (``field``, ``code``, ``message``, as every API error lists them) that also
    says where in the table it is (a bad parameter of the upload itself has no row or column)."""

    row = serializers.IntegerField(
        allow_null=True,
        required=False,
        help_text="A file's spreadsheet row (1 is the header), a JSON list's item (1 is the first); "
        "null for the upload as a whole.",
    )
    column = serializers.CharField(
        required=False, help_text="The column (a JSON item's key), or blank for the whole row; also `field`."
    )


class BulkProblemSerializer(ProblemDetailsSerializer):
    """RFC 9457 problem details, with every problem by row and column (an import's shape)."""

    errors = RowErrorSerializer(many=True, required=False, help_text="Absent when the body itself cannot be read.")


UPLOAD_RESPONSES = {
    201: OpenApiResponse(ImportBatchSerializer, "Dry run kept: counts, planned rows and row errors."),
    (400, PROBLEM_CONTENT_TYPE): OpenApiResponse(
        BulkProblemSerializer,
        "Bad parameters (errors by field), or the file cannot be read at all: the failed import "
        "(`import`: its id and url) with its problems by row and column.",
    ),
    (507, PROBLEM_CONTENT_TYPE): OpenApiResponse(
        ProblemDetailsSerializer, "The file could not be stored (the server's storage is full or read-only)."
    ),
}


class ImportBatchViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Imports of schools, baselines, targets, measurements and (state staff) commitments, expenditures,
    zone budgets and the federal school directory in the caller's scope."""

    queryset = ImportBatch.objects.select_related("uploaded_by")
    serializer_class = ImportBatchSerializer
    parser_classes = [MultiPartParser]  # its one body is an upload (apply takes none)
    filterset_fields = ["kind", "status", "state"]

    @extend_schema(request={"multipart/form-data": ImportUploadSerializer}, responses=UPLOAD_RESPONSES)
    def create(self, request, *args, **kwargs):
        """Upload a CSV or XLSX file: it is checked and kept as a dry run; nothing is written yet."""
        if not import_scopes_for(request.user):  # authorization before validation
            raise PermissionDenied("You may not import.")
        upload = ImportUploadSerializer(data=request.data, context={"request": request})
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        return self._preview(request, scope=data["scope"], kind=data["kind"], upload=data["file"])

    @extend_schema(
        summary="Upload the federal school directory (NCES CCD) for a dry run",
        description="A state's two CCD directory files for one school year, as published (CSV, comma or tab "
        "separated): the school directory (ccd_sch_029) and the LEA directory (ccd_lea_029). They are checked "
        "and kept as a dry run whose `summary` lists the diff against the state's districts and schools: each "
        "row's `kinds` (new, renamed, regraded, closed, reopened, moved, status, not_added, unchanged) and "
        "`diff` counting them. Nothing is written until the dry run is applied (`apply`), in one transaction; "
        "applying the same files again changes nothing. State staff of the state only.",
        request={"multipart/form-data": DirectoryUploadSerializer},
        responses=UPLOAD_RESPONSES,
    )
    @action(detail=False, methods=["post"], url_path="ccd-directory")
    def ccd_directory(self, request, *args, **kwargs):
        if not any(not kind_error(ImportBatch.Kind.CCD_DIRECTORY, s) for s in import_scopes_for(request.user)):
            raise PermissionDenied("You may not import the federal school directory.")
        upload = DirectoryUploadSerializer(data=request.data, context={"request": request})
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        return self._preview(
            request,
            scope=data["scope"],
            kind=ImportBatch.Kind.CCD_DIRECTORY,
            upload=data["school_file"],
            lea_upload=data["lea_file"],
            school_year=data["school_year"],
        )

    def _preview(self, request, **upload) -> Response:
        """Keep the upload as a dry run: 201 with it, or its problems if it cannot be read at all."""
        try:
            batch = preview_import(user=request.user, **upload)
        except ImportStorageError as error:
            return problem_response(status.HTTP_507_INSUFFICIENT_STORAGE, "Upload not stored", error.message)
        if batch.status == ImportBatch.Status.FAILED:
            return failed_import_response(batch, request)
        return Response(ImportBatchSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={
            200: OpenApiResponse(ImportBatchSerializer, "Applied in one transaction (when tasks run inline)."),
            202: OpenApiResponse(
                ImportBatchSerializer,
                "Being applied by a task: poll the import (the Location header) until its status is applied "
                "or failed; rows_done counts the rows checked so far.",
            ),
            (400, PROBLEM_CONTENT_TYPE): OpenApiResponse(
                BulkProblemSerializer,
                "Not applied, nothing written: the batch is not an error-free dry run, or applying it failed "
                "(`import`: its id and url, with its problems by row and column).",
            ),
            (409, PROBLEM_CONTENT_TYPE): OpenApiResponse(
                ProblemDetailsSerializer, "The import is already being applied, or was applied already."
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
            whole = {"row": None, "column": "", "message": error.messages[0]}
            return rows_problem_response([whole], title="Import not applied")
        body = ImportBatchSerializer(batch).data
        if batch.status == ImportBatch.Status.APPLYING:
            location = reverse("api:importbatch-detail", kwargs={"pk": batch.pk}, request=request)
            return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": location})
        if batch.status != ImportBatch.Status.APPLIED:
            return failed_import_response(batch, request)
        return Response(body, status=status.HTTP_200_OK)

    @extend_schema(
        responses={
            (200, UPLOAD_CONTENT_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY, "The uploaded file's bytes (CSV or XLSX), as opaque bytes no browser renders."
            )
        }
    )
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


def rows_problem_response(
    errors: list[dict], conflict: bool = False, title: str = "Measurements not recorded", **extra
) -> Response:
    """Nothing was saved: the problems by row and column as RFC 9457 problem details; 409 when
    concurrent uploads took the rows (send them again), else 400."""
    count = len(errors)
    code = status.HTTP_409_CONFLICT if conflict else status.HTTP_400_BAD_REQUEST
    detail = f"{count} problem{'s' if count != 1 else ''}; nothing was saved."
    located = [{"field": error["column"], "code": "invalid", **error} for error in errors]
    return problem_response(code, title, detail, errors=located, **extra)


def failed_import_response(batch: ImportBatch, request) -> Response:
    """A failed import as problem details: its problems by row and column, and the import that keeps
    them (``import``: id and url), like every other API error."""
    url = reverse("api:importbatch-detail", kwargs={"pk": batch.pk}, request=request)
    return rows_problem_response(
        batch.errors, title="Import failed", code="import_failed", **{"import": {"id": batch.pk, "url": url}}
    )


BULK_RULES = (
    "Read, checked and written like a measurements import: the columns (JSON keys) are "
    f"{MEASUREMENT_COLUMNS}; the school is named by `nces_id` or by its `school` id, the metric by its code, "
    "name or id, the period by number or name. An upsert: a row of an existing measurement (same school, "
    "metric, school year and period) updates its value and source, a row already as sent is unchanged, so "
    "sending the same rows again is a no-op (200, all unchanged). All or nothing: every row is checked, also "
    "against what you may record (measurements only for schools you report on); if any row fails nothing is "
    "saved and the problem details list each problem by row and column. "
    f"At most {MAX_ROWS:,} rows and {MAX_UPLOAD_BYTES // 1024 // 1024} MB."
)
BULK_RESPONSES = {
    201: OpenApiResponse(BulkRecordedSerializer, "Recorded; at least one measurement was created."),
    200: OpenApiResponse(BulkRecordedSerializer, "Recorded; none was created (all updated or unchanged)."),
    (400, PROBLEM_CONTENT_TYPE): OpenApiResponse(
        BulkProblemSerializer, description="Problems by row and column; nothing was saved."
    ),
    (409, PROBLEM_CONTENT_TYPE): OpenApiResponse(
        BulkProblemSerializer,
        description="Concurrent uploads kept recording the same rows first; nothing was saved: send again.",
    ),
}
BULK_EXAMPLE = [
    {"nces_id": "080336001234", "metric": "reading", "school_year": "2024-25", "period": 1, "value": "41.5"},
    {"school": 12, "metric": "reading", "school_year": "2024-25", "period": 1, "value": "38"},
]


class MeasurementViewSet(accountability.MeasurementViewSet):
    """Measurements (accountability.api), and their bulk upsert through the imports pipeline: a JSON
    list (``bulk/``) or a CSV/XLSX upload (``bulk-upload/``), the same rules and answers."""

    @extend_schema(
        summary="Record many measurements at once (JSON list)",
        description=BULK_RULES,
        request=accountability.MeasurementSerializer(many=True),
        responses=BULK_RESPONSES,
        examples=[OpenApiExample("Two rows", value=BULK_EXAMPLE, request_only=True)],
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        self.check_may_add()  # authorization before reading the body
        return self._record(lambda: records_table(request.data))

    @extend_schema(
        summary="Record many measurements at once (CSV or XLSX file)",
        description=f"The multipart field `file`: a CSV (UTF-8) or XLSX file whose first row names the columns. "
        f"{BULK_RULES}",
        request={"multipart/form-data": BulkUploadFileSerializer},
        responses=BULK_RESPONSES,
    )
    @action(detail=False, methods=["post"], url_path="bulk-upload", parser_classes=[MultiPartParser])
    def bulk_upload(self, request):
        self.check_may_add()

        def table():
            upload = request.FILES.get("file")  # a malformed body raises ParseError
            if upload is None:
                raise ImportFileError("Send a CSV or Excel file in the form field “file”.")
            return read_table(upload_bytes(upload))

        return self._record(table)

    def _record(self, read) -> Response:
        """The rows ``read()`` returns, recorded all or nothing: 201 if any was created, else 200."""
        try:
            table = read()
        except (ImportFileError, ParseError) as error:
            message = str(getattr(error, "detail", error))
            return rows_problem_response([{"row": None, "column": "", "message": message}])
        plan: Plan = import_rows(
            ImportBatch.Kind.MEASUREMENTS, table, self.request.user, VisibleSchools(), reason="API bulk upload"
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
            status=status.HTTP_201_CREATED if counts["create"] else status.HTTP_200_OK,
        )
