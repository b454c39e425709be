from django import forms
from django.utils import timezone

from accountability.models import RenewalDecision
from web.forms import DomainModelForm
from zones.models import State


class PortfolioFilterForm(forms.Form):
    q = forms.CharField(label="State", required=False, widget=forms.TextInput(attrs={"type": "search"}))
    network_status = forms.ChoiceField(
        label="Network status", required=False, choices=[("", "Any status"), *State.NetworkStatus.choices]
    )
    off_track = forms.BooleanField(label="Only states with off-track schools", required=False)

    def apply(self, rows):
        """The portfolio rows that match the filters."""
        query, status = self.cleaned_data["q"].strip().lower(), self.cleaned_data["network_status"]
        return [
            row
            for row in rows
            if (not query or query in row.state.name.lower() or query == row.state.postal_code.lower())
            and (not status or row.state.network_status == status)
            and (not self.cleaned_data["off_track"] or row.needs_attention)
        ]


class RenewalDecisionForm(DomainModelForm):
    """The state lead's renewal decision on a zone (recorded by ``accountability.renewal.record_decision``)."""

    class Meta:
        model = RenewalDecision
        fields = ["decision", "reasons", "decided_on"]
        widgets = {"decision": forms.RadioSelect, "reasons": forms.Textarea(attrs={"rows": 5})}
        labels = {"decided_on": "Decided on"}
        help_texts = {"reasons": "What the decision rests on: the dossier's results, the exit criteria, the context."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("decided_on", timezone.localdate())
