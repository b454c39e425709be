"""API representations of the autonomy ledger: terms (created through ``ledger.create_term``, their
status changed only through ``ledger.change_term_status``), check-ins and status changes."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from accountability.models import RenewalDecision
from contracts.models import AnnualReview
from web.rest import ModelCleanSerializer
from web.sync import ChangeStampsMixin

from .choices import TermStatus
from .ledger import check_may_record_status
from .models import AutonomyCheckIn, AutonomyTerm, AutonomyTermChange
from .services import readable_causes

STATUS_THROUGH_ACTION = (
    "A term's status changes only through its change-status action (POST /api/v1/autonomy-terms/{id}/change-status/), "
    "which records the reason and what caused the change."
)


class ZoneTermSerializer(serializers.ModelSerializer):
    """A term as the zone shows it (read-only)."""

    area_label = serializers.CharField(source="get_area_display", read_only=True)
    power_label = serializers.CharField(source="get_power_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    source_label = serializers.CharField(source="get_source_display", read_only=True)

    class Meta:
        model = AutonomyTerm
        fields = [
            "id",
            "area",
            "area_label",
            "power",
            "power_label",
            "status",
            "status_label",
            "source",
            "source_label",
            "source_reference",
            "effective_from",
            "effective_until",
        ]


class AutonomyTermSerializer(ModelCleanSerializer):
    """A term of a zone's autonomy. Created by the state in any status (a granted term names its
    legal source and effective date) or requested by the zone's Lead Partner staff (status
    ``requested``); ``reason`` is the first change's. Its status is then changed only by the
    change-status action."""

    area_label = serializers.CharField(source="get_area_display", read_only=True)
    power_label = serializers.CharField(source="get_power_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    reason = serializers.CharField(
        write_only=True, required=False, allow_blank=True, help_text="Why the term is recorded (its first change)."
    )

    class Meta:
        model = AutonomyTerm
        fields = [
            "id",
            "zone",
            "area",
            "area_label",
            "power",
            "power_label",
            "description",
            "status",
            "status_label",
            "source",
            "source_label",
            "source_reference",
            "effective_from",
            "effective_until",
            "evidence_url",
            "evidence",
            "reason",
        ]

    def validate(self, attrs):
        if self.instance is None and attrs.get("zone") is not None:
            candidate = AutonomyTerm(zone=attrs["zone"], status=attrs.get("status", TermStatus.REQUESTED))
            try:
                check_may_record_status(candidate, self.context["request"].user)
            except DjangoValidationError as error:
                raise serializers.ValidationError(error.message_dict) from error
        if self.instance is not None:
            if "status" in attrs and attrs["status"] != self.instance.status:
                raise serializers.ValidationError({"status": STATUS_THROUGH_ACTION})
            if "zone" in attrs and attrs["zone"] != self.instance.zone:
                raise serializers.ValidationError({"zone": "A term stays with its zone."})
        reason = attrs.pop("reason", "")
        attrs = super().validate(attrs)
        self.reason = reason
        return attrs


class ChangeStatusSerializer(serializers.Serializer):
    """A change of a term's status: the new status, why, from when, and what caused it (optional:
    one of the zone's check-ins, issued annual reviews or renewal decisions)."""

    to_status = serializers.ChoiceField(choices=TermStatus.choices)
    reason = serializers.CharField()
    effective_on = serializers.DateField()
    check_in = serializers.PrimaryKeyRelatedField(queryset=AutonomyCheckIn.objects.all(), required=False)
    annual_review = serializers.PrimaryKeyRelatedField(queryset=AnnualReview.objects.all(), required=False)
    renewal_decision = serializers.PrimaryKeyRelatedField(queryset=RenewalDecision.objects.all(), required=False)

    def validate(self, attrs):
        causes = [name for name in ("check_in", "annual_review", "renewal_decision") if attrs.get(name)]
        if len(causes) > 1:
            raise serializers.ValidationError("Cite one cause: a check-in, an annual review or a renewal decision.")
        return attrs


class AutonomyCheckInSerializer(ModelCleanSerializer):
    """A report on whether a granted term holds in practice; recorded by ``ledger.record_check_in``
    (who recorded it: the requester)."""

    practice_label = serializers.CharField(source="get_practice_display", read_only=True)
    recorded_by = serializers.StringRelatedField(allow_null=True, help_text="Who recorded the check-in.")

    class Meta:
        model = AutonomyCheckIn
        fields = ["id", "term", "practice", "practice_label", "note", "observed_on", "recorded_by", "created_at"]


class CausesListSerializer(serializers.ListSerializer):
    """A page of changes: which causes its reader may read is looked up once for the page."""

    def to_representation(self, data):
        changes = list(data.all() if hasattr(data, "all") else data)
        self.child.readable = readable_causes(changes)
        return super().to_representation(changes)


class AutonomyTermChangeSerializer(ChangeStampsMixin, serializers.ModelSerializer):
    """A change of a term's status, with its reason and cause (read-only: written by the ledger);
    a cause the reader may not read is null."""

    readable = None

    from_status_label = serializers.SerializerMethodField()
    to_status_label = serializers.CharField(source="get_to_status_display", read_only=True)
    changed_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = AutonomyTermChange
        fields = [
            "id",
            "term",
            "from_status",
            "from_status_label",
            "to_status",
            "to_status_label",
            "reason",
            "effective_on",
            "check_in",
            "annual_review",
            "renewal_decision",
            "changed_by",
            "changed_at",
        ]
        read_only_fields = fields
        list_serializer_class = CausesListSerializer

    def to_representation(self, change):
        readable = self.readable if self.readable is not None else readable_causes([change])
        data = super().to_representation(change)
        for field, ids in readable.items():
            if data[field] not in ids:
                data[field] = None
        return data

    def get_from_status_label(self, change) -> str:
        return change.get_from_status_display() if change.from_status else ""
