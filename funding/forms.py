from decimal import Decimal

from django import forms

from core.fields import MONEY
from core.reasons import REASON_MAX_LENGTH
from schools.models import School
from web.forms import ChangeReasonForm, DomainForm, DomainModelForm, version_field
from zones.models import Zone

from .lifecycle import AMENDED_FIELDS
from .models import Award, Budget, Commitment, Expenditure, Funder, MatchRule, RecurringCost


class FunderForm(DomainModelForm):
    """A funder of the directory (initiative admins)."""

    class Meta:
        model = Funder
        fields = ["name", "kind", "state", "website"]


class CommitmentForm(ChangeReasonForm, DomainModelForm):
    """A commitment to a state or to one of its zones. Public or private follows from the funder;
    the funders offered are those that may fund the state (not another state's funds)."""

    fieldsets = (
        ("Commitment", ("funder", "award", "amount", "description", "recipient_level", "zone")),
        ("Status", ("status", "change_reason", "pledged_on", "committed_on", "received_on", "expected_by")),
        ("Period the money covers", ("period_start", "period_end")),
    )

    class Meta:
        model = Commitment
        fields = [
            "funder",
            "award",
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
        self.fields["award"].queryset = Award.objects.visible_to(user).filter(state=state).select_related("funder")
        self.fields["recipient_level"].choices = [
            choice for choice in Commitment.RecipientLevel.choices if choice[0] != Commitment.RecipientLevel.INITIATIVE
        ]
        if not self.instance.is_withdrawn:  # withdrawing has its own page (funding.lifecycle)
            self.fields["status"].choices = [
                choice for choice in self.fields["status"].choices if choice[0] != Commitment.Status.WITHDRAWN
            ]


class ExpenditureForm(DomainModelForm):
    class Meta:
        model = Expenditure
        fields = ["commitment", "category", "amount", "spent_on", "zone", "school", "description"]
        help_texts = {"school": "Leave empty for spending across the whole zone."}

    def __init__(self, *args, user, state, **kwargs):
        super().__init__(*args, **kwargs)
        # Money is spent once received, and never from a withdrawn commitment.
        self.fields["commitment"].queryset = (
            Commitment.objects.visible_to(user)
            .filter(state=state, status=Commitment.Status.RECEIVED)
            .select_related("funder", "zone", "state", "initiative")
        )
        self.fields["zone"].queryset = Zone.objects.visible_to(user).filter(state=state)
        self.fields["school"].queryset = School.objects.visible_to(user).filter(
            district__state=state, zone__isnull=False
        )


def reason_field(help_text: str) -> forms.CharField:
    return forms.CharField(
        label="Reason", max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}), help_text=help_text
    )


class LifecycleForm(DomainForm):
    """A step of funding.lifecycle on one record, from the version the user saw (a stale one is refused)."""

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = version_field(record.version)


class WithdrawForm(LifecycleForm):
    withdrawn_on = forms.DateField(label="Withdrawn on", help_text="When the funder withdrew the commitment.")
    reason = reason_field("Kept in the commitment's history. A withdrawn commitment is kept, never counted.")


class VoidForm(LifecycleForm):
    reason = reason_field("Why the expenditure was recorded by mistake. It is kept, never counted, never changed.")


class AwardForm(DomainModelForm):
    """An award's name, reference, funder and dates; its amount and deadlines change by amendment."""

    class Meta:
        model = Award
        fields = ["name", "reference", "funder", "awarded_on", "period_start"]

    def __init__(self, *args, user, state, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = (
            Funder.objects.visible_to(user).able_to_fund(state).exclude(kind=Funder.Kind.PRIVATE_FOUNDATION)
        )


class NewAwardForm(AwardForm):
    """A new award: also its amount, and its deadlines (the law's for a federal formula grant when
    left blank: funding.lifecycle.save_award)."""

    class Meta(AwardForm.Meta):
        fields = [*AwardForm.Meta.fields, "amount", "obligation_deadline", "liquidation_deadline"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("obligation_deadline", "liquidation_deadline"):
            self.fields[name].required = False
            self.fields[name].help_text += " Leave blank for a federal formula award: the law sets it."


class AmendAwardForm(LifecycleForm):
    """The award's amount and deadlines as they become; what is left as it was does not change."""

    amount = forms.DecimalField(**MONEY, min_value=Decimal("0.01"))
    obligation_deadline = forms.DateField(help_text=Award._meta.get_field("obligation_deadline").help_text)
    liquidation_deadline = forms.DateField(help_text=Award._meta.get_field("liquidation_deadline").help_text)
    effective_on = forms.DateField(label="Effective on")
    reason = reason_field("Kept on the award's timeline with what changed, before and after.")

    def __init__(self, *args, record, **kwargs):
        kwargs.setdefault("initial", {name: getattr(record, name) for name in AMENDED_FIELDS})
        super().__init__(*args, record=record, **kwargs)


# --- Budgets, sustainability and match rules ---


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
