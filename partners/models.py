"""Lead Partners that run zones, and national collaborators that help states."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.changes import TrackedModel
from core.tenancy import TenantModel, TenantQuerySet, tenant_manager, viewer_manager
from core.validators import validate_single_line_text


class LeadPartner(TrackedModel):
    """An independent organization or an autonomous unit of a district central office."""

    natural_key_fields = {"name": "name"}

    class Kind(models.TextChoices):
        INDEPENDENT = "independent", "Independent organization"
        DISTRICT_UNIT = "district_unit", "District autonomous unit"

    name = models.CharField("organization name", max_length=200, unique=True, validators=[validate_single_line_text])
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.INDEPENDENT)
    district = models.ForeignKey(
        "zones.District",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="autonomous_units",
        help_text="The district whose central office the unit belongs to (district units only).",
    )
    provides_academic_services = models.BooleanField("academic services", default=True)
    provides_student_support = models.BooleanField("student support services", default=False)
    provides_coordination = models.BooleanField("coordination services", default=False)
    contact_name = models.CharField(max_length=200, blank=True, validators=[validate_single_line_text])
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=30, blank=True, validators=[validate_single_line_text])
    website = models.URLField(blank=True)
    is_demo = models.BooleanField(default=False, help_text="Fictional demo data.")

    objects = viewer_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def services(self) -> list[str]:
        offered = {
            "academic": self.provides_academic_services,
            "student support": self.provides_student_support,
            "coordination": self.provides_coordination,
        }
        return [name for name, provided in offered.items() if provided]

    def clean(self):
        super().clean()
        if self.kind == self.Kind.DISTRICT_UNIT and not self.district_id:
            raise ValidationError({"district": "A district autonomous unit names its district."})
        if self.kind == self.Kind.INDEPENDENT and self.district_id:
            raise ValidationError({"district": "An independent organization does not belong to a district."})
        if not self.services:
            raise ValidationError("A Lead Partner provides at least one service.")


class ServiceArea(models.TextChoices):
    PLANNING = "planning", "Planning"
    POLICY_ANALYSIS = "policy_analysis", "State policy analysis"
    HUMAN_CAPITAL = "human_capital", "Human capital analysis"
    BUDGET_AUDITS = "budget_audits", "District & school budget audits"
    COMMUNICATIONS = "communications", "Communications / outreach"


class NationalCollaborator(TrackedModel):
    natural_key_fields = {"name": "name"}
    name = models.CharField(max_length=200, unique=True, validators=[validate_single_line_text])
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    contact_email = models.EmailField(blank=True)

    objects = viewer_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class CollaboratorEngagementQuerySet(TenantQuerySet):
    def granting_access(self, on=None):
        """Engagements that open their state to the collaborator: active and within their dates on
        ``on`` (today). Proposed, completed, not yet started or ended engagements grant nothing."""
        on = on or timezone.localdate()
        return self.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=on),
            status=CollaboratorEngagement.Status.ACTIVE,
            start_date__lte=on,
        )


class CollaboratorEngagement(TrackedModel, TenantModel):
    """A national collaborator's work with one state in one service area."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"

    collaborator = models.ForeignKey(NationalCollaborator, on_delete=models.PROTECT, related_name="engagements")
    state = models.ForeignKey("zones.State", on_delete=models.PROTECT, related_name="engagements")
    service_area = models.CharField(max_length=20, choices=ServiceArea.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    description = models.TextField(blank=True)

    objects = tenant_manager(CollaboratorEngagementQuerySet)
    history = HistoricalRecords()

    class TenantScope:
        state = "state"
        collaborator = True

    class Meta:
        ordering = ["state__name", "collaborator__name", "service_area"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaborator", "state", "service_area", "start_date"], name="unique_engagement"
            )
        ]

    def __str__(self):
        return f"{self.collaborator} — {self.get_service_area_display()} in {self.state}"

    def grants_access(self, on=None) -> bool:
        """This engagement as ``granting_access`` judges it (the row at hand, without a query): what
        a collaborator may file an activity report under."""
        on = on or timezone.localdate()
        return (
            self.status == self.Status.ACTIVE
            and self.start_date <= on
            and (self.end_date is None or self.end_date >= on)
        )

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "An engagement cannot end before it starts."})
