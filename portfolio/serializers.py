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
from funding.serializers import FundingTotalsSerializer
from partners.models import LeadPartner
from reports.rollups import state_rollups
from schools.models import School
from web.rest import BatchedField, ChangeReasonSerializerMixin, ModelCleanSerializer
from zones.models import State, Zone


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
            "launch_year": rollup.launch_year,
            "last_update": rollup.last_update.isoformat() if rollup.last_update else None,
            "late": rollup.late,
            "stale": rollup.stale,
        }

    @cached_property
    def funding_serializer(self):
        return FundingTotalsSerializer()


class PortfolioSerializer(serializers.ModelSerializer):
    """A state in the portfolio: its rollup."""

    rollup = RollupField()

    class Meta:
        model = State
        fields = ["id", "name", "postal_code", "network_status", "rollup"]
