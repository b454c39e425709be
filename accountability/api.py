"""API v1 endpoints for metrics, baselines, targets, measurements, status updates, per-school
progress against target (read-only, from accountability.services), renewal decisions (recorded
through accountability.renewal, like on the renewal page) and exit criteria. A measurement or status update
is recorded through accountability.recording, like on the pages; the bulk measurement upload is
the imports pipeline's (imports.api).

The accountability cycle: reporting periods, period submissions (values saved, then submit,
approve, return, reopen: ``accountability.cycle``'s use cases) and the collection calendar
(``accountability.calendar``'s requirements)."""

from contextlib import contextmanager
from functools import partial

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.deletion import delete_unused
from core.permissions import ANYWHERE
from core.validators import validate_school_year
from schools.api import SchoolFilter
from schools.models import School
from web.filtering import KnownParametersFilter
from web.problems import PROBLEM_CONTENT_TYPE, ProblemDetailsSerializer
from web.rest import (
    DELETED_THROUGH_THE_API,
    CursorPages,
    IdFilter,
    NaturalKeyFilter,
    PageNumberPages,
    ScopedModelViewSet,
    ScopedQuerysetMixin,
    ScopedReadOnlyViewSet,
    refused_as_api_error,
)

from . import calendar, cycle, removal
from .choices import Collection
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
from .recording import change_measurement, post_status_update, record_measurements
from .renewal import record_decision
from .serializers import (
    BaselineSerializer,
    CommentSerializer,
    ExitCriterionSerializer,
    MeasurementSerializer,
    MetricSerializer,
    PeriodSubmissionSerializer,
    PeriodValuesSerializer,
    ReasonSerializer,
    RenewalDecisionSerializer,
    ReportingPeriodSerializer,
    RequirementSerializer,
    SchoolProgressSerializer,
    StatusUpdateSerializer,
    TargetSerializer,
)


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
    remove = staticmethod(delete_unused)


class SchoolRecordFilter(filters.FilterSet):
    """Filters shared by records kept per school (baselines, targets, measurements, updates)."""

    state = IdFilter(field_name="school__district__state")
    district = IdFilter(field_name="school__district")
    zone = IdFilter(field_name="school__zone")
    school = IdFilter(field_name="school")
    school_nces_id = NaturalKeyFilter(field_name="school__nces_id", help_text="The school's NCES id.")
    # A few schools' rows: their page is sorted from them (web.filtering.StrictOrderingFilter).
    narrowing = ("school", "zone", "school_nces_id")


class SchoolMetricFilter(SchoolRecordFilter):
    metric = IdFilter(field_name="metric")
    metric_code = NaturalKeyFilter(field_name="metric__code", help_text="The metric's code.")


class BaselineFilter(SchoolMetricFilter):
    class Meta:
        model = Baseline
        fields = ["state", "district", "zone", "school", "metric", "school_year"]


class BaselineViewSet(ScopedModelViewSet):
    queryset = Baseline.objects.all()
    serializer_class = BaselineSerializer
    filterset_class = BaselineFilter
    ordering_fields = ["id"]  # by value or year would sort every row (values mix metrics' units)
    ordering = ["school_id", "metric_id"]  # the unique index (the model's ordering by names sorts every row)
    remove = staticmethod(partial(removal.delete_school_value, reason=DELETED_THROUGH_THE_API))


class TargetFilter(SchoolMetricFilter):
    school_year = filters.CharFilter(field_name="target_school_year", help_text="The target school year.")

    class Meta:
        model = Target
        fields = ["state", "district", "zone", "school", "metric", "school_year"]


class TargetViewSet(ScopedModelViewSet):
    queryset = Target.objects.all()
    serializer_class = TargetSerializer
    filterset_class = TargetFilter
    ordering_fields = ["id"]
    ordering = ["school_id", "metric_id"]
    remove = staticmethod(partial(removal.delete_school_value, reason=DELETED_THROUGH_THE_API))


class MeasurementFilter(SchoolMetricFilter):
    class Meta:
        model = Measurement
        fields = ["state", "district", "zone", "school", "metric", "school_year", "period"]


