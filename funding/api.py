"""API v1 endpoints for funders, commitments and expenditures, and the funding totals of each
state and zone (read-only, from funding.services)."""

from django_filters import rest_framework as filters

from web.rest import IdFilter, ScopedModelViewSet, ScopedReadOnlyViewSet
from zones.models import State, Zone

from .models import Commitment, Expenditure, Funder
from .serializers import (
    CommitmentSerializer,
    ExpenditureSerializer,
    FunderSerializer,
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
