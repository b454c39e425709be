from django import forms
from django.db.models import Q
from django.utils import timezone

from accountability.models import RenewalDecision
from web.forms import DomainModelForm
from zones.models import State

from .audit import AuditFilter


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


class SchoolListFilterForm(forms.Form):
    """The cross-portfolio school list's search and filters (``portfolio.school_list``)."""

    q = forms.CharField(
        label="School, NCES id or district",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    state = forms.ModelChoiceField(
        label="State", required=False, queryset=State.objects.none(), empty_label="Any state"
    )
    off_track = forms.BooleanField(label="Off track", required=False)
    late = forms.BooleanField(label="Late submissions", required=False)
    stale = forms.BooleanField(label="Stale updates", required=False)
    renewal_due = forms.BooleanField(label="Renewal due", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].queryset = State.objects.order_by("name")  # the states the reader sees

    def filter_schools(self, schools):
        """The schools matching the search and the state (in the database, before the rows are read);
        all of them when the filters are invalid (the form shows why)."""
        if not self.is_valid():
            return schools
        query, state = self.cleaned_data["q"].strip(), self.cleaned_data["state"]
        if query:
            schools = schools.filter(
                Q(name__icontains=query) | Q(nces_id__icontains=query) | Q(district__name__icontains=query)
            )
        return schools.filter(district__state=state) if state else schools

    def flags_asked(self) -> bool:
        """Whether a flag filter (off track, late, stale, renewal due) is asked for: those are read
        from every school's computed row, not in the database."""
        flags = ("off_track", "late", "stale", "renewal_due")
        return self.is_valid() and any(self.cleaned_data[flag] for flag in flags)

    def apply(self, rows):
        """The rows (``school_list.SchoolRow``) that match every flag asked for."""
        if not self.is_valid():
            return rows
        wanted = self.cleaned_data
        return [
            row
            for row in rows
            if (not wanted["off_track"] or row.standing.needs_attention)
            and (not wanted["late"] or row.late)
            and (not wanted["stale"] or row.standing.stale)
            and (not wanted["renewal_due"] or row.renewal_due)
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


class AuditFilterForm(forms.Form):
    """The audit trail's filters: kind of object, its name, one object, the person who changed it,
    a date range (inclusive) and words of the reason."""

    kind = forms.ChoiceField(label="Kind of object", required=False)
    name = forms.CharField(
        label="Object name", required=False, max_length=200, widget=forms.TextInput(attrs={"type": "search"})
    )
    object = forms.RegexField(regex=r"^[a-z_]+\.[a-z]+:\d{1,18}$", required=False, widget=forms.HiddenInput)
    person = forms.CharField(label="Changed by", required=False, max_length=200, help_text="Part of a name or email.")
    since = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(
        label="Reason contains", required=False, max_length=200, widget=forms.TextInput(attrs={"type": "search"})
    )
    before = forms.DateTimeField(required=False, widget=forms.HiddenInput)  # where the page starts

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Any kind"), *kinds]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The end of the date range is before its start.")
        return data

    def audit_filter(self):
        data = self.cleaned_data if self.is_valid() else {}
        texts = {name: (data.get(name) or "").strip() for name in ("kind", "name", "object", "person", "text")}
        return AuditFilter(**texts, since=data.get("since"), until=data.get("until"))
