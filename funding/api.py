"""API v1 endpoints for funders, commitments, expenditures, awards and their amendments, and the
funding totals of each state and zone (read-only, from funding.services).

The lifecycle steps are actions calling funding.lifecycle, like the pages: a commitment's
``withdraw/``, an expenditure's ``void/``, an award's ``amend/``. A step the record's state refuses
(spending still live, already withdrawn or voided, money moved on a commitment being deleted)
answers 409 problem JSON; bad input 400."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from core.deletion import delete_unused
from web.problems import PROBLEM_CONTENT_TYPE, ProblemDetailsSerializer
from web.rest import (
    IdFilter,
    ScopedModelViewSet,
    ScopedReadOnlyViewSet,
    StateConflict,
    refused_as_api_error,
)
from zones.models import State, Zone

from . import lifecycle
from .models import Award, AwardAmendment, Budget, Commitment, Expenditure, Funder, MatchRule, RecurringCost
from .serializers import (
    AmendAwardSerializer,
    AwardAmendmentSerializer,
    AwardSerializer,
    BudgetSerializer,
    CommitmentSerializer,
    ExpenditureSerializer,
    FunderSerializer,
    MatchRuleSerializer,
    RecurringCostSerializer,
    StateFundingSerializer,
    VoidSerializer,
    WithdrawSerializer,
    ZoneFundingSerializer,
)

REFUSED_STEP = {
    (409, PROBLEM_CONTENT_TYPE): OpenApiResponse(
        ProblemDetailsSerializer, description="The record's state refuses this step."
    )
}


class LifecycleActionsMixin:
    """Runs a funding.lifecycle step on the locked record (``get_object``) with the validated body
    of ``given_class``, and answers the record as it is after."""

    def _step(self, given_class, step):
        record = self.get_object()  # locked; the change permission checked (WritePermission)
        given = given_class(data=self.request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        with refused_as_api_error():
            step(record, dict(given.validated_data))
        record.refresh_from_db()
        self.etag_object = record
        return Response(self.get_serializer(record).data)


class FunderFilter(filters.FilterSet):
    may_fund = IdFilter(
        method="filter_may_fund",
        help_text="Funders that may commit to this state (id): national and private funders and its own state funds.",
    )

    def filter_may_fund(self, queryset, name, value):
        return queryset.able_to_fund(value)

    class Meta:
        model = Funder
        fields = ["kind"]


class FunderViewSet(ScopedModelViewSet):
    queryset = Funder.objects.all()
    serializer_class = FunderSerializer
    filterset_class = FunderFilter
    ordering_fields = ["id", "name"]
    remove = staticmethod(delete_unused)


class CommitmentFilter(filters.FilterSet):
    state = IdFilter(field_name="state")
    zone = IdFilter(field_name="zone")
    funder = IdFilter(field_name="funder")

    class Meta:
        model = Commitment
        fields = ["state", "zone", "funder", "recipient_level", "status", "source"]


class CommitmentViewSet(LifecycleActionsMixin, ScopedModelViewSet):
    """Commitments. A withdrawn one is kept (``withdraw/``, never a status written directly); one
    on which money has moved is never deleted (409: withdraw it)."""

    queryset = Commitment.objects.all()
    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilter
    ordering_fields = ["id", "amount", "pledged_on", "period_start"]

    def perform_destroy(self, instance):
        with refused_as_api_error():
            lifecycle.delete_commitment(instance, user=self.request.user)

    @extend_schema(request=WithdrawSerializer, responses={200: CommitmentSerializer, **REFUSED_STEP})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The funder withdrew the commitment (``withdrawn_on``, ``reason``): kept, never counted.
        Refused (409) while live spending draws on it, or when withdrawn already."""
        return self._step(
            WithdrawSerializer,
            lambda commitment, data: lifecycle.withdraw_commitment(
                commitment, on=data["withdrawn_on"], reason=data["reason"], user=request.user
            ),
        )


class ExpenditureFilter(filters.FilterSet):
    state = IdFilter(field_name="state")
    zone = IdFilter(field_name="zone")
    school = IdFilter(field_name="school")
    commitment = IdFilter(field_name="commitment")

    class Meta:
        model = Expenditure
        fields = ["state", "zone", "school", "commitment", "category"]


NEVER_DELETED = (
    "An expenditure is never deleted: void it (POST its void/ action with the reason); it is kept, not counted."
)


class ExpenditureViewSet(LifecycleActionsMixin, ScopedModelViewSet):
    """Expenditures. One recorded by mistake is voided (``void/``), never deleted (409); a voided
    one is kept as it was (a change answers 409)."""

    queryset = Expenditure.objects.all()
    serializer_class = ExpenditureSerializer
    filterset_class = ExpenditureFilter
    ordering_fields = ["id", "amount", "spent_on"]

    def get_object(self):
        expenditure = super().get_object()
        if self.request.method in ("PUT", "PATCH") and expenditure.is_voided:
            raise StateConflict(Expenditure.VOIDED_ERROR)
        return expenditure

    @extend_schema(responses={204: None, **REFUSED_STEP})
    def destroy(self, request, *args, **kwargs):
        self.get_object()  # 404 and 403 first, like any change
        raise StateConflict(NEVER_DELETED)

    @extend_schema(request=VoidSerializer, responses={200: ExpenditureSerializer, **REFUSED_STEP})
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        """Void the expenditure (``reason``): kept as it was, never counted, never changed again."""
        return self._step(
            VoidSerializer,
            lambda expenditure, data: lifecycle.void_expenditure(expenditure, reason=data["reason"], user=request.user),
        )