class MeasurementViewSet(ScopedModelViewSet):
    """Measurements by school, metric and time (the unique index's order), a cursor page at a time."""

    queryset = Measurement.objects.all()
    serializer_class = MeasurementSerializer
    filterset_class = MeasurementFilter
    # Each an index range; by value (mixing metrics' units) or time recorded would sort millions of rows.
    ordering_fields = ["id", "school_year"]
    ordering = ["school_id", "metric_id", "school_year", "period"]
    pagination_class = CursorPages

    def perform_create(self, serializer):
        with refused_as_api_error():
            serializer.instance = record_measurements(self.request.user, [serializer.candidate])[0]

    def perform_update(self, serializer):
        with refused_as_api_error():
            serializer.instance = change_measurement(self.request.user, serializer.candidate)

    remove = staticmethod(partial(removal.delete_measurement, reason=DELETED_THROUGH_THE_API))


class StatusUpdateFilter(SchoolRecordFilter):
    reported_after = filters.DateFilter(field_name="reported_on", lookup_expr="gte")
    reported_before = filters.DateFilter(field_name="reported_on", lookup_expr="lte")

    class Meta:
        model = StatusUpdate
        fields = ["state", "district", "zone", "school", "rating", "reported_after", "reported_before"]


@extend_schema_view(
    create=extend_schema(
        examples=[
            OpenApiExample(
                "A monthly update",
                value={
                    "school": 12,
                    "reported_on": "2025-10-31",
                    "rating": "at_risk",
                    "narrative": "Attendance fell in October; a family liaison starts next week.",
                    "staffing_notes": "Two math vacancies filled.",
                },
                request_only=True,
            )
        ]
    )
)
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


class ReportingPeriodFilter(filters.FilterSet):
    state = IdFilter(field_name="state")

    class Meta:
        model = ReportingPeriod
        fields = ["state", "school_year", "period"]


class ReportingPeriodViewSet(ScopedModelViewSet):
    """A state's reporting periods and their due dates (set by its state lead or an admin)."""

    queryset = ReportingPeriod.objects.prefetch_related("indicators")
    serializer_class = ReportingPeriodSerializer
    filterset_class = ReportingPeriodFilter
    ordering_fields = ["id", "school_year", "period", "due_on"]
    ordering = ["state_id", "-school_year", "-period"]


class PeriodSubmissionFilter(SchoolRecordFilter):
    state = IdFilter(field_name="reporting_period__state")
    school_year = filters.CharFilter(field_name="reporting_period__school_year")
    period = filters.ChoiceFilter(field_name="reporting_period__period", choices=Measurement.Period.choices)

    class Meta:
        model = PeriodSubmission
        fields = ["state", "zone", "school", "status", "school_year", "period"]


CYCLE_ERRORS = {
    400: OpenApiResponse(description="Invalid input (a value out of range, a missing comment or indicator)."),
    (409, PROBLEM_CONTENT_TYPE): OpenApiResponse(
        ProblemDetailsSerializer, description="The period's status does not allow this step, or it is locked."
    ),
}


def cycle_step(summary: str, request=None):
    """A cycle action's documentation: its input, the submission as it stands after, its errors."""
    return extend_schema(summary=summary, request=request, responses={200: PeriodSubmissionSerializer, **CYCLE_ERRORS})


