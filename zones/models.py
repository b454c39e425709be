"""The initiative, its states (the tenants), their districts and zones."""

from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from simple_history.models import HistoricalRecords

from core.changes import TrackedModel
from core.concurrency import VersionedModel, lock_rows
from core.fields import money_field, school_year_field
from core.reasons import ReasonedStatusModel
from core.tenancy import TenantModel, viewer_manager
from core.validators import (
    school_year_start,
    validate_fips_code,
    validate_nces_lea_id,
    validate_postal_code,
    validate_single_line_text,
)

ZONE_MIN_SCHOOLS = 3
ZONE_MAX_SCHOOLS = 5
ZONE_MAX_DISTRICTS = 2


class Initiative(models.Model):
    """The multi-state program: an initial term, an extension, and money targets."""

    name = models.CharField(max_length=200, unique=True, validators=[validate_single_line_text])
    description = models.TextField(blank=True)
    initial_term_start = models.DateField()
    initial_term_end = models.DateField()
    extension_term_end = models.DateField(null=True, blank=True, help_text="End of the extension term, if any.")
    public_funding_target = money_field("public funding target", help_text="School-level public funds, USD.")
    private_funding_target = money_field("private funding target", help_text="Private matching funds, USD.")
    is_demo = models.BooleanField(default=False, help_text="Fictional demo data.")

    objects = viewer_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.initial_term_start and self.initial_term_end and self.initial_term_end <= self.initial_term_start:
            raise ValidationError({"initial_term_end": "The initial term must end after it starts."})
        if self.extension_term_end and self.initial_term_end and self.extension_term_end <= self.initial_term_end:
            raise ValidationError({"extension_term_end": "The extension must end after the initial term."})

    @property
    def total_funding_target(self):
        return (self.public_funding_target or 0) + (self.private_funding_target or 0)

    @property
    def target_match_ratio(self):
        """Private dollars per public dollar the initiative aims for (e.g. 30/45 ≈ 0.67)."""
        if not self.public_funding_target:
            return None
        return self.private_funding_target / self.public_funding_target


class CriterionRating(models.TextChoices):
    NOT_ASSESSED = "not_assessed", "Not yet assessed"
    PARTIAL = "partial", "Partially met"
    MET = "met", "Met"


