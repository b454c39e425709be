from django import forms

from web.forms import DomainModelForm

from .models import LeadPartner, NationalCollaborator


class LeadPartnerForm(DomainModelForm):
    fieldsets = (
        ("Organization", ("name", "kind", "district")),
        ("Services", ("provides_academic_services", "provides_student_support", "provides_coordination")),
        ("Contact", ("contact_name", "contact_email", "contact_phone", "website")),
    )

    class Meta:
        model = LeadPartner
        fields = [
            "name",
            "kind",
            "district",
            "provides_academic_services",
            "provides_student_support",
            "provides_coordination",
            "contact_name",
            "contact_email",
            "contact_phone",
            "website",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        district = self.fields["district"]
        district.queryset = district.queryset.select_related("state")  # its label names the state


class NationalCollaboratorForm(DomainModelForm):
    class Meta:
        model = NationalCollaborator
        fields = ["name", "description", "website", "contact_email"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
