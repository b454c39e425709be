"""Spreadsheet imports: every upload is kept with who sent it, its scope and what it did."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.changes import TrackedModel
from core.fields import school_year_field
from core.tenancy import TenantModel
from partners.models import LeadPartner
from schools.models import School
from web.files import private_storage, unguessable_name
from zones.models import State

# Uploaded files are downloaded as opaque bytes: whatever they hold, no browser renders them.
UPLOAD_CONTENT_TYPE = "application/octet-stream"


def upload_path(batch, filename: str) -> str:
    """Stored under a random folder: the uploaded name is kept in ``original_name`` only."""
    return unguessable_name("imports", filename)


@dataclass(frozen=True)
class ImportScope:
    """Where an import may write: a state, or the schools a Lead Partner supports in a state."""

    state: State
    lead_partner: LeadPartner | None = None

    @property
    def key(self) -> str:
        return f"{self.state.pk}-{self.lead_partner.pk}" if self.lead_partner else str(self.state.pk)

    def __str__(self):
        return f"{self.lead_partner} in {self.state}" if self.lead_partner else str(self.state)

    def schools(self, user):
        schools = School.objects.visible_to(user).filter(district__state=self.state)
        if self.lead_partner:
            schools = schools.filter(zone__lead_partner=self.lead_partner)
        return schools.select_related("district", "zone")


class DirectoryChange(models.TextChoices):
    """What a federal directory import (imports.ccd) does to a district or school, in the order
    its dry run lists them."""

    NEW = "new", "New"
    RENAMED = "renamed", "Renamed"
    REGRADED = "regraded", "Re-graded"
    CLOSED = "closed", "Closed"
    REOPENED = "reopened", "Reopened"
    MOVED = "moved", "Merged or moved to another district"
    STATUS = "status", "Directory status recorded"
    NOT_ADDED = "not_added", "In the directory, not added"
    UNCHANGED = "unchanged", "Unchanged"


class ImportBatch(TrackedModel, TenantModel):
    """One uploaded file: previewed (dry run), then applied, or failed with its errors.

    Applying is claimed first (dry run → applying, one claim per batch however many ask at once),
    then done by a task (imports.tasks) that checks the rows again, counting ``rows_done``, and
    writes them in one transaction together with the final status (applied or failed)."""

    class Kind(models.TextChoices):
        SCHOOLS = "schools", "Schools"
        BASELINES = "baselines", "Baselines"
        TARGETS = "targets", "Targets"
        MEASUREMENTS = "measurements", "Measurements"
        COMMITMENTS = "commitments", "Commitments"
        EXPENDITURES = "expenditures", "Expenditures"
        BUDGETS = "budgets", "Zone budgets"
        CCD_DIRECTORY = "ccd_directory", "Federal school directory (CCD)"

    class Status(models.TextChoices):
        DRY_RUN = "dry_run", "Dry run (not applied)"
        APPLYING = "applying", "Applying"
        APPLIED = "applied", "Applied"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    state = models.ForeignKey("zones.State", on_delete=models.PROTECT, related_name="import_batches")
    lead_partner = models.ForeignKey(
        "partners.LeadPartner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="import_batches",
        help_text="Set when Lead Partner staff import for the schools their Lead Partner supports.",
    )
    file = models.FileField(upload_to=upload_path, storage=private_storage)
    original_name = models.CharField(max_length=255)
    lea_file = models.FileField(
        "LEA directory file",
        upload_to=upload_path,
        storage=private_storage,
        blank=True,
        help_text="A federal directory import's second file, the LEA (district) directory.",
    )
    school_year = school_year_field("school year", blank=True, help_text="A federal directory import's year.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="import_batches"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    applying_since = models.DateTimeField(null=True, blank=True, help_text="When the apply was claimed.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRY_RUN)
    summary = models.JSONField(default=dict, blank=True, help_text="Counts, previewed rows and errors.")
    rows_total = models.PositiveIntegerField(default=0, help_text="Rows to check when applying.")
    rows_done = models.PositiveIntegerField(default=0, help_text="Rows checked so far while applying.")

    history = HistoricalRecords(excluded_fields=["summary", "rows_total", "rows_done", "applying_since"])

    class TenantScope:
        state = "state"
        lead_partner = "lead_partner"
        collaborator = False

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name_plural = "import batches"

    def __str__(self):
        return f"{self.get_kind_display()} import #{self.pk} ({self.original_name})"

    @property
    def scope(self) -> ImportScope:
        return ImportScope(self.state, self.lead_partner)

    @property
    def errors(self) -> list[dict]:
        return self.summary.get("errors", [])

    @property
    def diff_groups(self) -> list[tuple[str, list[dict]]]:
        """A directory import's previewed rows by what they change (a row may change two things)."""
        rows = self.summary.get("rows", [])
        groups = [
            (label, [row for row in rows if kind in row.get("kinds", ())]) for kind, label in DirectoryChange.choices
        ]
        return [(label, grouped) for label, grouped in groups if grouped]

    @property
    def counts(self) -> dict:
        return self.summary.get("counts", {})

    # A claim older than this is taken to be lost (its task never ran, or its worker died without the
    # message coming back): the batch may be applied again. Longer than the apply task's time limit.
    CLAIM_LOST_AFTER = timedelta(minutes=15)

    @property
    def can_apply(self) -> bool:
        """An error-free dry run, or a batch whose apply was lost on the way."""
        return (self.status == self.Status.DRY_RUN and not self.errors) or self.claim_lost

    @property
    def is_applying(self) -> bool:
        return self.status == self.Status.APPLYING

    @property
    def claim_lost(self) -> bool:
        since = self.applying_since
        return self.is_applying and (since is None or since < timezone.now() - self.CLAIM_LOST_AFTER)

    @property
    def progress_percent(self) -> int:
        return min(100, self.rows_done * 100 // self.rows_total) if self.rows_total else 0
