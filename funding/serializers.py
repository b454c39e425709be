"""API representations of funders, commitments, expenditures, awards and their amendments, and
funding totals."""

from decimal import Decimal

from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.reasons import REASON_MAX_LENGTH
from web.rest import BatchedField, ChangeReasonSerializerMixin, ModelCleanSerializer, SparseFieldsMixin
from web.sync import ChangeStampsMixin
from zones.models import State, Zone

from . import lifecycle
from .availability import award_outlooks
from .choices import MatchStatus, Outlook
from .match import state_matches
from .models import Award, AwardAmendment, Budget, Commitment, Expenditure, Funder, MatchRule, RecurringCost, Source
from .services import ZERO, FundingTotals, funding_totals_by, state_level_spent_by_zone
from .sustainability import CostOutlook


class FunderSerializer(ModelCleanSerializer):
    class Meta:
        model = Funder
        fields = ["id", "name", "kind", "website", "state"]


class CommitmentSerializer(ChangeReasonSerializerMixin, ModelCleanSerializer):
    source = serializers.ChoiceField(
        choices=Source.choices,
        required=False,
        help_text="Public or private: always the funder's. May be left out; one contradicting the funder is refused.",
    )

    def validate_status(self, status):
        """Withdrawing has its own action (a date and a reason, refused while money is spent)."""
        already = self.instance is not None and self.instance.is_withdrawn
        if status == Commitment.Status.WITHDRAWN and not already:
            raise serializers.ValidationError("Withdraw a commitment with its withdraw/ action (withdrawn_on, reason).")
        return status

    def validate(self, attrs):
        """The source is derived from the funder (by the model); a given one must agree with it."""
        source = attrs.pop("source", None)
        attrs = super().validate(attrs)
        problem = self.candidate.source_error(source) if source is not None else None
        if problem:
            raise serializers.ValidationError({"source": [problem]})
        return attrs

    class Meta:
        model = Commitment
        fields = [
            "id",
            "funder",
            "award",
            "initiative",
            "recipient_level",
            "state",
            "zone",
            "description",
            "amount",
            "source",
            "period_start",
            "period_end",
            "status",
            "pledged_on",
            "committed_on",
            "received_on",
            "expected_by",
            "withdrawn_on",
        ]
        read_only_fields = ["withdrawn_on"]


class ExpenditureSerializer(ModelCleanSerializer):
    state = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Expenditure
        fields = [
            "id",
            "commitment",
            "state",
            "zone",
            "school",
            "category",
            "amount",
            "spent_on",
            "description",
            "voided_on",
            "void_reason",
        ]


def money(**kwargs):
    return serializers.DecimalField(max_digits=16, decimal_places=2, **kwargs)


class StageTotalsSerializer(serializers.Serializer):
    pledged = money()
    committed = money()
    received = money()


class FundingTotalsSerializer(serializers.Serializer):
    """Pledged / committed / received (each counts every stage a commitment reached) and spent.
    The match is its own object (``MatchSerializer``): it follows the place's match rule."""

    pledged = money()
    committed = money()
    received = money()
    spent = money()
    public = StageTotalsSerializer()
    private = StageTotalsSerializer()
    spent_by_category = serializers.DictField(child=money())
    teacher_compensation = money()

    def to_representation(self, totals):
        return super().to_representation({**totals.as_dict(), "teacher_compensation": totals.teacher_compensation})


@extend_schema_field(FundingTotalsSerializer)
class FundingTotalsField(BatchedField):
    """Totals of each state or zone being serialized from one service call (two queries) over
    the commitments and expenditures the user may see."""

    def __init__(self, key: str, **kwargs):
        self.key = key  # "state" or "zone"
        super().__init__(**kwargs)

    def compute(self, places):
        user = self.context["request"].user
        lookup = {f"{self.key}__in": places}
        return funding_totals_by(
            self.key,
            Commitment.objects.visible_to(user).filter(**lookup),
            Expenditure.objects.visible_to(user).filter(**lookup),
        )

    def represent(self, place, totals_by_place):
        return self.totals_serializer.to_representation(totals_by_place.get(place.pk, FundingTotals()))

    @cached_property
    def totals_serializer(self):
        """One serializer writes every row's totals (building one per row cost most of a page)."""
        return FundingTotalsSerializer()


def ratio_field(**kwargs):
    return serializers.DecimalField(max_digits=12, decimal_places=3, allow_null=True, **kwargs)


