"""API representation of schools."""

from web.rest import ChangeReasonSerializerMixin, ModelCleanSerializer

from .models import School


class SchoolSerializer(ChangeReasonSerializerMixin, ModelCleanSerializer):
    class Meta:
        model = School
        fields = [
            "id",
            "district",
            "zone",
            "name",
            "nces_id",
            "lowest_grade",
            "highest_grade",
            "enrollment",
            "improvement_tier",
            "turnaround_status",
            "ccd_status",
        ]
        read_only_fields = ["ccd_status"]  # the federal directory's word (imports.ccd)
