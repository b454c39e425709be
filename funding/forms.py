from django import forms

from schools.models import School
from web.forms import ChangeReasonForm, DomainModelForm
from zones.models import Zone

from .models import Budget, Commitment, Expenditure, Funder, MatchRule, RecurringCost


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


class BudgetForm(DomainModelForm):
    """A zone's budget line for one fiscal year and category; the zone's budgets stay within the
    money committed to it (the model's guard, shown as this form's error)."""

    parent_fields = ("zone",)

    class Meta:
        model = Budget
        fields = ["fiscal_year", "category", "amount", "notes"]
        labels = {"fiscal_year": "Fiscal year"}


class RecurringCostForm(DomainModelForm):
    """What a school's extended learning time or incentive pay costs each year, the grant paying
    for it now (a live commitment of the school's state) and who pays after it ends."""

    parent_fields = ("school",)

    class Meta:
        model = RecurringCost
        fields = [
            "category",
            "annual_cost",
            "added_minutes_per_day",
            "paid_by",
            "funder_after_grant",
            "amount_after_grant",
            "plan",
        ]
        labels = {"paid_by": "Grant paying for it now"}
        widgets = {"plan": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        state = self.instance.school.district.state
        self.fields["paid_by"].queryset = (
            Commitment.objects.visible_to(user)
            .filter(state=state)
            .exclude(status=Commitment.Status.WITHDRAWN)
            .select_related("funder", "zone", "state", "initiative")
        )
        self.fields["funder_after_grant"].queryset = Funder.objects.visible_to(user).able_to_fund(state)


class MatchRuleForm(DomainModelForm):
    """The initiative's match rule or a state's own: the ratio aimed for, the stage money counts
    from and the levels whose private money counts."""

    parent_fields = ("initiative", "state")

    class Meta:
        model = MatchRule
        fields = ["target_ratio", "counted_stage", "counts_initiative_level", "counts_state_level", "counts_zone_level"]
        labels = {
            "target_ratio": "Target ratio (private per public dollar)",
            "counts_initiative_level": "Private money given to the whole initiative counts",
            "counts_state_level": "Private money given to the state counts",
            "counts_zone_level": "Private money given to a zone counts",
        }