class MatchSerializer(serializers.Serializer):
    """A place's match against its rule (``funding.match.MatchStanding.as_dict``)."""

    status = serializers.CharField(help_text="; ".join(f"{value}: {label}" for value, label in MatchStatus.choices))
    ratio = ratio_field(help_text="Private dollars counted per public dollar at the counted stage (null: no public).")
    target_ratio = ratio_field(help_text="The ratio the rule aims for (the state's own rule, else the initiative's).")
    counted_stage = serializers.ChoiceField(choices=MatchRule.Stage.choices)
    counted_levels = serializers.ListField(
        child=serializers.CharField(), help_text="Levels whose private money counts: initiative, state, zone."
    )
    own_rule = serializers.BooleanField(help_text="Whether the state's own rule applies (not the initiative's).")
    public = money(help_text="Public money at the counted stage.")
    private = money(help_text="Private money at the counted stage and levels: the match.")
    gap = money(help_text="Private money at the counted stage that would reach the target; 0 when met.")


@extend_schema_field(MatchSerializer)
class MatchField(BatchedField):
    """The match of each state (or zone: its zone-level money) being serialized, from one read of
    the match (``funding.match.state_matches``) over the commitments the user may see."""

    def compute(self, places):
        zones = [place for place in places if isinstance(place, Zone)]
        state_ids = {zone.state_id for zone in zones} or {place.pk for place in places}
        states = State.objects.filter(pk__in=state_ids).select_related("initiative")
        commitments = Commitment.objects.visible_to(self.context["request"].user)
        matches = state_matches(states, commitments, zone_ids=[(zone.pk, zone.state_id) for zone in zones])
        if zones:
            return {zone.pk: matches[zone.state_id].zones[zone.pk] for zone in zones if zone.state_id in matches}
        return {state_id: match.standing for state_id, match in matches.items()}

    def represent(self, place, standings):
        standing = standings.get(place.pk)
        return self.match_serializer.to_representation(standing.as_dict()) if standing else None

    @cached_property
    def match_serializer(self):
        return MatchSerializer()


class StateFundingSerializer(SparseFieldsMixin, serializers.ModelSerializer):
    funding = FundingTotalsField(key="state")
    match = MatchField(help_text="The state's match (state- and zone-level money) against its rule.")

    class Meta:
        model = State
        fields = ["id", "name", "postal_code", "funding", "match"]


@extend_schema_field(money(help_text="Spent in the zone from state- or initiative-level commitments (not in funding)."))
class StateLevelSpentField(BatchedField):
    def compute(self, zones):
        expenditures = Expenditure.objects.visible_to(self.context["request"].user).filter(zone__in=zones)
        return state_level_spent_by_zone(expenditures)

    def represent(self, zone, spent_by_zone):
        return f"{spent_by_zone.get(zone.pk, ZERO):.2f}"


class ZoneFundingSerializer(SparseFieldsMixin, serializers.ModelSerializer):
    funding = FundingTotalsField(key="zone", help_text="Zone-level commitments and the spending from them.")
    state_level_spent = StateLevelSpentField()
    match = MatchField(help_text="The zone's match (its zone-level money) against its state's rule.")

    class Meta:
        model = Zone
        fields = ["id", "name", "state", "funding", "state_level_spent", "match"]


class AwardOutlookSerializer(serializers.Serializer):
    """How the award's spending stands against its period of availability (funding.availability)."""

    committed = money()
    spent = money()
    burn_rate_per_day = money(allow_null=True, help_text="Dollars spent per day so far (null before the period).")
    projected_spent = money(help_text="Spent by the obligation deadline at the burn rate so far.")
    outlook = serializers.ChoiceField(choices=Outlook.choices)
    at_risk = money(help_text="Projected to be unspent at the obligation deadline.")
    lapsed = money(help_text="Unspent after the obligation deadline.")
    lapse_date = serializers.DateField()


class StateAwardOutlookSerializer(AwardOutlookSerializer):
    """An award named with its amount and period, and its outlook: as a state's money lists it."""

    award = serializers.IntegerField()
    name = serializers.CharField()
    amount = money()
    period_start = serializers.DateField()
    obligation_deadline = serializers.DateField()
    liquidation_deadline = serializers.DateField()


