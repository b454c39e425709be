"""Proposed changes: a change someone may not make directly (a correction after a period locked,
a school's turnaround status, a commitment moving to received), with its reason, before/after,
and the state lead's decision. Approving applies it through the owning app's use case."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core.changes import TrackedModel
from core.concurrency import VersionedModel
from core.tenancy import TenantModel

from .choices import ProposalKind, ProposalStatus


class ChangeProposal(TrackedModel, VersionedModel, TenantModel):
    Kind = ProposalKind
    Status = ProposalStatus

    state = models.ForeignKey("zones.State", on_delete=models.CASCADE, related_name="change_proposals")
    zone = models.ForeignKey(
        "zones.Zone",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="change_proposals",
        help_text="The zone the changed object belongs to, if any (its Lead Partner's staff see the proposal).",
    )
    kind = models.CharField(max_length=30, choices=ProposalKind.choices)
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.CASCADE, related_name="change_proposals"
    )
    measurement = models.ForeignKey(
        "accountability.Measurement", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    commitment = models.ForeignKey(
        "funding.Commitment", null=True, blank=True, on_delete=models.CASCADE, related_name="change_proposals"
    )
    before = models.JSONField(default=dict, blank=True, help_text="The changed fields as they stood when proposed.")
    after = models.JSONField(default=dict, help_text="The proposed values of the changed fields.")
    reason = models.TextField()
    status = models.CharField(max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PENDING)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    history = HistoricalRecords()

    class TenantScope:
        state = "state"
        lead_partner = "zone__lead_partner"
        collaborator = True

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        # At most one pending proposal per changed object and kind: a second one waits for the decision.
        constraints = [
            models.UniqueConstraint(
                fields=["school"],
                condition=Q(status=ProposalStatus.PENDING, kind=ProposalKind.SCHOOL_STATUS),
                name="one_pending_school_status_proposal",
            ),
            models.UniqueConstraint(
                fields=["measurement"],
                condition=Q(status=ProposalStatus.PENDING, kind=ProposalKind.MEASUREMENT_CORRECTION),
                name="one_pending_measurement_correction",
            ),
            models.UniqueConstraint(
                fields=["commitment"],
                condition=Q(status=ProposalStatus.PENDING, kind=ProposalKind.COMMITMENT_STATUS),
                name="one_pending_commitment_status_proposal",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_status_display().lower()})"
