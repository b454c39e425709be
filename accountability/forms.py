from django import forms
from django.db import models
from django.utils import timezone

from core.validators import validate_school_year
from web.forms import DomainModelForm, date_input
from zones.models import State, Zone

from .choices import Collection
from .cycle import default_due_on
from .models import Baseline, Measurement, Metric, ReportingPeriod, StatusUpdate, Target, held_autonomy_areas

AUTONOMY_NOTES = list(StatusUpdate.NOTE_AREAS)


class MetricValueForm(DomainModelForm):
    """A form about a school's metric; metrics (and schools, when chosen here) come from the reader's
    scope; for a given school, only the catalog and its state's own indicators (the model checks a
    chosen school against its metric)."""

    def __init__(self, *args, user, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "metric" in self.fields:
            metrics = Metric.objects.visible_to(user)
            if getattr(self.instance, "school_id", None):
                metrics = metrics.for_state(self.instance.school.district.state_id)
            self.fields["metric"].queryset = metrics
        if schools is not None:
            self.fields["school"].queryset = schools
            self.fields["school"].label_from_instance = lambda school: f"{school.name} · {school.zone}"


class StatusUpdateForm(MetricValueForm):
    class Meta:
        model = StatusUpdate
        fields = ["school", "reported_on", "rating", "narrative", *AUTONOMY_NOTES]
        widgets = {
            "rating": forms.RadioSelect,
            "narrative": forms.Textarea(attrs={"rows": 4}),
            **{notes: forms.Textarea(attrs={"rows": 2}) for notes in AUTONOMY_NOTES},
        }
        labels = {notes: f"{notes.split('_')[0].capitalize()} autonomy notes" for notes in AUTONOMY_NOTES}
        help_texts = {"narrative": "What changed since the last update, and what the school needs next."}

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, schools=schools, **kwargs)
        self.fields["reported_on"].initial = timezone.localdate
        self.fields["rating"].choices = StatusUpdate.Rating.choices
        if schools is not None:  # notes only on the autonomies the schools' zones hold
            held = held_autonomy_areas(schools)
            for notes, area in StatusUpdate.NOTE_AREAS.items():
                if area not in held:
                    del self.fields[notes]


class MeasurementForm(MetricValueForm):
    class Meta:
        model = Measurement
        fields = ["school", "metric", "school_year", "period", "value", "source"]
        help_texts = {"school_year": "Like 2010-11."}


class BaselineForm(MetricValueForm):
    parent_fields = ("school",)

    class Meta:
        model = Baseline
        fields = ["metric", "value", "school_year", "source"]
        help_texts = {"school_year": "A school year before the zone launched, like 2009-10."}


class TargetForm(MetricValueForm):
    parent_fields = ("school",)

    class Meta:
        model = Target
        fields = ["metric", "value", "target_school_year"]
        help_texts = {"target_school_year": "The zone's first or second school year."}