@extend_schema_field(AwardOutlookSerializer)
class AwardOutlookField(BatchedField):
    """The outlook of every award being serialized, from one read (funding.availability)."""

    def compute(self, awards):
        user = self.context["request"].user
        outlooks = award_outlooks(
            Award.objects.filter(pk__in=[award.pk for award in awards]), Expenditure.objects.visible_to(user)
        )
        return {outlook.award.pk: outlook for outlook in outlooks}

    def represent(self, award, outlooks):
        return self.outlook_serializer.to_representation(outlooks[award.pk].as_dict())

    @cached_property
    def outlook_serializer(self):
        return AwardOutlookSerializer()


AMEND_INSTEAD = "An award's amount and deadlines change by amendment: POST them to its amend/ action with the reason."


class AwardSerializer(ModelCleanSerializer):
    """A public award to a state. Its deadlines may be left out for a federal formula funder (the
    law's: funding.lifecycle.save_award); once saved, its amount and deadlines change by amendment."""

    outlook = AwardOutlookField()

    class Meta:
        model = Award
        fields = [
            "id",
            "state",
            "funder",
            "name",
            "reference",
            "amount",
            "awarded_on",
            "period_start",
            "obligation_deadline",
            "liquidation_deadline",
            "outlook",
        ]
        extra_kwargs = {"obligation_deadline": {"required": False}, "liquidation_deadline": {"required": False}}

    def validate(self, attrs):
        if self.instance is None:
            attrs.update(lifecycle.default_deadlines(attrs))
        else:
            changed = [
                name
                for name in lifecycle.AMENDED_FIELDS
                if name in attrs and attrs[name] != getattr(self.instance, name)
            ]
            if changed:
                raise serializers.ValidationError(dict.fromkeys(changed, AMEND_INSTEAD))
        return super().validate(attrs)


class AmendAwardSerializer(serializers.Serializer):
    """What an amendment changes (a value left out stays as it is), from when, and why."""

    amount = money(required=False, min_value=Decimal("0.01"))
    obligation_deadline = serializers.DateField(required=False)
    liquidation_deadline = serializers.DateField(required=False)
    effective_on = serializers.DateField()
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class AwardAmendmentSerializer(ChangeStampsMixin, serializers.ModelSerializer):
    recorded_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = AwardAmendment
        fields = [
            "id",
            "award",
            "state",
            "effective_on",
            "previous_amount",
            "amount",
            "previous_obligation_deadline",
            "obligation_deadline",
            "previous_liquidation_deadline",
            "liquidation_deadline",
            "reason",
            "recorded_by",
            "recorded_at",
        ]


class WithdrawSerializer(serializers.Serializer):
    withdrawn_on = serializers.DateField(help_text="When the funder withdrew the commitment.")
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class VoidSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, help_text="Why it was recorded by mistake.")


# --- Budgets, sustainability and match rules ---


class BudgetSerializer(ModelCleanSerializer):
    """A zone's budget line; the zone's budgets stay within the money committed to it (400 otherwise)."""

    state = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Budget
        fields = ["id", "zone", "state", "fiscal_year", "category", "amount", "notes"]


class CostOutlookSerializer(serializers.Serializer):
    """What the cost leaves unpaid once its grant ends (``funding.sustainability.CostOutlook``)."""

    grant_ends = serializers.DateField(help_text="The end of the paying grant's period.")
    first_year_after = serializers.IntegerField(help_text="The first fiscal year the grant no longer pays for.")
    gap = money(help_text="Each year after the grant: the annual cost less what the funder after it pays.")
    gap_per_pupil = money(allow_null=True, help_text="The gap over the school's enrollment.")


class RecurringCostSerializer(ModelCleanSerializer):
    state = serializers.PrimaryKeyRelatedField(read_only=True)
    outlook = serializers.SerializerMethodField()

    @extend_schema_field(CostOutlookSerializer)
    def get_outlook(self, cost):
        return CostOutlookSerializer(CostOutlook(cost)).data

    class Meta:
        model = RecurringCost
        fields = [
            "id",
            "school",
            "state",
            "category",
            "annual_cost",
            "added_minutes_per_day",
            "paid_by",
            "funder_after_grant",
            "amount_after_grant",
            "plan",
            "outlook",
        ]


class MatchRuleSerializer(ModelCleanSerializer):
    """The initiative's match rule (no state) or a state's own."""

    class Meta:
        model = MatchRule
        fields = [
            "id",
            "initiative",
            "state",
            "target_ratio",
            "counted_stage",
            "counts_initiative_level",
            "counts_state_level",
            "counts_zone_level",
        ]
