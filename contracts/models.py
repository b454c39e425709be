"""A Lead Partner's performance contract for a zone (term, deliverables, performance targets,
renewal and termination conditions, the signed document) and its annual performance reviews."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core.concurrency import VersionedModel
from core.fields import school_year_field
from core.tenancy import TenantModel
from core.validators import validate_single_line_text
from web.files import private_storage, unguessable_name

from .choices import ContractStatus, ReviewPart, ReviewRating, ReviewStatus


def contract_document_path(contract, filename: str) -> str:
    return f"contracts/{unguessable_name(filename)}"


class PerformanceContract(VersionedModel, TenantModel):
    """The contract a state holds a zone's Lead Partner to: one active contract per zone; the
    contracts of one Lead Partner across zones and states are its history."""

    Status = ContractStatus

    zone = models.ForeignKey("zones.Zone", on_delete=models.PROTECT, related_name="contracts")
    lead_partner = models.ForeignKey("partners.LeadPartner", on_delete=models.PROTECT, related_name="contracts")
    status = models.CharField(max_length=20, choices=ContractStatus.choices, default=ContractStatus.DRAFT)
    starts_on = models.DateField("term starts")
    ends_on = models.DateField("term ends")
    signed_on = models.DateField(null=True, blank=True)
    renewal_conditions = models.TextField(blank=True)
    termination_conditions = models.TextField(blank=True)
    document = models.FileField(
        "signed document", upload_to=contract_document_path, storage=private_storage, blank=True
    )
    history = HistoricalRecords()

    class TenantScope:
        state = "zone__state"
        lead_partner = "lead_partner"

    class Meta:
        ordering = ["zone__state__name", "zone__name", "-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["zone"], condition=Q(status=ContractStatus.ACTIVE), name="one_active_contract_per_zone"
            ),
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="contract_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.lead_partner} — {self.zone} ({self.starts_on:%Y}–{self.ends_on:%Y})"


class ContractDeliverable(TenantModel):
    """Something the Lead Partner promised by a date."""

    contract = models.ForeignKey(PerformanceContract, on_delete=models.CASCADE, related_name="deliverables")
    title = models.CharField(max_length=200, validators=[validate_single_line_text])
    description = models.TextField(blank=True)
    due_on = models.DateField()
    delivered_on = models.DateField(null=True, blank=True)
    evidence_url = models.URLField("evidence link", blank=True)
    history = HistoricalRecords()

    class TenantScope:
        state = "contract__zone__state"
        lead_partner = "contract__lead_partner"

    class Meta:
        ordering = ["contract", "due_on", "title"]

    def __str__(self):
        return f"{self.title} (due {self.due_on})"


class ContractTarget(TenantModel):
    """A performance target of the contract: an indicator and the level the zone's schools reach
    by a school year."""

    contract = models.ForeignKey(PerformanceContract, on_delete=models.CASCADE, related_name="targets")
    metric = models.ForeignKey("accountability.Metric", on_delete=models.PROTECT, related_name="+")
    level = models.DecimalField(max_digits=10, decimal_places=2)
    school_year = school_year_field("by school year")
    history = HistoricalRecords()

    class TenantScope:
        state = "contract__zone__state"
        lead_partner = "contract__lead_partner"

    class Meta:
        ordering = ["contract", "school_year", "metric__name"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "metric", "school_year"], name="one_contract_target_per_year")
        ]

    def __str__(self):
        return f"{self.metric}: {self.level} by {self.school_year}"


class AnnualReview(VersionedModel, TenantModel):
    """The state's annual review of a Lead Partner under a contract: a scorecard in three parts
    (academic, operational, financial), each with the reviewer's rating and narrative, and the
    Lead Partner's written response. ``scorecard`` freezes the figures when the review is issued,
    so a later correction does not rewrite what was reviewed."""

    Status = ReviewStatus
    Part = ReviewPart
    Rating = ReviewRating

    contract = models.ForeignKey(PerformanceContract, on_delete=models.PROTECT, related_name="reviews")
    school_year = school_year_field("school year reviewed")
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    academic_rating = models.CharField(max_length=20, choices=ReviewRating.choices, blank=True)
    academic_narrative = models.TextField(blank=True)
    operational_rating = models.CharField(max_length=20, choices=ReviewRating.choices, blank=True)
    operational_narrative = models.TextField(blank=True)
    financial_rating = models.CharField(max_length=20, choices=ReviewRating.choices, blank=True)
    financial_narrative = models.TextField(blank=True)
    scorecard = models.JSONField(default=dict, blank=True, help_text="The figures as they stood when issued.")
    issued_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField("Lead Partner's response", blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class TenantScope:
        state = "contract__zone__state"
        lead_partner = "contract__lead_partner"
        lead_partner_when = Q(status=ReviewStatus.ISSUED)  # a draft is the state's own

    class Meta:
        ordering = ["-school_year", "contract__zone__name"]
        constraints = [models.UniqueConstraint(fields=["contract", "school_year"], name="one_review_per_contract_year")]

    def __str__(self):
        return f"{self.contract.lead_partner} in {self.contract.zone}: review {self.school_year}"


class ReviewEvidence(TenantModel):
    """A link the reviewer cites for one part of a review."""

    review = models.ForeignKey(AnnualReview, on_delete=models.CASCADE, related_name="evidence")
    part = models.CharField(max_length=20, choices=ReviewPart.choices)
    title = models.CharField(max_length=200, validators=[validate_single_line_text])
    url = models.URLField()
    history = HistoricalRecords()

    class TenantScope:
        state = "review__contract__zone__state"
        lead_partner = "review__contract__lead_partner"
        lead_partner_when = Q(review__status=ReviewStatus.ISSUED)

    class Meta:
        ordering = ["review", "part", "title"]

    def __str__(self):
        return self.title