class State(TrackedModel, TenantModel):
    """A state in the network: the tenant whose staff run its zones."""

    natural_key_fields = {"postal_code": "postal_code"}

    class NetworkStatus(models.TextChoices):
        NETWORK_MEMBER = "network_member", "Network member"
        SELECTED = "selected", "Selected"
        ACTIVE = "active", "Active"
        WITHDRAWN = "withdrawn", "Withdrawn"

    initiative = models.ForeignKey(Initiative, on_delete=models.PROTECT, related_name="states")
    name = models.CharField(max_length=100, unique=True, validators=[validate_single_line_text])
    postal_code = models.CharField(max_length=2, unique=True, validators=[validate_postal_code])
    fips_code = models.CharField("FIPS code", max_length=2, unique=True, validators=[validate_fips_code])
    commissioner_name = models.CharField(max_length=200, blank=True, validators=[validate_single_line_text])
    commissioner_email = models.EmailField(blank=True)
    network_status = models.CharField(
        max_length=20, choices=NetworkStatus.choices, default=NetworkStatus.NETWORK_MEMBER
    )
    framework_commitment = models.CharField(
        "commitment to the zone framework", max_length=20, choices=CriterionRating.choices, default="not_assessed"
    )
    framework_commitment_evidence = models.TextField(blank=True)
    resource_commitment = models.CharField(
        "commitment of resources", max_length=20, choices=CriterionRating.choices, default="not_assessed"
    )
    resource_commitment_evidence = models.TextField(blank=True)
    leadership_alignment = models.CharField(
        "alignment of state leadership", max_length=20, choices=CriterionRating.choices, default="not_assessed"
    )
    leadership_alignment_evidence = models.TextField(blank=True)
    planned_launch_school_year = school_year_field("planned launch school year", blank=True)
    policy_environment_notes = models.TextField(blank=True)

    # The state's accountability settings (its state lead tunes them): when a school's status is
    # stale, when Lead Partners are reminded and the state lead copied, and the projection's thresholds.
    stale_after_days = models.PositiveSmallIntegerField(
        "stale after (days)",
        default=45,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="A school with no status update for this many days is flagged stale.",
    )
    remind_days_before = models.PositiveSmallIntegerField(
        "remind before due (days)",
        default=7,
        validators=[MaxValueValidator(90)],
        help_text="Lead Partner staff are reminded of a reporting period this many days before it is due.",
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        "copy the state lead after (days late)",
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="A period this many days late is escalated: the state lead is copied on the reminder.",
    )
    on_track_share = models.DecimalField(
        "on track at (share of the needed gain)",
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("2.00"))],
        help_text="A metric is on track when its projection reaches this share of the gain its target asks for.",
    )
    at_risk_share = models.DecimalField(
        "at risk from (share of the needed gain)",
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(Decimal("0.00")), MaxValueValidator(Decimal("2.00"))],
        help_text="Below the on-track share, a metric is at risk from this share (or when its band "
        "reaches the on-track share); off track below it.",
    )

    # The initiative's decisions about the state: its identity, the selection criteria with their
    # evidence and its network status. Only initiative admins change them ("zones.change_state_initiative_fields").
    INITIATIVE_FIELDS = (
        "initiative",
        "name",
        "postal_code",
        "fips_code",
        "network_status",
        "framework_commitment",
        "framework_commitment_evidence",
        "resource_commitment",
        "resource_commitment_evidence",
        "leadership_alignment",
        "leadership_alignment_evidence",
    )

    # Settings the state lead changes on the state's settings page (the rest are initiative fields or profile).
    ACCOUNTABILITY_FIELDS = (
        "stale_after_days",
        "remind_days_before",
        "escalate_after_days",
        "on_track_share",
        "at_risk_share",
    )

    history = HistoricalRecords()

    class TenantScope:
        state = "pk"
        lead_partner = "zones__lead_partner"
        collaborator = True
        multivalued = True

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.postal_code:
            self.postal_code = self.postal_code.upper()
        criteria = [self.framework_commitment, self.resource_commitment, self.leadership_alignment]
        if self.network_status in (self.NetworkStatus.SELECTED, self.NetworkStatus.ACTIVE) and any(
            rating == CriterionRating.NOT_ASSESSED for rating in criteria
        ):
            raise ValidationError(
                {"network_status": "A state is selected only after all three selection criteria are assessed."}
            )
        if None not in (self.at_risk_share, self.on_track_share) and self.at_risk_share >= self.on_track_share:
            raise ValidationError({"at_risk_share": "The at-risk share is below the on-track share."})

    def changed_initiative_fields(self) -> list[str]:
        """The initiative-owned fields whose value differs from the stored row (all of them for a new state)."""
        fields = [self._meta.get_field(name) for name in self.INITIATIVE_FIELDS]
        if self._state.adding:
            return [field.name for field in fields]
        stored = State._base_manager.filter(pk=self.pk).values(*(field.attname for field in fields)).get()
        return [field.name for field in fields if getattr(self, field.attname) != stored[field.attname]]


class DirectoryStatus(models.TextChoices):
    """A school's or district's operational status in the federal school directory (NCES CCD's
    SY_STATUS codes 1-8, imports.ccd); blank: never imported from the directory."""

    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    NEW = "new", "New"
    ADDED = "added", "Added"
    CHANGED_AGENCY = "changed_agency", "Changed agency"
    INACTIVE = "inactive", "Inactive"
    FUTURE = "future", "Future"
    REOPENED = "reopened", "Reopened"


DIRECTORY_CLOSED = (DirectoryStatus.CLOSED, DirectoryStatus.INACTIVE)


def directory_status_field():
    return models.CharField(
        "federal directory status",
        max_length=20,
        choices=DirectoryStatus.choices,
        blank=True,
        help_text="Its status in the federal school directory (NCES CCD), set by a directory import.",
    )


