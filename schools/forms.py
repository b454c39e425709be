from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html

from partners.models import LeadPartner
from web.forms import ChangeReasonForm, DomainModelForm
from zones.models import ZONE_MAX_SCHOOLS, ZONE_MIN_SCHOOLS, District, Zone

from .models import School


class SchoolForm(ChangeReasonForm, DomainModelForm):
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


class ZoneForm(ChangeReasonForm, DomainModelForm):
    """A zone with its districts and schools; the status is applied once its schools are in place."""

    status = forms.ChoiceField(
        choices=Zone.Status.choices,
        initial=Zone.Status.PLANNING,
        help_text=f"A launched or extended zone holds {ZONE_MIN_SCHOOLS} to {ZONE_MAX_SCHOOLS} schools.",
    )
    districts = forms.ModelMultipleChoiceField(
        queryset=District.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="One or two districts of the state.",
    )
    schools = forms.ModelMultipleChoiceField(
        queryset=School.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=f"{ZONE_MIN_SCHOOLS} to {ZONE_MAX_SCHOOLS} schools of the chosen districts, in no other zone.",
    )
    parent_fields = ("state",)
    fieldsets = (
        ("Zone", ("name", "status", "change_reason", "launch_school_year", "lead_partner", "renewal_on")),
        ("Districts and schools", ("districts", "schools")),
        (
            "Autonomy agreement",
            ("autonomy_agreement_date", "autonomy_agreement_url"),
        ),
    )

    class Meta:
        model = Zone
        fields = [
            "name",
            "lead_partner",
            "launch_school_year",
            "autonomy_agreement_date",
            "autonomy_agreement_url",
            "renewal_on",
        ]
        help_texts = {
            "launch_school_year": "Like 2010-11; required once the zone launches.",
            "autonomy_agreement_url": "The signed agreement; its terms are kept in the zone's autonomy ledger.",
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        zone = self.instance
        self.fields["districts"].queryset = (
            District.objects.visible_to(user).filter(state_id=zone.state_id).select_related("state")
        )
        self.fields["schools"].queryset = (
            School.objects.visible_to(user)
            .filter(district__state_id=zone.state_id)
            .filter(Q(zone__isnull=True) | Q(zone_id=zone.pk))
            .select_related("district")
            .order_by("district__name", "name")
        )
        if not self.fields["schools"].queryset.exists():
            self.fields["schools"].help_text = self._no_free_school_hint(user, zone)
        self.fields["districts"].label_from_instance = lambda district: district.name
        self.fields["schools"].label_from_instance = lambda school: f"{school.name} · {school.district.name}"
        self.fields["lead_partner"].queryset = LeadPartner.objects.visible_to(user)
        if zone.pk:
            self.initial.setdefault("status", zone.status)
            self.initial.setdefault("districts", list(zone.districts.all()))
            self.initial.setdefault("schools", list(zone.schools.all()))

    @staticmethod
    def _no_free_school_hint(user, zone):
        """Why the schools list is empty (every school of the state is in another zone) and where
        to add one, for those who may."""
        hint = "Every school of the state is already in a zone, so none can be chosen yet."
        if not user.has_perm("schools.add_school", School(district=District(state=zone.state))):
            return hint
        url = reverse("schools:school_create", kwargs={"state_pk": zone.state_id})
        return format_html('{} <a href="{}">Add a school</a> first, or move one out of its zone.', hint, url)

    def clean(self):
        cleaned = super().clean()
        districts, schools = cleaned.get("districts"), cleaned.get("schools")
        if districts is not None:
            if not 1 <= len(districts) <= 2:
                self.add_error("districts", "A zone is established in one or two districts.")
            elif schools:
                outside = [school.name for school in schools if school.district not in districts]
                if outside:
                    self.add_error("schools", f"Not in the chosen districts: {', '.join(outside)}.")
        if schools is not None:
            count = len(schools)
            if count > ZONE_MAX_SCHOOLS:
                self.add_error("schools", f"A zone holds at most {ZONE_MAX_SCHOOLS} schools; you chose {count}.")
            elif cleaned.get("status") in Zone.OPERATING_STATUSES and count < ZONE_MIN_SCHOOLS:
                self.add_error(
                    "schools",
                    f"A launched zone holds {ZONE_MIN_SCHOOLS} to {ZONE_MAX_SCHOOLS} schools; you chose {count}.",
                )
        return cleaned
