"""A Lead Partner's performance contract for a zone (term, deliverables, performance targets,
renewal and termination conditions, the signed document) and its annual performance reviews."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accountability.models import Metric
from core.changes import TrackedModel
from core.concurrency import VersionedModel
from core.fields import school_year_field
from core.tenancy import TenantModel
from core.validators import school_year_start, validate_single_line_text
from web.files import private_storage, unguessable_name

from .choices import ContractStatus, DeliverableStatus, ReviewPart, ReviewRating, ReviewStatus

# A term runs from one to six years (typically three to five).
SHORTEST_TERM_YEARS, LONGEST_TERM_YEARS = 1, 6


def contract_document_path(contract, filename: str) -> str:
    return unguessable_name("contracts", filename)


def years_after(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def school_year_span(school_year: str) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a school year (1 July to 30 June)."""
    start = school_year_start(school_year)
    return datetime.date(start, 7, 1), datetime.date(start + 1, 6, 30)


class PerformanceContract(TrackedModel, VersionedModel, TenantModel):
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

    def get_absolute_url(self):
        return reverse("contracts:contract_detail", kwargs={"performancecontract_pk": self.pk})

    @property
    def status_choice(self) -> ContractStatus:
        return ContractStatus(self.status)

    def covers(self, school_year: str) -> bool:
        """Whether the term overlaps ``school_year``."""
        first, last = school_year_span(school_year)
        return first <= self.ends_on and last >= self.starts_on

    def get_constraints(self):
        """``clean`` checks both constraints first, with messages that say what to do (the
        database still enforces them for concurrent writes)."""
        covered = {"one_active_contract_per_zone", "contract_ends_after_start"}
        return [
            (model, [constraint for constraint in constraints if constraint.name not in covered])
            for model, constraints in super().get_constraints()
        ]

    def clean(self):
        super().clean()
        errors = {}
        if self.starts_on and self.ends_on:
            if self.ends_on <= self.starts_on:
                errors["ends_on"] = "The term ends after it starts."
            elif self.ends_on < years_after(self.starts_on, SHORTEST_TERM_YEARS) - datetime.timedelta(days=1):
                errors["ends_on"] = f"A term lasts at least {SHORTEST_TERM_YEARS} year (typically 3 to 5)."
            elif self.ends_on > years_after(self.starts_on, LONGEST_TERM_YEARS):
                errors["ends_on"] = f"A term lasts at most {LONGEST_TERM_YEARS} years (typically 3 to 5)."
        if self.signed_on and self.ends_on and self.signed_on > self.ends_on:
            errors["signed_on"] = "The contract is signed before its term ends."
        if self.status == ContractStatus.ACTIVE and self.zone_id:
            if self.lead_partner_id and self.zone.lead_partner_id != self.lead_partner_id:
                errors["lead_partner"] = (
                    f"An active contract binds the zone's Lead Partner ({self.zone.lead_partner or 'none chosen'})."
                )
            active = self.active_in_zone()
            if active is not None:
                errors["status"] = ValidationError(
                    "%(zone)s already has an active contract (%(existing)s): end or terminate it first.",
                    code="one_active",
                    params={"zone": self.zone, "existing": active},
                )
        if errors:
            raise ValidationError(errors)

    def active_in_zone(self) -> "PerformanceContract | None":
        """The zone's other active contract, whoever may read it."""
        others = PerformanceContract._base_manager.filter(zone_id=self.zone_id, status=ContractStatus.ACTIVE)
        return others.exclude(pk=self.pk).select_related("lead_partner", "zone").first()


class ContractDeliverable(TrackedModel, TenantModel):
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

    def status_on(self, day: datetime.date) -> DeliverableStatus:
        """Delivered (on time or late), due, or overdue on ``day``: the one rule every badge,
        count and export reads."""
        if self.delivered_on is not None:
            return DeliverableStatus.DELIVERED if self.delivered_on <= self.due_on else DeliverableStatus.DELIVERED_LATE
        return DeliverableStatus.OVERDUE if day > self.due_on else DeliverableStatus.DUE

    @property
    def status(self) -> DeliverableStatus:
        return self.status_on(timezone.localdate())

    def clean(self):
        super().clean()
        errors = {}
        contract = self.contract if self.contract_id else None
        if contract is not None and self.due_on and not contract.starts_on <= self.due_on <= contract.ends_on:
            errors["due_on"] = (
                f"A deliverable falls due within the contract's term ({contract.starts_on} to {contract.ends_on})."
            )
        if self.delivered_on and self.delivered_on > timezone.localdate():
            errors["delivered_on"] = "A delivery date cannot be in the future."
        if contract is not None and self.delivered_on and self.delivered_on < contract.starts_on:
            errors["delivered_on"] = "A deliverable is delivered after the term starts."
        if errors:
            raise ValidationError(errors)


class ContractTarget(TrackedModel, TenantModel):
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

    @property
    def target(self):
        """The level, under the name ``accountability.renewal.meets`` reads."""
        return self.level

    def clean(self):
        super().clean()
        errors = {}
        contract = self.contract if self.contract_id else None
        if contract is not None and self.metric_id:
            state = contract.zone.state_id
            if not Metric.objects.for_state(state).filter(pk=self.metric_id).exists():
                errors["metric"] = (
                    f"{self.metric} is another state's own indicator; {contract.zone} is not measured on it."
                )
            elif self.level is not None and (problem := self.metric.range_error(self.level)):
                errors["level"] = problem
        if contract is not None and self.school_year and not errors.get("school_year"):
            try:
                inside = contract.covers(self.school_year)
            except ValueError:
                inside = True  # the field's own validator reports a malformed year
            if not inside:
                term = f"{contract.starts_on:%Y}–{contract.ends_on:%Y}"
                errors["school_year"] = f"The school year falls outside the contract's term ({term})."
        if errors:
            raise ValidationError(errors)


class AnnualReview(TrackedModel, VersionedModel, TenantModel):
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

    def get_absolute_url(self):
        return reverse("contracts:review_detail", kwargs={"annualreview_pk": self.pk})

    @property
    def is_issued(self) -> bool:
        return self.status == ReviewStatus.ISSUED

    def rating_of(self, part) -> ReviewRating | None:
        value = getattr(self, f"{ReviewPart(part).value}_rating")
        return ReviewRating(value) if value else None

    @property
    def ratings(self) -> dict:
        """{part value: its ReviewRating or None}, for templates."""
        return {part.value: self.rating_of(part) for part in ReviewPart}

    def narrative_of(self, part) -> str:
        return getattr(self, f"{ReviewPart(part).value}_narrative")

    def unrated_parts(self) -> list[ReviewPart]:
        return [part for part in ReviewPart if self.rating_of(part) is None]

    def clean(self):
        super().clean()
        errors = {}
        if self.contract_id and self.school_year:
            try:
                inside = self.contract.covers(self.school_year)
            except ValueError:
                inside = True  # the field's own validator reports a malformed year
            if not inside:
                errors["school_year"] = (
                    f"The contract's term ({self.contract.starts_on:%Y}–{self.contract.ends_on:%Y}) "
                    "does not cover this school year."
                )
        if self.status == ReviewStatus.ISSUED:
            for part in self.unrated_parts():
                errors[f"{part.value}_rating"] = f"Rate the {part.label.lower()} part before the review is issued."
        elif self.response:
            errors["response"] = "The Lead Partner responds to an issued review."
        if errors:
            raise ValidationError(errors)


class ReviewEvidence(TrackedModel, TenantModel):
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
