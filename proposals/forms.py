"""The "Propose a change" forms (one per kind) and the decision form."""

from django import forms

from accountability.models import Measurement
from funding.models import Commitment
from schools.models import School
from web.forms import DomainForm, date_input, version_field

REASON_HELP = "Why the change is needed: the state lead reads it with the before and after."


class ProposalForm(DomainForm):
    """The proposed values (the kind's fields) and the reason; ``after()`` is what ``propose`` takes."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text=REASON_HELP)
    changed_fields: tuple[str, ...] = ()

    def __init__(self, *args, target, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target
        for name in self.changed_fields:
            model_field = target._meta.get_field(name)
            field = model_field.formfield()
            field.initial = getattr(target, name)
            if isinstance(field, forms.DateField):
                field.widget = date_input()
            self.fields[name] = field
        self.order_fields([*self.changed_fields, "reason"])

    def after(self) -> dict:
        return {
            name: self.target._meta.get_field(name).value_to_string(_Values(self.cleaned_data))
            if self.cleaned_data.get(name) is not None
            else None
            for name in self.changed_fields
        }


class _Values:
    """The cleaned values read like a model instance (for ``field.value_to_string``)."""

    def __init__(self, values):
        self.__dict__.update(values)


class SchoolStatusForm(ProposalForm):
    changed_fields = ("turnaround_status",)


class CommitmentStatusForm(ProposalForm):
    changed_fields = ("status", "committed_on", "received_on")


class CorrectionForm(ProposalForm):
    changed_fields = ("value", "source")


FORMS = {School: SchoolStatusForm, Commitment: CommitmentStatusForm, Measurement: CorrectionForm}


class DecisionForm(DomainForm):
    """Approve (with an optional note), reject (a note required) or withdraw."""

    step = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject"), ("withdraw", "Withdraw")])
    note = forms.CharField(
        required=False,
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required to reject: the proposer reads it.",
    )
    version = version_field()
