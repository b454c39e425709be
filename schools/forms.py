from web.forms import DomainModelForm
from zones.models import District, Zone

from .models import School


class SchoolForm(DomainModelForm):
    class Meta:
        model = School
        fields = [
            "name",
            "nces_id",
            "district",
            "zone",
            "lowest_grade",
            "highest_grade",
            "enrollment",
            "improvement_tier",
            "turnaround_status",
        ]

    def __init__(self, *args, user, state, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.visible_to(user).filter(state=state).select_related("state")
        self.fields["zone"].queryset = Zone.objects.visible_to(user).filter(state=state)
