"""API representations of Lead Partners, national collaborators and their engagements."""

from rest_framework import serializers

from web.rest import ModelCleanSerializer

from .models import CollaboratorEngagement, LeadPartner, NationalCollaborator


class LeadPartnerSerializer(ModelCleanSerializer):
    services = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = LeadPartner
        fields = [
            "id",
            "name",
            "kind",
            "district",
            "provides_academic_services",
            "provides_student_support",
            "provides_coordination",
            "services",
            "contact_name",
            "contact_email",
            "contact_phone",
            "website",
        ]


class NationalCollaboratorSerializer(ModelCleanSerializer):
    class Meta:
        model = NationalCollaborator
        fields = ["id", "name", "description", "website", "contact_email"]


class CollaboratorEngagementSerializer(ModelCleanSerializer):
    class Meta:
        model = CollaboratorEngagement
        fields = ["id", "collaborator", "state", "service_area", "start_date", "end_date", "status", "description"]
