"""The zone as the API shows it: its schools with their progress, its Lead Partner and autonomies
(a composed read: zones, schools, partners and accountability)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accountability.serializers import SchoolProgressSchemaSerializer, school_progress_data
from accountability.services import progress_for_schools
from partners.models import LeadPartner
from schools.models import School
from web.rest import BatchedField, ModelCleanSerializer
from zones.models import Zone


class ZoneSchoolSerializer(serializers.ModelSerializer):
    """The shape of a zone's school in the schema; ZoneSchoolsField writes it."""

    progress = SchoolProgressSchemaSerializer()

    class Meta:
        model = School
        fields = ["id", "name", "nces_id", "district", "enrollment", "turnaround_status", "progress"]


@extend_schema_field(ZoneSchoolSerializer(many=True))
class ZoneSchoolsField(BatchedField):
    """A zone's schools (by name) with their progress, as plain dicts: the progress of every
    school of the page comes from one service call (three queries)."""

    def compute(self, zones):
        return progress_for_schools([school for zone in zones for school in zone.schools.all()])

    def represent(self, zone, progress):
        return [
            {
                "id": school.pk,
                "name": school.name,
                "nces_id": school.nces_id,
                "district": school.district_id,
                "enrollment": school.enrollment,
                "turnaround_status": school.turnaround_status,
                "progress": school_progress_data(progress.get(school.pk, [])),
            }
            for school in zone.schools.all()
        ]


class ZoneLeadPartnerSerializer(serializers.ModelSerializer):
    class Meta:
        model = LeadPartner
        fields = ["id", "name", "kind"]


class ZoneSerializer(ModelCleanSerializer):
    """A zone with its schools (and their progress), its Lead Partner and its autonomies."""

    schools = ZoneSchoolsField()
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
