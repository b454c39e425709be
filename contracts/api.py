"""REST endpoints of contracts and reviews: /api/v1/contracts/, contract-deliverables/,
contract-targets/, annual-reviews/ (+ issue, respond), review-evidence/. Every write goes through
the use cases of contracts.services (the model's rules, the permission table); a refused step
answers 409 problem JSON, a rule 400, a stale version 412."""

from django.core.exceptions import PermissionDenied
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from web.problems import PROBLEM_CONTENT_TYPE, ProblemDetailsSerializer
from web.rest import IdFilter, ModelCleanSerializer, ScopedModelViewSet

from . import services
from .models import AnnualReview, ContractDeliverable, ContractTarget, PerformanceContract, ReviewEvidence


class _Refused:
    """The use case's refusal (the permission table's) as the API's 403 with its message."""

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if isinstance(error, PermissionDenied):
            raise exceptions.PermissionDenied(str(error) or None) from error
        return False


class PerformanceContractSerializer(ModelCleanSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    has_document = serializers.SerializerMethodField(help_text="Whether the signed document is on file (page only).")

    class Meta:
        model = PerformanceContract
        fields = [
            "id",
            "zone",
            "lead_partner",
            "status",
            "status_label",
            "starts_on",
            "ends_on",
            "signed_on",
            "renewal_conditions",
            "termination_conditions",
            "has_document",
        ]
        read_only_fields = ["status"]

    def get_has_document(self, contract) -> bool:
        return bool(contract.document)


class ContractDeliverableSerializer(ModelCleanSerializer):
    status = serializers.SerializerMethodField(help_text="due, overdue, delivered or delivered_late (today)")
    status_label = serializers.SerializerMethodField()

    class Meta:
        model = ContractDeliverable
        fields = [
            "id",
            "contract",
            "title",
            "description",
            "due_on",
            "delivered_on",
            "evidence_url",
            "status",
            "status_label",
        ]

    def get_status(self, deliverable) -> str:
        return deliverable.status.value

    def get_status_label(self, deliverable) -> str:
        return deliverable.status.label


class ContractTargetSerializer(ModelCleanSerializer):
    indicator = serializers.CharField(source="metric.name", read_only=True)
    unit = serializers.CharField(source="metric.get_unit_display", read_only=True)

    class Meta:
        model = ContractTarget
        fields = ["id", "contract", "metric", "indicator", "unit", "level", "school_year"]


class AnnualReviewSerializer(ModelCleanSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    reviewer = serializers.StringRelatedField(allow_null=True)
    responded_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = AnnualReview
        fields = [
            "id",
            "contract",
            "school_year",
            "status",
            "status_label",
            "reviewer",
            "academic_rating",
            "academic_narrative",
            "operational_rating",
            "operational_narrative",
            "financial_rating",
            "financial_narrative",
            "scorecard",
            "issued_at",
            "response",
            "responded_by",
            "responded_at",
        ]
        read_only_fields = ["status", "scorecard", "issued_at", "response", "responded_at"]


class ResponseSerializer(serializers.Serializer):
    response = serializers.CharField(max_length=20000)


class ReviewEvidenceSerializer(ModelCleanSerializer):
    class Meta:
        model = ReviewEvidence
        fields = ["id", "review", "part", "title", "url"]


class ContractFilter(filters.FilterSet):
    zone = IdFilter(field_name="zone")
    lead_partner = IdFilter(field_name="lead_partner")

    class Meta:
        model = PerformanceContract
        fields = ["zone", "lead_partner", "status"]


class ContractPartFilter(filters.FilterSet):
    contract = IdFilter(field_name="contract")


class DeliverableFilter(ContractPartFilter):
    class Meta:
        model = ContractDeliverable
        fields = ["contract"]


class TargetFilter(ContractPartFilter):
    class Meta:
        model = ContractTarget
        fields = ["contract", "school_year"]


class ReviewFilter(ContractPartFilter):
    class Meta:
        model = AnnualReview
        fields = ["contract", "school_year", "status"]


class EvidenceFilter(filters.FilterSet):
    review = IdFilter(field_name="review")

    class Meta:
        model = ReviewEvidence
        fields = ["review", "part"]


class _UseCaseViewSet(ScopedModelViewSet):
    """Creates and changes through the use case ``use_case(user, candidate)``."""

    use_case = None

    def perform_create(self, serializer):
        with _Refused():
            serializer.instance = type(self).use_case(self.request.user, serializer.candidate)

    def perform_update(self, serializer):
        with _Refused():
            serializer.instance = type(self).use_case(self.request.user, serializer.candidate)


STEP_ERRORS = {
    (409, PROBLEM_CONTENT_TYPE): OpenApiResponse(
        ProblemDetailsSerializer, description="The status does not allow this step."
    )
}


class PerformanceContractViewSet(_UseCaseViewSet):
    """Lead Partners' performance contracts: the state's lead writes them (a new one is a draft),
    then activates, ends or terminates it; the Lead Partner's staff read their own."""

    queryset = PerformanceContract.objects.select_related("zone", "lead_partner")
    serializer_class = PerformanceContractSerializer
    filterset_class = ContractFilter
    use_case = staticmethod(services.save_contract)

    def _step(self, step, **kwargs):
        with _Refused():
            contract = step(self.request.user, self.get_object(), **kwargs)
        return Response(self.get_serializer(contract).data, status=status.HTTP_200_OK)

    @extend_schema(request=None, responses={200: PerformanceContractSerializer, **STEP_ERRORS})
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        """Activate a draft: it binds the zone's Lead Partner, and the zone has no other active contract."""
        return self._step(services.activate_contract)

    @extend_schema(request=None, responses={200: PerformanceContractSerializer, **STEP_ERRORS})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End an active contract at the end of its term."""
        return self._step(services.end_contract)

    @extend_schema(responses={200: PerformanceContractSerializer, **STEP_ERRORS})
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        """Terminate an active contract, with the reason (``reason``)."""
        body = request.data if hasattr(request.data, "get") else {}
        return self._step(services.terminate_contract, reason=str(body.get("reason", "")))


class ContractDeliverableViewSet(_UseCaseViewSet):
    queryset = ContractDeliverable.objects.select_related("contract")
    serializer_class = ContractDeliverableSerializer
    filterset_class = DeliverableFilter
    use_case = staticmethod(services.save_deliverable)


class ContractTargetViewSet(_UseCaseViewSet):
    queryset = ContractTarget.objects.select_related("contract__zone", "metric")
    serializer_class = ContractTargetSerializer
    filterset_class = TargetFilter
    use_case = staticmethod(services.save_target)


def _save_review(user, review):
    if review.pk is None:
        review.reviewer = user
    return services.save_review(user, review)


class AnnualReviewViewSet(_UseCaseViewSet):
    """Annual performance reviews. The state's lead writes a draft (the state's only), then issues
    it (every part rated; the scorecard is frozen); the Lead Partner's staff read issued reviews of
    their own contracts and respond."""

    queryset = AnnualReview.objects.select_related("contract__zone", "reviewer", "responded_by")
    serializer_class = AnnualReviewSerializer
    filterset_class = ReviewFilter
    use_case = staticmethod(_save_review)

    @extend_schema(request=None, responses={200: AnnualReviewSerializer, **STEP_ERRORS})
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        """Issue the draft to the Lead Partner: its scorecard is frozen as it stands now."""
        with _Refused():
            review = services.issue_review(request.user, self.get_object())
        return Response(self.get_serializer(review).data)

    @extend_schema(request=ResponseSerializer, responses={200: AnnualReviewSerializer, **STEP_ERRORS})
    # Not a change of the review (WritePermission): its own permission, checked below.
    @action(detail=True, methods=["post"], permission_classes=viewsets.ModelViewSet.permission_classes)
    def respond(self, request, pk=None):
        """The Lead Partner's written response to an issued review (earlier versions stay in its history)."""
        review = self.get_object()
        if not request.user.has_perm("contracts.respond_annualreview", review):
            raise exceptions.PermissionDenied("Only the Lead Partner's staff respond to its review.")
        given = ResponseSerializer(data=request.data if hasattr(request.data, "get") else {})
        given.is_valid(raise_exception=True)
        with _Refused():
            review = services.respond_to_review(request.user, review, given.validated_data["response"])
        return Response(self.get_serializer(review).data)


class ReviewEvidenceViewSet(_UseCaseViewSet):
    queryset = ReviewEvidence.objects.select_related("review")
    serializer_class = ReviewEvidenceSerializer
    filterset_class = EvidenceFilter
    use_case = staticmethod(services.save_evidence)
