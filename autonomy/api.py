"""API v1 endpoints of the autonomy ledger: terms (created and their status changed through
``autonomy.ledger``, like on the pages), check-ins (recorded through ``ledger.record_check_in``)
and the status changes (read-only)."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from web.rest import IdFilter, ScopedModelViewSet, ScopedReadOnlyViewSet, refused_as_api_error

from . import ledger
from .models import AutonomyCheckIn, AutonomyTerm, AutonomyTermChange
from .serializers import (
    AutonomyCheckInSerializer,
    AutonomyTermChangeSerializer,
    AutonomyTermSerializer,
    ChangeStatusSerializer,
)


class AutonomyTermFilter(filters.FilterSet):
    zone = IdFilter(field_name="zone")
    state = IdFilter(field_name="zone__state")

    class Meta:
        model = AutonomyTerm
        fields = ["zone", "state", "area", "power", "status", "source"]


class AutonomyTermViewSet(ScopedModelViewSet):
    """The terms of the zones' autonomy, per area, with legal source, status, dates and evidence.
    The state lead records a term in any status; the zone's Lead Partner staff request one (status
    ``requested``). A status changes only through ``change-status`` (a PATCH of ``status`` is
    refused), which records the reason and what caused it."""

    queryset = AutonomyTerm.objects.select_related("zone")
    serializer_class = AutonomyTermSerializer
    filterset_class = AutonomyTermFilter
    ordering_fields = ["id", "area", "power", "status", "effective_from"]
    ordering = ["zone_id", "area", "power", "id"]

    def perform_create(self, serializer):
        with refused_as_api_error():
            serializer.instance = ledger.create_term(
                serializer.candidate, by=self.request.user, reason=serializer.reason
            )

    @extend_schema(summary="Change the term's status, with the reason and its cause", request=ChangeStatusSerializer)
    @action(detail=True, methods=["post"], url_path="change-status")
    def change_status(self, request, pk=None):
        term = self.get_object()
        self.check_write(term, "change")
        given = ChangeStatusSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        data = given.validated_data
        ledger.change_term_status(
            term,
            data["to_status"],
            reason=data["reason"],
            by=request.user,
            effective_on=data["effective_on"],
            check_in=data.get("check_in"),
            annual_review=data.get("annual_review"),
            renewal_decision=data.get("renewal_decision"),
        )
        term.refresh_from_db()
        self.etag_object = term
        return Response(self.get_serializer(term).data, status=status.HTTP_200_OK)


class AutonomyCheckInFilter(filters.FilterSet):
    term = IdFilter(field_name="term")
    zone = IdFilter(field_name="term__zone")
    state = IdFilter(field_name="term__zone__state")

    class Meta:
        model = AutonomyCheckIn
        fields = ["term", "zone", "state", "practice"]


class AutonomyCheckInViewSet(ScopedModelViewSet):
    """Reports on whether granted terms hold in practice, latest first. The zone's Lead Partner
    staff and the state lead record one (POST); a check-in is a record of its day, never changed."""

    queryset = AutonomyCheckIn.objects.select_related("recorded_by")
    serializer_class = AutonomyCheckInSerializer
    filterset_class = AutonomyCheckInFilter
    ordering_fields = ["id", "observed_on", "created_at"]
    ordering = ["-observed_on", "-created_at", "-id"]
    http_method_names = ["get", "post", "head", "options"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        with refused_as_api_error():
            serializer.instance = ledger.record_check_in(
                data["term"],
                practice=data["practice"],
                note=data["note"],
                observed_on=data["observed_on"],
                by=self.request.user,
            )


class AutonomyTermChangeFilter(filters.FilterSet):
    term = IdFilter(field_name="term")
    zone = IdFilter(field_name="term__zone")
    state = IdFilter(field_name="term__zone__state")

    class Meta:
        model = AutonomyTermChange
        fields = ["term", "zone", "state", "to_status"]


class AutonomyTermChangeViewSet(ScopedReadOnlyViewSet):
    """Every change of a term's status, latest first: from and to, reason, effective date, who, and
    what caused it (a check-in, an annual review or a renewal decision: earned autonomy)."""

    queryset = AutonomyTermChange.objects.select_related("changed_by")
    serializer_class = AutonomyTermChangeSerializer
    filterset_class = AutonomyTermChangeFilter
    ordering_fields = ["id", "effective_on", "changed_at"]
    ordering = ["-changed_at", "-id"]
