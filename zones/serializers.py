"""API representations of states, districts and zones (with their schools, Lead Partner, autonomy
and per-school progress)."""

from web.rest import ModelCleanSerializer

from .models import District, State


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
            "ccd_status",
        ]
        read_only_fields = ["ccd_status"]  # the federal directory's word (imports.ccd)
