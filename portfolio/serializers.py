"""The zone as the API shows it: its schools with their progress, its Lead Partner and its autonomy
terms (a composed read: zones, schools, partners, accountability and the autonomy ledger)."""

from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accountability.renewal import latest_decisions
from accountability.serializers import (
    RenewalDecisionSerializer,
    SchoolProgressSchemaSerializer,
    school_progress_data,
    standings_by_school,
)
from autonomy.serializers import ZoneTermSerializer
from autonomy.services import ledger_summary
from funding.money import portfolio_money
from funding.serializers import FundingTotalsSerializer, MatchSerializer, StateAwardOutlookSerializer, ratio_field
from funding.serializers import money as amount_field
from partners.models import LeadPartner
from reports.rollups import state_rollups
from schools.models import School
from web.rest import BatchedField, ChangeReasonSerializerMixin, ModelCleanSerializer
from zones.models import Initiative, State, Zone


class ZoneSchoolSerializer(serializers.ModelSerializer):
    """The shape of a zone's school in the schema; ZoneSchoolsField writes it."""

    progress = SchoolProgressSchemaSerializer()

    class Meta:
        model = School
        fields = ["id", "name", "nces_id", "district", "enrollment", "turnaround_status", "progress"]


@extend_schema_field(ZoneSchoolSerializer(many=True))
class ZoneSchoolsField(BatchedField):
    """A zone's schools (by name) with their standing, as plain dicts: the standing of every
    school of the page comes from one service call."""

    def compute(self, zones):
        return standings_by_school([school for zone in zones for school in zone.schools.all()], self.context["request"])

    def represent(self, zone, progress):
        return [
            {
                "id": school.pk,
                "name": school.name,
                "nces_id": school.nces_id,
                "district": school.district_id,
                "enrollment": school.enrollment,
                "turnaround_status": school.turnaround_status,
                "progress": school_progress_data(progress[school.pk]),
            }
            for school in zone.schools.all()
        ]


@extend_schema_field(RenewalDecisionSerializer(allow_null=True))
class LatestDecisionField(BatchedField):
    """The zone's latest renewal decision (null before any), read for the page of zones in one query."""

    def compute(self, zones):
        return latest_decisions([zone.pk for zone in zones])

    def represent(self, zone, decisions):
        decision = decisions.get(zone.pk)
        return None if decision is None else RenewalDecisionSerializer(decision, context=self.context).data


@extend_schema_field(ZoneTermSerializer(many=True))
class AutonomyTermsField(BatchedField):
    """The zone's autonomy terms (read-only; changed through /autonomy-terms/), contested first,
    read for the page of zones from the ledger in one query."""

    def compute(self, zones):
        return ledger_summary([zone.pk for zone in zones], history=False)

    def represent(self, zone, summary):
        return ZoneTermSerializer([row.term for row in summary.for_zone(zone.pk)], many=True).data


class ZoneLeadPartnerSerializer(serializers.ModelSerializer):
    class Meta:
        model = LeadPartner
        fields = ["id", "name", "kind"]


class ZoneSerializer(ChangeReasonSerializerMixin, ModelCleanSerializer):
    """A zone with its schools (and their progress), its Lead Partner and its autonomy terms."""

    schools = ZoneSchoolsField()
    lead_partner_detail = ZoneLeadPartnerSerializer(source="lead_partner", read_only=True, allow_null=True)
    autonomy_terms = AutonomyTermsField()
    latest_decision = LatestDecisionField()

    class Meta:
        model = Zone
        fields = [
            "id",
            "state",
            "districts",
            "name",
            "status",
            "launch_school_year",
            "lead_partner",
            "lead_partner_detail",
            "autonomy_terms",
            "autonomy_agreement_date",
            "autonomy_agreement_url",
            "renewal_on",
            "latest_decision",
            "schools",
        ]

    def validate_related(self, candidate, many):
        if "districts" in many:
            candidate.validate_districts(many["districts"])


class StandingCountsSerializer(serializers.Serializer):
    """Schools in the state's zones by standing (the worse of latest rating and projection)."""

    off_track = serializers.IntegerField()
    at_risk = serializers.IntegerField()
    on_track = serializers.IntegerField()
    no_data = serializers.IntegerField()


