"""API v1 endpoints for zones (each with its schools and their standing) and the portfolio (each
state's rollup): composed reads."""

from django.db.models import Prefetch
from django_filters import rest_framework as filters

from schools.models import School
from web.rest import IdFilter, ScopedModelViewSet, ScopedReadOnlyViewSet
from zones.models import State, Zone

from .serializers import PortfolioSerializer, ZoneSerializer


class ZoneFilter(filters.FilterSet):
    state = IdFilter(field_name="state")
    district = IdFilter(field_name="districts", distinct=True)
    lead_partner = IdFilter(field_name="lead_partner")

    class Meta:
        model = Zone
        fields = ["state", "district", "lead_partner", "status", "launch_school_year"]


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
    spent from them) and the match. Counted within your reach."""

    queryset = State.objects.all()
    serializer_class = PortfolioSerializer
    filterset_class = PortfolioFilter
    ordering_fields = ["id", "name"]
