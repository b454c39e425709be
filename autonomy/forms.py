"""The ledger's forms: a term (recorded by the state, requested by a Lead Partner), a change of its
status with the reason and its cause, a check-in. Their rules are the model's and the ledger's."""

from django import forms
from django.utils import timezone

from accountability.models import RenewalDecision
from contracts.choices import ReviewStatus
from contracts.models import AnnualReview
from web.forms import DomainForm, DomainModelForm, version_field

from .choices import TermStatus
from .models import AutonomyCheckIn, AutonomyTerm

TERM_FIELDS = [
    "area",
    "power",
    "description",
    "status",
    "source",
    "source_reference",
    "effective_from",
    "effective_until",
    "evidence_url",
    "evidence",
]


class TermForm(DomainModelForm):
    """A term of the zone's autonomy. Its status is set when the term is recorded (a Lead Partner's
    staff only request: no status field) and changed afterwards only through the status change."""

    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why the term is recorded: the first entry of its history.",
    )
    parent_fields = ("zone",)

    class Meta:
        model = AutonomyTerm
        fields = TERM_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "evidence": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "power": "It belongs to its area: People (staffing, hiring, placement), Time (schedule, "
            "extended learning time), Money (budget), Program (curriculum, instruction)."
        }

    def __init__(self, *args, may_set_status: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            del self.fields["status"], self.fields["reason"]
        elif not may_set_status:
            del self.fields["status"]
            self.fields["reason"].help_text = "Why the zone asks for this power."


class StatusChangeForm(DomainForm):
    """A change of the term's status: to what, why, from when, and what caused it (optional)."""

    to_status = forms.ChoiceField(label="New status", choices=TermStatus.choices)
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))
    effective_on = forms.DateField(label="Effective on")
    cause = forms.ChoiceField(
        label="Caused by",
        required=False,
        help_text="Earned autonomy: the annual review or renewal decision behind the change, "
        "or the check-in that prompted it.",
    )
    version = version_field()

    def __init__(self, *args, term: AutonomyTerm, **kwargs):
        super().__init__(*args, **kwargs)
        self.term = term
        self.fields["to_status"].choices = [
            (value, label) for value, label in TermStatus.choices if value != term.status
        ]
        self.fields["effective_on"].initial = timezone.localdate()
        self.fields["version"].initial = term.version
        self.causes = self._causes(term)
        groups = {}
        for key, (kind, obj) in self.causes.items():
            groups.setdefault(kind, []).append((key, str(obj)))
        self.fields["cause"].choices = [("", "No recorded cause"), *groups.items()]

    @staticmethod
    def _causes(term) -> dict:
        """{choice key: (group label, object)}: the zone's check-ins, issued reviews and renewal decisions."""
        zone = term.zone_id
        found = {}
        check_ins = AutonomyCheckIn.objects.filter(term__zone=zone).select_related("term__zone")
        for check_in in check_ins:
            found[f"check_in:{check_in.pk}"] = ("Check-ins", check_in)
        reviews = AnnualReview.objects.filter(contract__zone=zone, status=ReviewStatus.ISSUED).select_related(
            "contract__lead_partner", "contract__zone"
        )
        for review in reviews:
            found[f"annual_review:{review.pk}"] = ("Annual reviews", review)
        for decision in RenewalDecision.objects.filter(zone=zone).select_related("zone"):
            found[f"renewal_decision:{decision.pk}"] = ("Renewal decisions", decision)
        return found

    def cited(self) -> dict:
        """The cause as the ledger's keyword: {"check_in": ...}, {"annual_review": ...} or {}."""
        key = self.cleaned_data.get("cause")
        if not key:
            return {}
        return {key.split(":")[0]: self.causes[key][1]}


class CheckInForm(DomainModelForm):
    parent_fields = ("term",)

    class Meta:
        model = AutonomyCheckIn
        fields = ["practice", "note", "observed_on"]
        labels = {"practice": "Practice", "note": "Note", "observed_on": "Observed on"}
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"note": 'What happened, e.g. "granted hiring authority, but the district placed 4 teachers".'}