class PeriodSubmissionViewSet(ScopedReadOnlyViewSet):
    """Each school's report for each reporting period as it moves through the cycle: saved (POST,
    values by indicator code), submitted, approved (locked) or returned with a comment, reopened
    with a reason. Saving and submitting: the Lead Partner's staff of the school's zone, the state
    lead, an admin; approving, returning, reopening: the state lead or an admin."""

    queryset = PeriodSubmission.objects.select_related("reporting_period")
    serializer_class = PeriodSubmissionSerializer
    filterset_class = PeriodSubmissionFilter
    ordering_fields = ["id", "status", "submitted_at"]
    ordering = ["school_id", "reporting_period_id"]

    @cycle_step("Save a school's values for a reporting period", PeriodValuesSerializer)
    def create(self, request):
        if not request.user.has_perm("accountability.add_periodsubmission", ANYWHERE):
            raise exceptions.PermissionDenied("You may not report on schools.")
        given = PeriodValuesSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        data = given.validated_data
        with refused_as_api_error(), values_by_code(given):
            submission = cycle.save_period_values(
                request.user, data["school"], data["reporting_period"], data["values"], source=data["source"]
            )
        return self._answer(submission)

    @cycle_step("Submit the period for the state's review")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        with refused_as_api_error():
            return self._answer(cycle.submit_period(request.user, self.get_object()))

    @cycle_step("Approve the submitted period (it locks)", CommentSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        comment = self._given(CommentSerializer)["comment"]
        with refused_as_api_error():
            return self._answer(cycle.approve_period(request.user, self.get_object(), comment=comment))

    @cycle_step("Return the submitted period with a comment", CommentSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        comment = self._given(CommentSerializer)["comment"]
        with refused_as_api_error():
            return self._answer(cycle.return_period(request.user, self.get_object(), comment=comment))

    @cycle_step("Reopen the approved period, with the reason", ReasonSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        reason = self._given(ReasonSerializer)["reason"]
        with refused_as_api_error():
            return self._answer(cycle.reopen_period(request.user, self.get_object(), reason=reason))

    def _given(self, serializer_class) -> dict:
        given = serializer_class(data=request_body(self.request))
        given.is_valid(raise_exception=True)
        return given.validated_data

    def _answer(self, submission) -> Response:
        submission.refresh_from_db()
        self.etag_object = submission
        return Response(self.get_serializer(submission).data, status=status.HTTP_200_OK)


def request_body(request) -> dict:
    """The request's body, or an empty one (an action may be posted without a body)."""
    return request.data if hasattr(request.data, "get") else {}


@contextmanager
def values_by_code(given: PeriodValuesSerializer):
    """The use case's errors by metric id, as the API's by indicator code under ``values``."""
    try:
        yield
    except DjangoValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        codes = {str(pk): metric.code for pk, metric in given.metrics_by_id.items()}
        by_code = {codes.get(key, key): messages for key, messages in error.message_dict.items()}
        raise serializers.ValidationError({"values": by_code}) from error


class CollectionQuery(forms.Form):
    """The collection calendar's filters (ids of what you may see; others match nothing)."""

    state = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    zone = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    lead_partner = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    status = forms.ChoiceField(required=False, choices=Collection.choices)
    school_year = forms.CharField(required=False, validators=[validate_school_year])
    period = forms.TypedChoiceField(required=False, choices=Measurement.Period.choices, coerce=int)


class CollectionViewSet(ScopedQuerysetMixin, viewsets.GenericViewSet):
    """The collection calendar: one row per school and reporting period you may see, with the
    indicators owed, how many have a value and its status (due, late, submitted, returned,
    approved) today; ordered by due date, then state and school."""

    queryset = ReportingPeriod.objects.all()
    serializer_class = RequirementSerializer
    pagination_class = PageNumberPages
    filter_backends = [KnownParametersFilter]
    query_form = CollectionQuery

    @extend_schema(
        parameters=[
            OpenApiParameter("state", int, description="A state's id."),
            OpenApiParameter("zone", int, description="A zone's id."),
            OpenApiParameter("lead_partner", int, description="A Lead Partner's id: the schools of its zones."),
            OpenApiParameter("status", str, enum=Collection.values),
            OpenApiParameter("school_year", str, description="A school year, e.g. 2010-11."),
            OpenApiParameter("period", int, enum=Measurement.Period.values),
        ],
        responses=RequirementSerializer(many=True),
    )
    def list(self, request):
        self.filter_queryset(self.get_queryset())  # refuses a parameter CollectionQuery does not read
        query = CollectionQuery(request.query_params)
        if not query.is_valid():
            raise exceptions.ValidationError(query.errors)
        wanted = query.cleaned_data
        periods = ReportingPeriod.objects.all()
        if wanted["school_year"]:
            periods = periods.filter(school_year=wanted["school_year"])
        if wanted["period"]:
            periods = periods.filter(period=wanted["period"])
        found = calendar.requirements(
            states=[wanted["state"]] if wanted["state"] else None,
            zones=[wanted["zone"]] if wanted["zone"] else None,
            lead_partner=wanted["lead_partner"],
            periods=periods.values_list("pk", flat=True) if wanted["school_year"] or wanted["period"] else None,
        )
        if wanted["status"]:
            found = [requirement for requirement in found if requirement.status == wanted["status"]]
        page = self.paginate_queryset(found)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


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
