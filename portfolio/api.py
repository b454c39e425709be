"""API v1 endpoints for zones (each with its schools and their standing), the portfolio (each
state's rollup and its initiative's money against the targets) and each state's money: composed
reads."""

from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import exceptions

from schools.models import School
from web.rest import IdFilter, NaturalKeyFilter, ScopedModelViewSet, ScopedReadOnlyViewSet
from zones.models import State, Zone

from .serializers import PortfolioSerializer, StateMoneySerializer, ZoneSerializer
from .services import reads_state_money


class ZoneFilter(filters.FilterSet):
    state = IdFilter(field_name="state")
    state_postal_code = NaturalKeyFilter(field_name="state__postal_code", help_text="The state's postal code.")
    district = IdFilter(field_name="districts", distinct=True)
    lead_partner = IdFilter(field_name="lead_partner")

    class Meta:
        model = Zone
        fields = ["state", "state_postal_code", "district", "lead_partner", "status", "launch_school_year"]


@extend_schema_view(
    create=extend_schema(
        examples=[
            OpenApiExample(
                "A zone in planning",
                value={"state": 1, "districts": [7], "name": "Northeast Denver Zone", "launch_school_year": "2025-26"},
                request_only=True,
            )
        ]
    ),
    partial_update=extend_schema(
        examples=[
            OpenApiExample(
                "Launch it", value={"status": "launched", "reason": "Board approved the plan."}, request_only=True
            )
        ]
    ),
)
class ZoneViewSet(ScopedModelViewSet):
    """Zones with their schools (and each school's progress against target), Lead Partner and
    autonomy terms (read-only here). A page of zones costs the same few queries whatever its size."""

    queryset = Zone.objects.select_related("lead_partner").prefetch_related(
        "districts", Prefetch("schools", queryset=School.objects.order_by("name"))
    )
    serializer_class = ZoneSerializer
    filterset_class = ZoneFilter
    ordering_fields = ["id", "name", "status", "launch_school_year"]


class PortfolioFilter(filters.FilterSet):
    class Meta:
        model = State
        fields = ["network_status"]


class PortfolioViewSet(ScopedReadOnlyViewSet):
    """Each state you may see with its rollup, as the portfolio page, its CSV and the reports show
    it: zones, schools in zones by standing, money (commitments made to the state and its zones,
    spent from them), the match against the state's rule and the money at risk of lapsing; and the
    initiative's money against its targets. Counted within your reach."""

    queryset = State.objects.all()
    serializer_class = PortfolioSerializer
    filterset_class = PortfolioFilter
    ordering_fields = ["id", "name"]


class StateMoneyViewSet(ScopedReadOnlyViewSet):
    """The money of each state whose money you read (not Lead Partner staff), as the state page
    and its money page show it: the match against the state's rule (and each zone's), what each
    private funder adds, the public awards' outlooks (projected to lapse at the burn rate so far),
    the zones' budgets against actual spending and the sustainability gap after the grants."""

    queryset = State.objects.all()
    serializer_class = StateMoneySerializer
    filterset_class = PortfolioFilter
    ordering_fields = ["id", "name"]

    def get_queryset(self):
        """The list: the states whose money you read; one of the others is refused (``get_object``)."""
        states = super().get_queryset()
        if self.action != "list":
            return states
        user = self.request.user
        return states.filter(pk__in=[state.pk for state in states.only("pk") if reads_state_money(user, state)])

    def get_object(self):
        state = super().get_object()
        if not reads_state_money(self.request.user, state):
            raise exceptions.PermissionDenied("A state's money is read by its state staff and engaged collaborators.")
        return state
