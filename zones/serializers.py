"""API representations of states, districts and zones (with their schools, Lead Partner, autonomy
and per-school progress)."""

from rest_framework import serializers

from accountability.serializers import SchoolProgressField
from config.rest import ModelCleanSerializer
from partners.models import LeadPartner
from schools.models import School

from .models import District, State, Zone


class StateSerializer(ModelCleanSerializer):
    class Meta:
        model = State
        fields = [
            "id",
            "name",
            "postal_code",
            "fips_code",
            "commissioner_name",
            "commissioner_email",
            "network_status",
            "framework_commitment",
            "framework_commitment_evidence",
            "resource_commitment",
            "resource_commitment_evidence",
            "leadership_alignment",
            "leadership_alignment_evidence",
            "planned_launch_school_year",
            "policy_environment_notes",
            "initiative",
        ]


class DistrictSerializer(ModelCleanSerializer):
    class Meta:
        model = District
        fields = [
            "id",
            "state",
            "name",
            "nces_lea_id",
            "central_office_contact_name",
            "central_office_contact_email",
            "central_office_contact_phone",
        ]


def schools_of_zones(zones) -> list:
    return [school for zone in zones for school in zone.schools.all()]


class ZoneSchoolSerializer(serializers.ModelSerializer):
    progress = SchoolProgressField(schools_of=schools_of_zones)

    class Meta:
        model = School
        fields = ["id", "name", "nces_id", "district", "enrollment", "turnaround_status", "progress"]


class ZoneLeadPartnerSerializer(serializers.ModelSerializer):
    class Meta:
        model = LeadPartner
        fields = ["id", "name", "kind"]


class ZoneSerializer(ModelCleanSerializer):
    """A zone with its schools (and their progress), its Lead Partner and its autonomies."""

    schools = ZoneSchoolSerializer(many=True, read_only=True)
    lead_partner_detail = ZoneLeadPartnerSerializer(source="lead_partner", read_only=True, allow_null=True)
    autonomies = serializers.ListField(child=serializers.ChoiceField(choices=Zone.AUTONOMY_AREAS), read_only=True)

    class Meta:
        model = Zone
        fields = [
            "id",
            "state",
            "districts",
            "name",
            "status",
            "launch_school_year",
            "lead_partner",
            "lead_partner_detail",
            "staffing_autonomy",
            "scheduling_autonomy",
            "curriculum_autonomy",
            "budget_autonomy",
            "autonomies",
            "autonomy_agreement_date",
            "autonomy_agreement_url",
            "schools",
        ]

    def validate_related(self, candidate, many):
        if "districts" in many:
            candidate.validate_districts(many["districts"])
