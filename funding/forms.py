from schools.models import School
from web.forms import ChangeReasonForm, DomainModelForm
from zones.models import Zone

from .models import Commitment, Expenditure, Funder


class CommitmentForm(ChangeReasonForm, DomainModelForm):
    """A commitment to a state or to one of its zones. Public or private follows from the funder;
    the funders offered are those that may fund the state (not another state's funds)."""

    fieldsets = (
        ("Commitment", ("funder", "amount", "description", "recipient_level", "zone")),
        ("Status", ("status", "change_reason", "pledged_on", "committed_on", "received_on", "expected_by")),
        ("Period the money covers", ("period_start", "period_end")),
    )

    class Meta:
        model = Commitment
        fields = [
            "funder",
            "recipient_level",
            "zone",
            "description",
            "amount",
            "status",
            "pledged_on",
            "committed_on",
            "received_on",
            "expected_by",
            "period_start",
            "period_end",
        ]

    def __init__(self, *args, user, state, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = Funder.objects.visible_to(user).able_to_fund(state)
        self.fields["zone"].queryset = Zone.objects.visible_to(user).filter(state=state)
        self.fields["recipient_level"].choices = [
            choice for choice in Commitment.RecipientLevel.choices if choice[0] != Commitment.RecipientLevel.INITIATIVE
        ]


class ExpenditureForm(DomainModelForm):
    class Meta:
        model = Expenditure
        fields = ["commitment", "category", "amount", "spent_on", "zone", "school", "description"]
        help_texts = {"school": "Leave empty for spending across the whole zone."}

    def __init__(self, *args, user, state, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commitment"].queryset = (
            Commitment.objects.visible_to(user)
            .filter(state=state)
            .select_related("funder", "zone", "state", "initiative")
        )
        self.fields["zone"].queryset = Zone.objects.visible_to(user).filter(state=state)
        self.fields["school"].queryset = School.objects.visible_to(user).filter(
            district__state=state, zone__isnull=False
        )


# --- planning (budgets, sustainability, match rules) ---