class RollupSerializer(serializers.Serializer):
    """A state's rollup as every surface shows it (``reports.rollups.StateRollup``)."""

    zones = serializers.IntegerField()
    schools = serializers.IntegerField(help_text="Schools in the state's zones.")
    standing_counts = StandingCountsSerializer()
    funding = FundingTotalsSerializer(help_text="Commitments made to the state and its zones, spent from them.")
    match = MatchSerializer(help_text="The state's match (state- and zone-level money) against its rule.")
    at_risk = amount_field(help_text="Its awards' money projected to lapse (or lapsed) at the burn rate so far.")
    awards_at_risk = serializers.IntegerField(help_text="The state's awards at risk of lapsing, or lapsed.")
    launch_year = serializers.CharField()
    last_update = serializers.DateField(allow_null=True)
    late = serializers.IntegerField(help_text="Requirements of the collection calendar past due and not submitted.")
    stale = serializers.IntegerField(help_text="Schools with no status update for longer than the state allows.")


@extend_schema_field(RollupSerializer)
class RollupField(BatchedField):
    """The rollup of each state being serialized, from one service call over the page's states."""

    def compute(self, states):
        return {rollup.state.pk: rollup for rollup in state_rollups(self.context["request"].user, states=states)}

    def represent(self, state, rollups):
        rollup = rollups[state.pk]
        return {
            "zones": len(rollup.zones),
            "schools": rollup.school_count,
            "standing_counts": dict(rollup.counts.__dict__),
            "funding": self.funding_serializer.to_representation(rollup.funding),
            "match": self.match_serializer.to_representation(rollup.match.as_dict()),
            "at_risk": f"{rollup.money.at_risk:.2f}",
            "awards_at_risk": len(rollup.money.awards_at_risk),
            "launch_year": rollup.launch_year,
            "last_update": rollup.last_update.isoformat() if rollup.last_update else None,
            "late": rollup.late,
            "stale": rollup.stale,
        }

    @cached_property
    def funding_serializer(self):
        return FundingTotalsSerializer()

    @cached_property
    def match_serializer(self):
        return MatchSerializer()


# --- The money engine: each state's money, the initiative's money against its targets ---


class ZoneMatchSerializer(MatchSerializer):
    zone = serializers.IntegerField()


class FunderMatchSerializer(serializers.Serializer):
    funder = serializers.IntegerField()
    name = serializers.CharField()
    private = amount_field(help_text="Its private money counted as the state's match.")
    share = ratio_field(help_text="Its share of the state's match.")


class ZoneBudgetSerializer(serializers.Serializer):
    zone = serializers.IntegerField()
    available = amount_field(
        help_text="What the zone may budget: its own committed money and the state-level money left to it."
    )
    budgeted = amount_field()
    actual = amount_field(help_text="Live spending in the zone in its budgets' fiscal years.")
    over_budget_lines = serializers.IntegerField()


class BudgetsSerializer(serializers.Serializer):
    budgeted = amount_field()
    actual = amount_field()
    over_budget_lines = serializers.IntegerField()
    zones = ZoneBudgetSerializer(many=True)


class GapYearSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField(help_text="Named by the year it ends (FY2012 = Jul 2011 – Jun 2012).")
    gap = amount_field()
    gap_per_pupil = amount_field(allow_null=True)


class SustainabilitySerializer(serializers.Serializer):
    annual_cost = amount_field(help_text="Extended learning time and incentive pay, a year.")
    gap = amount_field(help_text="A year, once every grant paying for them has ended: what no funder pays.")
    by_year = GapYearSerializer(many=True)
    flagged_schools = serializers.IntegerField(help_text="Schools with a gap from their zone's second school year.")
    without_plan = serializers.IntegerField(help_text="Schools with a gap and no plan to close it.")


class StateMoneyDataSerializer(serializers.Serializer):
    """A state's money (``funding.money.StateMoney``, read from its rollup)."""

    match = MatchSerializer()
    zones = ZoneMatchSerializer(many=True, help_text="Each zone's match (its zone-level money).")
    funders = FunderMatchSerializer(many=True, help_text="Private funders counted as match, largest first.")
    at_risk = amount_field(help_text="Money of its awards projected to lapse (or lapsed).")
    awards = StateAwardOutlookSerializer(many=True, help_text="By obligation deadline.")
    budgets = BudgetsSerializer()
    sustainability = SustainabilitySerializer()