class District(TrackedModel, TenantModel):
    natural_key_fields = {"nces_lea_id": "nces_lea_id"}
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="districts")
    name = models.CharField(max_length=200, validators=[validate_single_line_text])
    nces_lea_id = models.CharField("NCES LEA id", max_length=7, unique=True, validators=[validate_nces_lea_id])
    central_office_contact_name = models.CharField(max_length=200, blank=True, validators=[validate_single_line_text])
    central_office_contact_email = models.EmailField(blank=True)
    central_office_contact_phone = models.CharField(max_length=30, blank=True, validators=[validate_single_line_text])
    ccd_status = directory_status_field()
    is_demo = models.BooleanField(default=False, help_text="Fictional demo data.")

    history = HistoricalRecords()

    class TenantScope:
        state = "state"
        lead_partner = "zones__lead_partner"
        collaborator = True
        multivalued = True

    class Meta:
        ordering = ["state__name", "name"]
        constraints = [models.UniqueConstraint(fields=["state", "name"], name="unique_district_name_per_state")]

    def __str__(self):
        return f"{self.name} ({self.state.postal_code})" if self.state_id else self.name

    def clean(self):
        super().clean()
        if self.nces_lea_id and self.state_id and not self.nces_lea_id.startswith(self.state.fips_code):
            raise ValidationError(
                {"nces_lea_id": f"An NCES LEA id in {self.state} starts with its FIPS code {self.state.fips_code}."}
            )


class Zone(TrackedModel, ReasonedStatusModel, VersionedModel, TenantModel):
    """A cluster of 3–5 low-performing schools supported by one Lead Partner. Its status changes
    only with a reason (core.reasons)."""

    natural_key_fields = {"state_postal_code": "state__postal_code", "name": "name"}

    class Status(models.TextChoices):
        PLANNING = "planning", "Planning"
        LAUNCHED = "launched", "Launched"
        EXTENDED = "extended", "Extended"
        CLOSED = "closed", "Closed"

    OPERATING_STATUSES = (Status.LAUNCHED, Status.EXTENDED)

    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="zones")
    districts = models.ManyToManyField(District, related_name="zones", help_text="One or two districts.")
    name = models.CharField(max_length=200, validators=[validate_single_line_text])
    lead_partner = models.ForeignKey(
        "partners.LeadPartner", null=True, blank=True, on_delete=models.PROTECT, related_name="zones"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNING)
    launch_school_year = school_year_field("launch school year", blank=True)
    # The agreement the zone's autonomy terms rest on (the ledger: autonomy.AutonomyTerm).
    autonomy_agreement_date = models.DateField(null=True, blank=True)
    autonomy_agreement_url = models.URLField("autonomy agreement document", blank=True)
    renewal_on = models.DateField(
        "renewal decision date",
        null=True,
        blank=True,
        help_text="When the state decides to continue, intensify, replace the Lead Partner or exit; "
        "the renewal dossier is assembled before it.",
    )
    is_demo = models.BooleanField(default=False, help_text="Fictional demo data.")

    history = HistoricalRecords(m2m_fields=[districts])

    class TenantScope:
        state = "state"
        lead_partner = "lead_partner"
        collaborator = True

    class Meta:
        ordering = ["state__name", "name"]
        constraints = [models.UniqueConstraint(fields=["state", "name"], name="unique_zone_name_per_state")]
        # The API's orderings (web.filtering: each one an index range, not a sort of every zone).
        indexes = [
            models.Index(fields=["name"], name="zone_name"),
            models.Index(fields=["status"], name="zone_status"),
            models.Index(fields=["launch_school_year"], name="zone_launch_school_year"),
        ]

    def __str__(self):
        return self.name

    @property
    def launch_year_start(self) -> int | None:
        return school_year_start(self.launch_school_year) if self.launch_school_year else None

    def clean(self):
        super().clean()
        errors = {}
        if self.status != self.Status.PLANNING:
            if not self.lead_partner_id:
                errors["lead_partner"] = "A zone is supported by a Lead Partner before it launches."
            if not self.launch_school_year:
                errors["launch_school_year"] = "A launched zone needs its launch school year."
            if self.status in self.OPERATING_STATUSES and self.pk:
                count = self.schools.count()
                if not ZONE_MIN_SCHOOLS <= count <= ZONE_MAX_SCHOOLS:
                    errors["status"] = (
                        f"A launched zone holds {ZONE_MIN_SCHOOLS} to {ZONE_MAX_SCHOOLS} schools; "
                        f"{self.name or 'this zone'} has {count}."
                    )
            elif self.status in self.OPERATING_STATUSES:
                errors["status"] = f"Add {ZONE_MIN_SCHOOLS} to {ZONE_MAX_SCHOOLS} schools before launching the zone."
        if self.lead_partner_id and self.state_id:
            district = self.lead_partner.district
            if district is not None and district.state_id != self.state_id:
                errors["lead_partner"] = "A district's autonomous unit can lead zones only in its own state."
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        """Save; a launched or extended zone's school count is rechecked on its locked row (the
        UPDATE holds the row lock every change of its schools takes first: see ``lock_zones``)."""
        with transaction.atomic():
            super().save(*args, **kwargs)
            if self.status in self.OPERATING_STATUSES:
                check_zone_sizes([self.pk], field="status")

    def size_error(self, count: int) -> str | None:
        """Why ``count`` schools break this zone's size rule (3–5 once launched, never above 5), or None."""
        if count > ZONE_MAX_SCHOOLS:
            return f"{self} already holds {ZONE_MAX_SCHOOLS} schools, the most a zone may hold."
        if self.status in self.OPERATING_STATUSES and count < ZONE_MIN_SCHOOLS:
            return (
                f"{self} is {self.get_status_display().lower()} and must keep at least {ZONE_MIN_SCHOOLS} "
                f"schools; add another school before moving one out."
            )
        return None

    def validate_districts(self, districts) -> None:
        """A zone spans one or two districts, all in the zone's state."""
        districts = list(districts)
        if not 1 <= len(districts) <= ZONE_MAX_DISTRICTS:
            raise ValidationError({"districts": "A zone is established in one or two districts."})
        outside = [d for d in districts if d.state_id != self.state_id]
        if outside:
            names = ", ".join(str(d) for d in outside)
            raise ValidationError({"districts": f"Districts must be in the zone's state; not: {names}."})


