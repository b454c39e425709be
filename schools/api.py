"""API v1 endpoints for schools."""

from django_filters import rest_framework as filters

from web.rest import IdFilter, ScopedModelViewSet

from .models import School
from .serializers import SchoolSerializer


class SchoolFilter(filters.FilterSet):
    state = IdFilter(field_name="district__state")
    district = IdFilter(field_name="district")
    zone = IdFilter(field_name="zone")

    class Meta:
        model = School
        fields = ["state", "district", "zone", "improvement_tier", "turnaround_status"]


class SchoolViewSet(ScopedModelViewSet):
    queryset = School.objects.all()
    serializer_class = SchoolSerializer
    filterset_class = SchoolFilter
    ordering_fields = ["id", "name", "nces_id", "enrollment"]
