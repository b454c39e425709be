from django import forms

from contracts.models import AnnualReview
from zones.models import State, Zone

from .models import ReportRun, validate_period


class ReportIndexFilterForm(forms.Form):
    """The reports index's search: part of a state's or a zone's name."""

    q = forms.CharField(
        label="State or zone", required=False, max_length=200, widget=forms.TextInput(attrs={"type": "search"})
    )

    def query(self) -> str:
        return self.cleaned_data["q"].strip() if self.is_valid() else ""


class ReportRequestForm(forms.Form):
    """Which report to make: the kind, its state or zone (within the user's scope), the month."""

    kind = forms.ChoiceField(choices=ReportRun.Kind.choices)
    state = forms.ModelChoiceField(queryset=State.objects.none(), required=False)
    zone = forms.ModelChoiceField(queryset=Zone.objects.none(), required=False)
    review = forms.ModelChoiceField(queryset=AnnualReview.objects.none(), required=False)
    period = forms.CharField(validators=[validate_period], required=False, help_text="YYYY-MM; default: this month")
    force = forms.BooleanField(required=False, help_text="Make a fresh run even if this month's exists.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].queryset = State.objects.visible_to(user)
        self.fields["zone"].queryset = Zone.objects.visible_to(user).select_related("state")
        self.fields["review"].queryset = AnnualReview.objects.visible_to(user).select_related("contract__zone__state")
