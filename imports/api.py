"""REST endpoints for imports: upload a file for a dry run, apply it, list past imports, download a file."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from config.rest import ScopedQuerysetMixin, ValidationErrorSerializer, VisibleRelationsMixin
from partners.models import LeadPartner
from web.files import private_file_response
from zones.models import State

from .models import UPLOAD_CONTENT_TYPE, ImportBatch
from .reading import MAX_UPLOAD_BYTES, too_big_message
from .services import apply_import, import_scopes_for, preview_import


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
        attrs["scope"] = scope
        return attrs


class ImportBatchViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Imports of schools, baselines, targets and measurements in the caller's scope."""

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
        },
    )
    def create(self, request, *args, **kwargs):
        """Upload a CSV or XLSX file: it is checked and kept as a dry run; nothing is written yet."""
        if not import_scopes_for(request.user):  # authorization before validation
            raise PermissionDenied("You may not import.")
        upload = ImportUploadSerializer(data=request.data, context={"request": request})
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        batch = preview_import(user=request.user, scope=data["scope"], kind=data["kind"], upload=data["file"])
        failed = batch.status == ImportBatch.Status.FAILED
        return Response(
            ImportBatchSerializer(batch).data, status=status.HTTP_400_BAD_REQUEST if failed else status.HTTP_201_CREATED
        )

    @extend_schema(
        request=None,
        responses={
            200: OpenApiResponse(ImportBatchSerializer, "Applied in one transaction."),
            400: OpenApiResponse(
                ValidationErrorSerializer,
                "Not applied, nothing written: the failed import (an ImportBatch with summary.errors), "
                "or a detail message when the batch is not an error-free dry run.",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def apply(self, request, *args, **kwargs):
        """Apply a dry run without errors (only its uploader may); any error: nothing is written."""
        try:
            batch = apply_import(self.get_object(), request.user)
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from error
        except DjangoValidationError as error:
            return Response({"detail": error.messages[0]}, status=400)
        applied = batch.status == ImportBatch.Status.APPLIED
        return Response(ImportBatchSerializer(batch).data, status=200 if applied else 400)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(description="The uploaded file.")})
    @action(detail=True, methods=["get"])
    def file(self, request, *args, **kwargs):
        """Download the file as it was uploaded."""
        batch = self.get_object()
        return private_file_response(batch.file, batch.original_name, UPLOAD_CONTENT_TYPE)
