"""API v1 endpoints for schools."""

from functools import partial

from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view

from web.rest import DELETED_THROUGH_THE_API, IdFilter, NaturalKeyFilter, ScopedModelViewSet

from . import services
from .models import School
from .serializers import SchoolSerializer


class SchoolFilter(filters.FilterSet):
    state = IdFilter(field_name="district__state")
    state_postal_code = NaturalKeyFilter(
        field_name="district__state__postal_code", help_text="The state's postal code."
    )
    district = IdFilter(field_name="district")
    district_nces_lea_id = NaturalKeyFilter(field_name="district__nces_lea_id", help_text="The district's NCES LEA id.")
    zone = IdFilter(field_name="zone")
    nces_id = NaturalKeyFilter(help_text="The school's NCES id.")

    class Meta:
        model = School
        fields = [
            "state",
            "state_postal_code",
            "district",
            "district_nces_lea_id",
            "zone",
            "nces_id",
            "improvement_tier",
            "turnaround_status",
        ]


@extend_schema_view(
    create=extend_schema(
        examples=[
            OpenApiExample(
                "A middle school",
                value={
                    "district": 7,
                    "zone": 3,
                    "name": "Lincoln Middle School",
                    "nces_id": "080336001234",
                    "lowest_grade": "6",
                    "highest_grade": "8",
                    "enrollment": 512,
                },
                request_only=True,
            )
        ]
    )
)
class SchoolViewSet(ScopedModelViewSet):
    queryset = School.objects.all()
    serializer_class = SchoolSerializer
    filterset_class = SchoolFilter
    ordering_fields = ["id", "name", "nces_id", "enrollment"]

    # A school in a zone, or one that results, money or comments name, is kept (409): its results
    # would go with it.
    remove = staticmethod(partial(services.delete_school, reason=DELETED_THROUGH_THE_API))
