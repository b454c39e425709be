"""API v1 endpoints for states, districts and zones."""

from django_filters import rest_framework as filters

from web.rest import IdFilter, NaturalKeyFilter, ScopedModelViewSet

from .models import District, State
from .serializers import DistrictSerializer, StateSerializer
from .services import check_initiative_fields


class StateFilter(filters.FilterSet):
    postal_code = NaturalKeyFilter(help_text="The state's postal code, e.g. CO.")

    class Meta:
        model = State
        fields = ["postal_code", "network_status"]


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
    state_postal_code = NaturalKeyFilter(field_name="state__postal_code", help_text="The state's postal code.")
    nces_lea_id = NaturalKeyFilter(help_text="The district's NCES LEA id.")

    class Meta:
        model = District
        fields = ["state", "state_postal_code", "nces_lea_id"]


class DistrictViewSet(ScopedModelViewSet):
    queryset = District.objects.all()
    serializer_class = DistrictSerializer
    filterset_class = DistrictFilter
    ordering_fields = ["id", "name", "nces_lea_id"]
