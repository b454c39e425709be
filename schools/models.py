"""Schools: they stay in their district and may belong to one zone."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models, transaction
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.changes import TrackedModel
from core.concurrency import VersionedModel
from core.reasons import ReasonedStatusModel
from core.tenancy import TenantModel, reads
from core.validators import validate_nces_school_id, validate_single_line_text
from zones.models import (
    ZONE_MAX_SCHOOLS,
    ZONE_MIN_SCHOOLS,
    Zone,
    check_zone_sizes,
    directory_status_field,
    lock_zones,
)

GRADES = [("PK", "Pre-K"), ("K", "Kindergarten")] + [(str(g), f"Grade {g}") for g in range(1, 13)]
GRADE_ORDER = {code: index for index, (code, _label) in enumerate(GRADES)}


class School(TrackedModel, ReasonedStatusModel, VersionedModel, TenantModel):
    natural_key_fields = {"nces_id": "nces_id"}
    reasoned_field = "turnaround_status"  # changed only with a reason (core.reasons)

    class ImprovementTier(models.TextChoices):
        TIER_I = "I", "Tier I"
        TIER_II = "II", "Tier II"
        TIER_III = "III", "Tier III"
        NONE = "none", "None"

    class TurnaroundStatus(models.TextChoices):
        IDENTIFIED = "identified", "Identified"
        PLANNING = "planning", "Planning"
        IMPLEMENTING = "implementing", "Implementing"
        EXITED = "exited", "Exited improvement status"
        CLOSED = "closed", "Closed"

    district = models.ForeignKey("zones.District", on_delete=models.PROTECT, related_name="schools")
    zone = models.ForeignKey("zones.Zone", null=True, blank=True, on_delete=models.SET_NULL, related_name="schools")
    name = models.CharField(max_length=200, validators=[validate_single_line_text])
    nces_id = models.CharField("NCES school id", max_length=12, unique=True, validators=[validate_nces_school_id])
    lowest_grade = models.CharField(max_length=2, choices=GRADES)
    highest_grade = models.CharField(max_length=2, choices=GRADES)
    enrollment = models.PositiveIntegerField(validators=[MaxValueValidator(20000)])
    improvement_tier = models.CharField(
        "federal improvement tier", max_length=4, choices=ImprovementTier.choices, default=ImprovementTier.NONE
    )
    turnaround_status = models.CharField(
        max_length=20, choices=TurnaroundStatus.choices, default=TurnaroundStatus.IDENTIFIED
    )
    ccd_status = directory_status_field()
    is_demo = models.BooleanField(default=False, help_text="Fictional demo data.")

    history = HistoricalRecords()

    class TenantScope:
        state = "district__state"
        lead_partner = "zone__lead_partner"
        collaborator = True

    class Meta:
        ordering = ["name"]
        # The API's orderings (web.filtering: each one an index range, not a sort of every school).
        indexes = [
            models.Index(fields=["name"], name="school_name"),
            models.Index(fields=["enrollment"], name="school_enrollment"),
        ]

    def __str__(self):
        return self.name

    @property
    def grade_span(self) -> str:
        return (
            f"{self.lowest_grade}–{self.highest_grade}"
            if self.lowest_grade != self.highest_grade
            else self.lowest_grade
        )

    @property
    def state(self):
        return self.district.state

    def unique_error_message(self, model_class, unique_check):
        """A second school with an NCES id names the school that has it, and links to it, for a
        viewer who reads that school; anyone else (another state's school, a task) is told only
        that the id is taken."""
        existing = None
        if tuple(unique_check) == ("nces_id",):
            existing = type(self)._default_manager.filter(nces_id=self.nces_id).exclude(pk=self.pk).first()
        viewer = getattr(self, "checked_for", None)
        if existing is None or viewer is None or not reads(viewer, existing):
            return super().unique_error_message(model_class, unique_check)
        return ValidationError(
            "%(school)s already has NCES school id %(nces_id)s.",
            code="unique",
            params={
                "school": existing.name,
                "nces_id": existing.nces_id,
                "existing": existing.pk,
                "link_url": reverse("portfolio:school_detail", kwargs={"school_pk": existing.pk}),
                "link_text": f"Open {existing.name}",
            },
        )

    def clean(self):
        super().clean()
        errors = {}
        if (
            self.lowest_grade
            and self.highest_grade
            and GRADE_ORDER[self.lowest_grade] > GRADE_ORDER[self.highest_grade]
        ):
            errors["highest_grade"] = "The highest grade cannot be below the lowest grade."
        if self.nces_id and self.district_id and not self.nces_id.startswith(self.district.nces_lea_id):
            errors["nces_id"] = (
                f"An NCES school id in {self.district.name} starts with its LEA id {self.district.nces_lea_id}."
            )
        if self.zone_id and self.district_id:
            zone = self.zone
            if zone.state_id != self.district.state_id:
                errors["zone"] = f"{zone} is in {zone.state}; this school's district is in {self.district.state}."
            elif zone.pk and not zone.districts.filter(pk=self.district_id).exists():
                errors["zone"] = (
                    f"{zone} is not established in {self.district.name}; add the district to the zone first."
                )
            else:
                others = zone.schools.exclude(pk=self.pk).count()
                if others >= ZONE_MAX_SCHOOLS:
                    errors["zone"] = f"{zone} already holds {ZONE_MAX_SCHOOLS} schools, the most a zone may hold."
        leaving = self._zone_left_behind()
        if leaving is not None:
            errors["zone"] = (
                f"{leaving} is {leaving.get_status_display().lower()} and must keep at least "
                f"{ZONE_MIN_SCHOOLS} schools; add another school before moving this one out."
            )
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        """Save; a change of zone locks the zone it leaves and the one it joins (in pk order) and
        recounts both on that locked state, so concurrent moves cannot push a zone past 5 schools or
        an operating zone below 3 (``clean`` reads the counts before the write and cannot see them)."""
        with transaction.atomic():
            moved = self._lock_zones_of_move()
            super().save(*args, **kwargs)
            check_zone_sizes(moved)

    def _lock_zones_of_move(self) -> set:
        """Lock the zones this save moves the school between; return their ids (none if it stays)."""
        locked = set()
        while True:
            stored = None
            if not self._state.adding:
                stored = School._base_manager.filter(pk=self.pk).values_list("zone_id", flat=True).first()
            if stored == self.zone_id:
                return set()
            wanted = {stored, self.zone_id} - {None}
            if wanted <= locked:
                return wanted
            # Once its zone is locked, nobody else can move the school: the next read is final.
            lock_zones(wanted - locked)
            locked |= wanted

    def _zone_left_behind(self):
        """The operating zone this change would leave with too few schools, if any."""
        if not self.pk:
            return None
        previous_zone_id = School.objects.filter(pk=self.pk).values_list("zone_id", flat=True).first()
        if previous_zone_id is None or previous_zone_id == self.zone_id:
            return None
        previous = Zone.objects.get(pk=previous_zone_id)
        if previous.status in Zone.OPERATING_STATUSES and previous.schools.count() <= ZONE_MIN_SCHOOLS:
            return previous
        return None