class IndicatorForm(DomainModelForm):
    """A state's own indicator (the view sets its state)."""

    parent_fields = ("state",)

    class Meta:
        model = Metric
        fields = [
            "code",
            "name",
            "kind",
            "unit",
            "direction",
            "min_value",
            "max_value",
            "lowest_grade",
            "highest_grade",
            "description",
        ]
        labels = {"min_value": "Smallest valid value", "max_value": "Largest valid value"}
        help_texts = {
            "code": "A short unique code used in imports and the API, like co-reading-fluency.",
            "max_value": "Empty: no upper limit (percentages stop at 100).",
            "description": "What is counted, and how.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class AccountabilitySettingsForm(DomainModelForm):
    """A state's accountability settings: thresholds of the projection, stale and reminder days."""

    class Meta:
        model = State
        fields = list(State.ACCOUNTABILITY_FIELDS)


# --- The accountability cycle: the period grid, the review, the collection calendar ---------------


class PeriodValuesForm(forms.Form):
    """A school's whole reporting period: one number per indicator it owes (``calendar.indicators_for``).

    Fields are named ``value_<metric pk>``, prefilled with the values recorded for the period; an
    empty field clears nothing and records nothing. Only the input's shape (a number) is checked
    here: the range, the grades and the lock are the model's and ``cycle.save_period_values``'s."""

    def __init__(self, *args, indicators, initial_values=None, read_only=False, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for metric in indicators:
            upper = "no limit" if metric.max_value is None else f"{metric.max_value.normalize():f}"
            self.fields[self.field_name(metric)] = forms.DecimalField(
                label=metric.name,
                required=False,
                max_digits=10,
                decimal_places=2,
                initial=(initial_values or {}).get(metric.pk),
                help_text=f"{metric.get_unit_display()}, {metric.min_value.normalize():f} to {upper}",
                disabled=read_only,
                widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            )

    @staticmethod
    def field_name(metric) -> str:
        return f"value_{metric.pk}"

    def groups(self):
        """[(legend, [(metric, bound field)])]: leading indicators first, then achievement."""
        kinds = [(Metric.Kind.LEADING, "Leading indicators"), (Metric.Kind.LAGGING, "Achievement")]
        return [
            (legend, rows)
            for kind, legend in kinds
            if (rows := [(metric, self[self.field_name(metric)]) for metric in self.indicators if metric.kind == kind])
        ]

    def values(self) -> dict[int, object]:
        """{metric pk: the number entered, or None}: what ``cycle.save_period_values`` takes."""
        return {metric.pk: self.cleaned_data.get(self.field_name(metric)) for metric in self.indicators}

    def add_service_errors(self, error) -> None:
        """A ValidationError of the use case on the fields it names (metric pks or field names), else the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        names = {str(metric.pk): self.field_name(metric) for metric in self.indicators}
        for key, errors in error.error_dict.items():
            name = names.get(str(key), key)
            self.add_error(name if name in self.fields else None, errors)


class ReviewForm(forms.Form):
    """The state lead's step on a submitted or approved period; the comment (a reason to reopen)
    is required to return or reopen, which ``accountability.cycle`` decides."""

    class Step(models.TextChoices):
        APPROVE = "approve", "Approve"
        RETURN = "return", "Return with a comment"
        REOPEN = "reopen", "Reopen"

    step = forms.ChoiceField(choices=Step.choices, widget=forms.HiddenInput)
    comment = forms.CharField(
        label="Comment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required to return the period (what to correct) or to reopen it (why).",
    )


class WorkspaceFilterForm(forms.Form):
    """The workspace's filters (a GET form) over the schools the user reports on: state, zone, name."""

    state = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any state")
    zone = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any zone")
    q = forms.CharField(label="School name", required=False, max_length=200)

    def __init__(self, *args, schools, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["state"].queryset = State.objects.filter(pk__in=schools.values("district__state")).order_by("name")
        self.fields["zone"].queryset = Zone.objects.filter(pk__in=schools.values("zone")).order_by("name")

    def apply(self, schools):
        """The schools that match the filters (all of them while the filters are invalid)."""
        if not self.is_valid():
            return schools
        state, zone, name = (self.cleaned_data[key] for key in ("state", "zone", "q"))
        if state is not None:
            schools = schools.filter(district__state=state)
        if zone is not None:
            schools = schools.filter(zone=zone)
        return schools.filter(name__icontains=name.strip()) if name.strip() else schools


class CalendarFilterForm(forms.Form):
    """The collection calendar's filters (a GET form): zone, Lead Partner, status, period."""

    zone = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any zone")
    lead_partner = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any Lead Partner")
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Collection.choices])
    period = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any period")

    def __init__(self, *args, zones, lead_partners, periods, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = zones
        self.fields["lead_partner"].queryset = lead_partners
        self.fields["lead_partner"].label = "Lead Partner"
        self.fields["period"].queryset = periods
        self.fields["period"].label_from_instance = lambda period: f"{period.school_year} {period.get_period_display()}"

    def apply(self, requirements):
        """The requirements that match the filters (all of them while the filters are invalid)."""
        if not self.is_valid():
            return requirements
        zone, partner = self.cleaned_data["zone"], self.cleaned_data["lead_partner"]
        status, period = self.cleaned_data["status"], self.cleaned_data["period"]
        return [
            row
            for row in requirements
            if (zone is None or row.school.zone_id == zone.pk)
            and (partner is None or row.school.zone.lead_partner_id == partner.pk)
            and (not status or row.status == status)
            and (period is None or row.reporting_period.pk == period.pk)
        ]


class SchoolYearCalendarForm(forms.Form):
    """A school year's four reporting periods for a state, each due date prefilled with its default
    (``cycle.default_due_on``) and editable; an emptied date gets the default."""

    school_year = forms.CharField(max_length=7, help_text="Like 2011-12.")

    def __init__(self, *args, school_year, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["school_year"].initial = school_year
        for period, label in Measurement.Period.choices:
            self.fields[f"due_{period}"] = forms.DateField(
                label=f"{label} due date",
                required=False,
                initial=default_due_on(school_year, period),
                widget=date_input(),
            )

    def clean_school_year(self):
        year = self.cleaned_data["school_year"].strip()
        validate_school_year(year)
        return year

    def due_dates(self) -> dict[int, object]:
        """{period: due date} for the periods given a date."""
        return {
            period: self.cleaned_data[f"due_{period}"]
            for period in Measurement.Period.values
            if self.cleaned_data.get(f"due_{period}")
        }


class DueDateForm(DomainModelForm):
    """A reporting period's due date, changed by the state lead."""

    class Meta:
        model = ReportingPeriod
        fields = ["due_on"]