def state_moneydata(rollup) -> dict:
    """A state's money as the API writes it: the rollup's figures, arranged."""
    money = rollup.money
    sustainability = money.sustainability
    standing = rollup.match
    return {
        "match": standing.as_dict(),
        "zones": [{"zone": zone.zone.pk, **zone.match.as_dict()} for zone in rollup.zones],
        "funders": [
            {"funder": f.funder_id, "name": f.name, "private": f.private, "share": f.share(standing.private)}
            for f in money.match.funders
        ],
        "at_risk": money.at_risk,
        "awards": [outlook.as_dict() for outlook in money.awards],
        "budgets": {
            "budgeted": money.budgeted,
            "actual": money.budget_actual,
            "over_budget_lines": money.over_budget_lines,
            "zones": [
                {
                    "zone": zone.zone.pk,
                    "available": zone.budget.available,
                    "budgeted": zone.budget.budgeted,
                    "actual": zone.budget.actual,
                    "over_budget_lines": len(zone.budget.over_lines),
                }
                for zone in rollup.zones
            ],
        },
        "sustainability": {
            "annual_cost": sustainability.annual_cost,
            "gap": sustainability.gap,
            "by_year": [
                {"fiscal_year": year, "gap": gap, "gap_per_pupil": per_pupil}
                for year, gap, per_pupil in sustainability.by_year()
            ],
            "flagged_schools": len(sustainability.flagged_schools),
            "without_plan": len(sustainability.without_plan),
        },
    }


@extend_schema_field(StateMoneyDataSerializer)
class StateMoneyField(BatchedField):
    """The money of each state being serialized, from one rollup over the page's states."""

    def compute(self, states):
        return {rollup.state.pk: rollup for rollup in state_rollups(self.context["request"].user, states=states)}

    def represent(self, state, rollups):
        return self.data_serializer.to_representation(state_moneydata(rollups[state.pk]))

    @cached_property
    def data_serializer(self):
        return StateMoneyDataSerializer()


class StateMoneySerializer(serializers.ModelSerializer):
    """A state with its money: match (state and zones), funders, awards, budgets, sustainability."""

    money = StateMoneyField()

    class Meta:
        model = State
        fields = ["id", "name", "postal_code", "money"]


class TargetProgressSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="Public, Private or Total.")
    target = amount_field()
    pledged = amount_field()
    committed = amount_field()
    received = amount_field()
    pledged_share = ratio_field()
    committed_share = ratio_field()
    received_share = ratio_field()
    still_to_commit = amount_field(help_text="The target less what is committed (0 once reached).")


class InitiativeMoneyDataSerializer(serializers.Serializer):
    targets = TargetProgressSerializer(many=True)
    match = MatchSerializer(help_text="The initiative's match over all its money (the initiative's rule).")


def initiative_money_data(money) -> dict:
    """The initiative's money (``funding.money.PortfolioMoney``) as the API writes it, arranged."""
    fields = ("label", "target", "pledged", "committed", "received", "pledged_share", "committed_share")
    fields += ("received_share", "still_to_commit")
    return {
        "targets": [{name: getattr(target, name) for name in fields} for target in money.targets],
        "match": money.match.standing.as_dict(),
    }


@extend_schema_field(InitiativeMoneyDataSerializer)
class InitiativeMoneyField(BatchedField):
    """The money of each state's initiative, read once per initiative of the page's states."""

    def compute(self, states):
        user = self.context["request"].user
        initiatives = Initiative.objects.filter(pk__in={state.initiative_id for state in states})
        data_serializer = InitiativeMoneyDataSerializer()
        return {
            initiative.pk: data_serializer.to_representation(
                initiative_money_data(portfolio_money(initiative, lambda queryset: queryset.visible_to(user)))
            )
            for initiative in initiatives
        }

    def represent(self, state, by_initiative):
        return by_initiative[state.initiative_id]


class PortfolioSerializer(serializers.ModelSerializer):
    """A state in the portfolio: its rollup, and its initiative's money against the targets."""

    rollup = RollupField()
    initiative_money = InitiativeMoneyField(
        help_text="The state's initiative: its money (every level, counted within your reach) against its "
        "targets (public, private, total) and its match, as the portfolio page shows them; the same for "
        "every state of one initiative."
    )

    class Meta:
        model = State
        fields = ["id", "name", "postal_code", "network_status", "rollup", "initiative_money"]
