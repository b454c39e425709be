"""API v1 endpoints for funders, commitments and expenditures, and the funding totals of each
state and zone (read-only, from funding.services)."""

from django_filters import rest_framework as filters

from web.rest import IdFilter, ScopedModelViewSet, ScopedReadOnlyViewSet
from zones.models import State, Zone

from .models import Budget, Commitment, Expenditure, Funder, MatchRule, RecurringCost
from .serializers import (
    BudgetSerializer,
    CommitmentSerializer,
    ExpenditureSerializer,
    FunderSerializer,
    MatchRuleSerializer,
    RecurringCostSerializer,
    StateFundingSerializer,
    ZoneFundingSerializer,
)


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


class CommitmentFilter(filters.FilterSet):
    state = IdFilter(field_name="state")
    zone = IdFilter(field_name="zone")
    funder = IdFilter(field_name="funder")

    class Meta:
        model = Commitment
        fields = ["state", "zone", "funder", "recipient_level", "status", "source"]


class CommitmentViewSet(ScopedModelViewSet):
    queryset = Commitment.objects.all()
    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilter
    ordering_fields = ["id", "amount", "pledged_on", "period_start"]


class ExpenditureFilter(filters.FilterSet):
    state = IdFilter(field_name="state")
    zone = IdFilter(field_name="zone")
    school = IdFilter(field_name="school")
    commitment = IdFilter(field_name="commitment")

    class Meta:
        model = Expenditure
        fields = ["state", "zone", "school", "commitment", "category"]


class ExpenditureViewSet(ScopedModelViewSet):
    queryset = Expenditure.objects.all()
    serializer_class = ExpenditureSerializer
    filterset_class = ExpenditureFilter
    ordering_fields = ["id", "amount", "spent_on"]


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


# --- planning (budgets, sustainability, match rules) ---


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