@receiver(m2m_changed, sender=Zone.districts.through)
def _guard_zone_districts(sender, instance, action, pk_set, reverse, **kwargs):
    """No code path may give a zone more than two districts or a district of another state."""
    if action != "pre_add" or reverse or not pk_set:
        return
    current = set(instance.districts.values_list("pk", flat=True))
    instance.validate_districts(District.objects.filter(pk__in=current | set(pk_set)))


# --- The zone size rule under concurrency ---------------------------------------------------------
# Every change of a zone's schools (School.save, whatever calls it) or of its status (Zone.save)
# locks the zones it touches, in pk order, inside its transaction, and recounts on that locked state.
# Two such changes of one zone therefore run one after the other, and the second one counts the
# first one's schools: a count read before the write (``clean``) cannot be raced past.

_pending_zone_checks: ContextVar[set | None] = ContextVar("pending_zone_checks", default=None)


def lock_zones(zone_ids) -> None:
    """Lock the zones (``SELECT … FOR UPDATE``, in pk order so two changes never deadlock) until
    the end of the current transaction."""
    lock_rows(Zone, zone_ids)


def check_zone_sizes(zone_ids, *, field: str = "zone") -> None:
    """Recount the schools of the (locked) zones; raise ValidationError on ``field`` when one breaks
    the size rule. Inside ``zone_composition()`` the check waits for the end of the composition."""
    ids = {pk for pk in zone_ids if pk is not None}
    pending = _pending_zone_checks.get()
    if pending is not None:
        pending.update(ids)
        return
    if not ids:
        return
    school_model = Zone._meta.get_field("schools").related_model
    counts = dict(
        school_model._base_manager.filter(zone_id__in=ids)
        .values("zone_id")
        .annotate(n=models.Count("pk"))
        .values_list("zone_id", "n")
    )
    for zone in Zone._base_manager.filter(pk__in=sorted(ids)):
        problem = zone.size_error(counts.get(zone.pk, 0))
        if problem:
            raise ValidationError({field: problem})


@contextmanager
def zone_composition(zone_ids=(), *, field: str = "schools"):
    """Change several schools of zones in one step (a zone saved with its new set of schools): the
    zones are locked now, the size rule is checked once on the result, not after each school."""
    if _pending_zone_checks.get() is not None:  # already inside one: its end checks
        lock_zones(zone_ids)
        yield
        return
    pending = set(zone_ids)
    with transaction.atomic():
        lock_zones(pending)
        token = _pending_zone_checks.set(pending)
        try:
            yield
        finally:
            _pending_zone_checks.reset(token)
        check_zone_sizes(pending, field=field)