class StateFundingViewSet(ScopedReadOnlyViewSet):
    """Funding totals of each state you may see: pledged, committed, received, spent, public and
    private, and the private:public match ratio. Only commitments you may see are counted."""

    queryset = State.objects.all()
    serializer_class = StateFundingSerializer
    ordering_fields = ["id", "name"]


class ZoneFundingFilter(filters.FilterSet):
    state = IdFilter(field_name="state")

    class Meta:
        model = Zone
        fields = ["state", "status"]


class ZoneFundingViewSet(StateFundingViewSet):
    """Funding totals of each zone you may see (zone-level commitments and the zone's spending)."""

    queryset = Zone.objects.all()
    serializer_class = ZoneFundingSerializer
    filterset_class = ZoneFundingFilter


class AwardFilter(filters.FilterSet):
    state = IdFilter(field_name="state")
    funder = IdFilter(field_name="funder")

    class Meta:
        model = Award
        fields = ["state", "funder"]


class AwardViewSet(LifecycleActionsMixin, ScopedModelViewSet):
    """Public awards to a state, each with its outlook (funding.availability). Created and edited
    through funding.lifecycle.save_award (the law's deadlines by default for a federal formula
    funder); the amount and deadlines change only through ``amend/`` (400 on a PUT or PATCH)."""

    queryset = Award.objects.select_related("funder", "state")
    serializer_class = AwardSerializer
    filterset_class = AwardFilter
    ordering_fields = ["id", "name", "amount", "obligation_deadline"]

    def perform_create(self, serializer):
        with refused_as_api_error():
            serializer.instance = lifecycle.save_award(serializer.candidate, user=self.request.user)

    perform_update = perform_create

    @extend_schema(request=AmendAwardSerializer, responses={200: AwardSerializer, **REFUSED_STEP})
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        """Amend the award's ``amount`` or deadlines (those left out stay), ``effective_on``, with the
        ``reason``: kept on its timeline (award-amendments). Refused when nothing changes or the
        amount would be less than its live commitments take (400)."""
        return self._step(
            AmendAwardSerializer,
            lambda award, data: lifecycle.amend_award(award, **data, user=request.user),
        )


class AwardAmendmentFilter(filters.FilterSet):
    award = IdFilter(field_name="award")
    state = IdFilter(field_name="state")

    class Meta:
        model = AwardAmendment
        fields = ["award", "state"]


class AwardAmendmentViewSet(ScopedReadOnlyViewSet):
    """Each award's timeline: every amendment's values before and after, effective date, reason and who."""

    queryset = AwardAmendment.objects.select_related("recorded_by")
    serializer_class = AwardAmendmentSerializer
    filterset_class = AwardAmendmentFilter
    ordering_fields = ["id", "effective_on", "recorded_at"]
    ordering = ["award_id", "effective_on", "id"]


# --- Budgets, sustainability and match rules ---


class BudgetFilter(filters.FilterSet):
    zone = IdFilter(field_name="zone")
    state = IdFilter(field_name="state")

    class Meta:
        model = Budget
        fields = ["zone", "state", "fiscal_year", "category"]


class BudgetViewSet(ScopedModelViewSet):
    """Zone budget lines by fiscal year (named by the year it ends) and spending category. Budget
    vs actual is in each zone's figures; here are the lines as entered."""

    queryset = Budget.objects.all()
    serializer_class = BudgetSerializer
    filterset_class = BudgetFilter
    ordering_fields = ["id", "fiscal_year", "amount"]


class RecurringCostFilter(filters.FilterSet):
    school = IdFilter(field_name="school")
    state = IdFilter(field_name="state")

    class Meta:
        model = RecurringCost
        fields = ["school", "state", "category"]


class RecurringCostViewSet(ScopedModelViewSet):
    """Schools' recurring costs (extended learning time, incentive pay), the grant paying for
    each and who pays after; ``outlook`` is the gap the cost leaves once the grant ends."""

    queryset = RecurringCost.objects.select_related("school", "paid_by")
    serializer_class = RecurringCostSerializer
    filterset_class = RecurringCostFilter
    ordering_fields = ["id", "annual_cost"]


class MatchRuleFilter(filters.FilterSet):
    state = IdFilter(field_name="state")

    class Meta:
        model = MatchRule
        fields = ["state", "initiative"]


class MatchRuleViewSet(ScopedModelViewSet):
    """Match rules: the initiative's (no state) and states' own. Only initiative admins write them."""

    queryset = MatchRule.objects.all()
    serializer_class = MatchRuleSerializer
    filterset_class = MatchRuleFilter
