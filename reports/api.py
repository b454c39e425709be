"""REST endpoint for report runs: /api/v1/report-runs/ (list, read, request, download)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled
from rest_framework.fields import get_error_detail
from rest_framework.response import Response

from contracts.models import AnnualReview
from web.rest import ScopedQuerysetMixin
from web.sync import ChangeStampsMixin
from zones.models import State, Zone

from .models import ReportRun
from .requesting import TooManyForcedRenders, request_report
from .views import download_response


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A state or zone the requesting user can see (others are "does not exist")."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.context["request"].user)


class ReportRunSerializer(ChangeStampsMixin, serializers.ModelSerializer):
    state = ScopedPrimaryKeyField(queryset=State.objects.all(), required=False, allow_null=True)
    zone = ScopedPrimaryKeyField(queryset=Zone.objects.all(), required=False, allow_null=True)
    review = ScopedPrimaryKeyField(
        queryset=AnnualReview.objects.all(), required=False, allow_null=True, help_text="An annual review's PDF."
    )
    period = serializers.CharField(required=False, allow_blank=True, help_text="YYYY-MM; default: this month")
    force = serializers.BooleanField(write_only=True, default=False, help_text="Replace this month's run.")
    requested_by = serializers.StringRelatedField()
    download_url = serializers.SerializerMethodField()
    notice = serializers.SerializerMethodField(
        help_text="Set while the report service is unavailable: the request is saved and runs when it is back."
    )

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "kind",
            "state",
            "zone",
            "review",
            "period",
            "force",
            "status",
            "notice",
            "requested_by",
            "requested_at",
            "sent_at",
            "started_at",
            "finished_at",
            "attempts",
            "error",
            "download_url",
        ]
        read_only_fields = ["status", "requested_at", "sent_at", "started_at", "finished_at", "attempts", "error"]

    def get_download_url(self, run) -> str | None:
        if run.status != ReportRun.Status.DONE:
            return None
        return self.context["view"].reverse_action("download", args=[run.pk])

    def get_notice(self, run) -> str | None:
        return ReportRun.UNAVAILABLE if run.is_unsent else None

    def create(self, validated_data):
        scope = {key: validated_data.get(key) for key in ("state", "zone", "period", "review")}
        try:
            run, created = request_report(
                self.context["request"].user, validated_data["kind"], force=validated_data["force"], **scope
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(get_error_detail(error)) from error
        except TooManyForcedRenders as error:
            raise Throttled(wait=error.wait, detail=str(error)) from error
        run.created = created
        return run


class ReportRunViewSet(
    ScopedQuerysetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Report runs in your scope. POST queues a report, or returns this month's run of it unless forced.

    A run still queued or running answers 202 Accepted with ``Location`` (the run, to poll) and
    ``Retry-After`` (seconds until polling is worth it); a run already finished answers 200 (this
    month's, reused) or 201. When the report service is unavailable the run is saved all the same
    and ``notice`` says so; it runs when the service is back.
    """

    queryset = ReportRun.objects.select_related("state", "zone", "requested_by")
    serializer_class = ReportRunSerializer
    filterset_fields = ["kind", "period", "status"]

    def get_queryset(self):
        runs = super().get_queryset()
        return runs.current() if self.action == "list" else runs

    POLL_AFTER_SECONDS = 5  # Retry-After of an unfinished run

    @extend_schema(
        responses={
            202: ReportRunSerializer,
            201: ReportRunSerializer,
            200: ReportRunSerializer,
            429: OpenApiResponse(description="Forced again within minutes of your last forced run; see Retry-After."),
        }
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = serializer.save()
        if run.status in ReportRun.UNFINISHED:
            location = self.reverse_action("detail", args=[run.pk])
            headers = {"Location": location, "Retry-After": str(self.POLL_AFTER_SECONDS)}
            return Response(self.get_serializer(run).data, status=status.HTTP_202_ACCEPTED, headers=headers)
        code = status.HTTP_201_CREATED if run.created else status.HTTP_200_OK
        return Response(self.get_serializer(run).data, status=code)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, "A PDF report (reviews, briefs, renewals)."),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, "A progress report as CSV."),
        }
    )
    @action(detail=True)
    def download(self, request, pk=None):
        """The run's file (PDF or CSV) once the run is done."""
        return download_response(self.get_object())
