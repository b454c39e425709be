"""API v1 endpoints for states, districts and zones."""

from django.db.models import Prefetch
from django_filters import rest_framework as filters

from config.rest import IdFilter, ScopedModelViewSet
from schools.models import School

from .models import District, State, Zone
from .serializers import DistrictSerializer, StateSerializer, ZoneSerializer
from .services import check_initiative_fields


class StateFilter(filters.FilterSet):
    class Meta:
        model = State
        fields = ["network_status"]


class StateViewSet(ScopedModelViewSet):
    queryset = State.objects.all()
    serializer_class = StateSerializer
    filterset_class = StateFilter
    ordering_fields = ["id", "name", "postal_code"]

    def perform_update(self, serializer):
        check_initiative_fields(self.request.user, serializer.candidate)
        super().perform_update(serializer)


class DistrictFilter(filters.FilterSet):
    state = IdFilter(field_name="state")

    class Meta:
        model = District
        fields = ["state"]


class DistrictViewSet(ScopedModelViewSet):
    queryset = District.objects.all()
    serializer_class = DistrictSerializer
    filterset_class = DistrictFilter
    ordering_fields = ["id", "name", "nces_lea_id"]


class ZoneFilter(filters.FilterSet):
    state = IdFilter(field_name="state")
    district = IdFilter(field_name="districts", distinct=True)
    lead_partner = IdFilter(field_name="lead_partner")

    class Meta:
        model = Zone
        fields = ["state", "district", "lead_partner", "status", "launch_school_year"]


class ZoneViewSet(ScopedModelViewSet):
    """Zones with their schools (and each school's progress against target), Lead Partner and
    autonomies. A page of zones costs the same few queries whatever its size."""

    queryset = Zone.objects.select_related("lead_partner").prefetch_related(
        "districts", Prefetch("schools", queryset=School.objects.order_by("name"))
    )
    serializer_class = ZoneSerializer
    filterset_class = ZoneFilter
    ordering_fields = ["id", "name", "status", "launch_school_year"]
