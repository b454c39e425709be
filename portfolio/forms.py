from django import forms

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
