"""The autonomy ledger: a zone's terms of autonomy per area, each with its legal source, status,
effective dates and evidence; the Lead Partner's check-ins on whether a term holds in practice;
and every change of a term's status with its reason and the decision that caused it."""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS as NON_FIELD
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.changes import TrackedModel
from core.concurrency import VersionedModel
from core.tenancy import TenantModel
from core.validators import validate_single_line_text

from .choices import POWER_AREAS, Area, LegalSource, Power, Practice, TermStatus

NEEDS_SOURCE = (TermStatus.GRANTED, TermStatus.CONTESTED)  # a term the zone holds (or held) rests on a legal source
CHECKED_IN = (TermStatus.GRANTED, TermStatus.CONTESTED)  # terms whose practice a Lead Partner reports on


class AutonomyTerm(TrackedModel, VersionedModel, TenantModel):
    """One power a zone holds (or asked for, or lost) under a legal source."""

    Area = Area
    Power = Power
    Source = LegalSource
    Status = TermStatus

    zone = models.ForeignKey("zones.Zone", on_delete=models.CASCADE, related_name="autonomy_terms")
    area = models.CharField(max_length=20, choices=Area.choices)
    power = models.CharField(max_length=30, choices=Power.choices)
    description = models.TextField(blank=True, help_text="What exactly the zone may decide.")
    source = models.CharField("legal source", max_length=30, choices=LegalSource.choices, blank=True)
    source_reference = models.CharField(
        "clause or article", max_length=200, blank=True, validators=[validate_single_line_text]
    )
    status = models.CharField(max_length=20, choices=TermStatus.choices, default=TermStatus.REQUESTED)
    effective_from = models.DateField(null=True, blank=True)
    effective_until = models.DateField(null=True, blank=True)
    evidence_url = models.URLField("evidence link", blank=True)
    evidence = models.TextField(blank=True)
    history = HistoricalRecords()

    class TenantScope:
        state = "zone__state"
        lead_partner = "zone__lead_partner"
        collaborator = True

    class Meta:
        ordering = ["zone", "area", "power"]

    def __str__(self):
        return f"{self.zone}: {self.get_power_display()} ({self.get_status_display().lower()})"

    @property
    def status_colour(self) -> str:
        return TermStatus(self.status).colour

    def clean(self):
        super().clean()
        errors = {}
        if self.power and self.area and POWER_AREAS[Power(self.power)] != self.area:
            errors["power"] = (
                f"{self.get_power_display()} belongs to the {POWER_AREAS[Power(self.power)].label} area, "
                f"not {self.get_area_display()}."
            )
        if self.effective_from and self.effective_until and self.effective_until <= self.effective_from:
            errors["effective_until"] = "A term ends after it takes effect."
        if self.status in NEEDS_SOURCE and not self.source:
            errors["source"] = f"A {self.get_status_display().lower()} term names its legal source."
        if self.status == TermStatus.GRANTED and not self.effective_from:
            errors["effective_from"] = "A granted term says from when it takes effect."
        if errors:
            raise ValidationError(errors)


class AutonomyCheckIn(TrackedModel, TenantModel):
    """A Lead Partner's report on whether a term holds in practice ("granted hiring authority, but
    the district placed 4 teachers")."""

    Practice = Practice

    term = models.ForeignKey(AutonomyTerm, on_delete=models.CASCADE, related_name="check_ins")
    practice = models.CharField(max_length=20, choices=Practice.choices)
    note = models.TextField()
    observed_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class TenantScope:
        state = "term__zone__state"
        lead_partner = "term__zone__lead_partner"

    class Meta:
        ordering = ["-observed_on", "-created_at"]

    def __str__(self):
        return f"{self.term}: {self.get_practice_display().lower()} on {self.observed_on}"

    @property
    def practice_colour(self) -> str:
        return Practice(self.practice).colour

    def clean(self):
        super().clean()
        errors = {}
        if self.observed_on and self.observed_on > timezone.localdate():
            errors["observed_on"] = "A check-in reports what was observed: the date cannot be in the future."
        if self.term_id and self.term.status not in CHECKED_IN:
            errors[NON_FIELD] = (
                f"Check-ins report whether a granted term holds in practice; this term is "
                f"{self.term.get_status_display().lower()}."
            )
        if errors:
            raise ValidationError(errors)


class AutonomyTermChange(TrackedModel, TenantModel):
    """A change of a term's status, with its reason and what caused it: a Lead Partner's check-in,
    an annual review or a renewal decision (earned autonomy). Written by the ledger's use cases,
    never edited."""

    term = models.ForeignKey(AutonomyTerm, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=20, choices=TermStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=TermStatus.choices)
    reason = models.TextField()
    effective_on = models.DateField()
    check_in = models.ForeignKey(AutonomyCheckIn, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    annual_review = models.ForeignKey(
        "contracts.AnnualReview", null=True, blank=True, on_delete=models.PROTECT, related_name="autonomy_changes"
    )
    renewal_decision = models.ForeignKey(
        "accountability.RenewalDecision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="autonomy_changes",
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class TenantScope:
        state = "term__zone__state"
        lead_partner = "term__zone__lead_partner"
        collaborator = True

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        before = TermStatus(self.from_status).label if self.from_status else "new"
        return f"{self.term.get_power_display()}: {before} → {TermStatus(self.to_status).label}"
