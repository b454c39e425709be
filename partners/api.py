"""API v1 endpoints for Lead Partners, national collaborators and their engagements."""

from django_filters import rest_framework as filters

from core.deletion import delete_unused
from web.rest import IdFilter, ScopedModelViewSet

from .models import CollaboratorEngagement, LeadPartner, NationalCollaborator
from .serializers import CollaboratorEngagementSerializer, LeadPartnerSerializer, NationalCollaboratorSerializer


class LeadPartnerFilter(filters.FilterSet):
    district = IdFilter(field_name="district")

    class Meta:
        model = LeadPartner
        fields = ["kind", "district"]


class LeadPartnerViewSet(ScopedModelViewSet):
    queryset = LeadPartner.objects.all()
    serializer_class = LeadPartnerSerializer
    filterset_class = LeadPartnerFilter
    ordering_fields = ["id", "name"]
    remove = staticmethod(delete_unused)


class NationalCollaboratorViewSet(ScopedModelViewSet):
    queryset = NationalCollaborator.objects.all()
    serializer_class = NationalCollaboratorSerializer
    ordering_fields = ["id", "name"]
    remove = staticmethod(delete_unused)


class CollaboratorEngagementFilter(filters.FilterSet):
    state = IdFilter(field_name="state")
    collaborator = IdFilter(field_name="collaborator")

    class Meta:
        model = CollaboratorEngagement
        fields = ["state", "collaborator", "service_area", "status"]


class CollaboratorEngagementViewSet(ScopedModelViewSet):
    queryset = CollaboratorEngagement.objects.all()
    serializer_class = CollaboratorEngagementSerializer
    filterset_class = CollaboratorEngagementFilter
    ordering_fields = ["id", "start_date", "end_date"]
