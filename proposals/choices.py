"""The vocabularies of proposed changes, with label and colour."""

from django.db import models


class ProposalKind(models.TextChoices):
    """Changes a Lead Partner or a collaborator may not make directly, only propose."""

    MEASUREMENT_CORRECTION = "measurement_correction", "Correction of a locked period's value"
    SCHOOL_STATUS = "school_status", "School's turnaround status"
    COMMITMENT_STATUS = "commitment_status", "Commitment's status"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"

    @property
    def colour(self) -> str:
        return PROPOSAL_STATUS_COLOURS[self]


PROPOSAL_STATUS_COLOURS = {
    ProposalStatus.PENDING: "#e07b00",
    ProposalStatus.APPROVED: "#2e7d32",
    ProposalStatus.REJECTED: "#b3261e",
    ProposalStatus.WITHDRAWN: "#6b7785",
}
