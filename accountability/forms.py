from django import forms
from django.utils import timezone

from web.forms import DomainModelForm
from zones.models import State

from .models import Baseline, Measurement, Metric, StatusUpdate, Target

AUTONOMY_NOTES = [f"{area}_notes" for area in ("staffing", "scheduling", "curriculum", "budget")]


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reported_on"].initial = timezone.localdate
        self.fields["rating"].choices = StatusUpdate.Rating.choices


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
