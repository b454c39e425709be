"""Report runs: one row per generated report (a progress report, a commissioner brief or the portfolio)."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.tenancy import TenantModel, TenantQuerySet, tenant_manager
from web.files import private_storage, unguessable_name

PERIOD_VALIDATOR = RegexValidator(r"^\d{4}-(0[1-9]|1[0-2])$", "A report period is a month: YYYY-MM.")


def current_period() -> str:
    return timezone.localdate().strftime("%Y-%m")


def report_upload_to(run, filename: str) -> str:
    """``reports/<period>/<random>/<filename>``: the download keeps its name, the path cannot be guessed."""
    return unguessable_name(f"reports/{run.period}", filename)


class ReportRunQuerySet(TenantQuerySet):
    def for_scope(self, kind: str, state=None, zone=None, period: str = ""):
        return self.filter(kind=kind, scope_key=ReportRun.scope_key_for(kind, state, zone), period=period)

    def current(self):
        return self.filter(superseded=False)


class ReportRun(TenantModel):
    """A request for one report over one scope and month, and how its generation went.

    At most one run per kind, scope and period is *current*: asking again reuses it unless it
    failed (or hung) or the caller forces a fresh one, which supersedes it.
    """

    class Kind(models.TextChoices):
        STATE_PROGRESS = "state_progress", "State progress report"
        ZONE_PROGRESS = "zone_progress", "Zone progress report"
        COMMISSIONER_BRIEF = "commissioner_brief", "Commissioner brief"
        PORTFOLIO = "portfolio", "Portfolio report"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    STATE_KINDS = (Kind.STATE_PROGRESS, Kind.COMMISSIONER_BRIEF)
    FINISHED = (Status.DONE, Status.FAILED)
    # A run still queued or running this long has hung: far beyond the task's time limit and retries.
    STALE_AFTER = timedelta(minutes=30)

    kind = models.CharField(max_length=30, choices=Kind.choices)
    state = models.ForeignKey("zones.State", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    zone = models.ForeignKey("zones.Zone", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    scope_key = models.CharField(max_length=40, editable=False, help_text="kind's scope, e.g. state:4")
    period = models.CharField(max_length=7, validators=[PERIOD_VALIDATOR], help_text="The month reported on.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    superseded = models.BooleanField(default=False, help_text="Replaced by a newer run of the same report.")
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to=report_upload_to, storage=private_storage, blank=True)
    error = models.TextField(blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True, help_text="When commissioners were sent the link.")

    objects = tenant_manager(ReportRunQuerySet)
    history = HistoricalRecords()

    class TenantScope:
        state = "state"  # portfolio runs have no state: only initiative admins see them
        lead_partner = "zone__lead_partner"
        collaborator = False  # briefs quote the Lead Partners' narratives

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "scope_key", "period"], condition=Q(superseded=False), name="one_current_report_run"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.scope_label} — {self.period}"

    @staticmethod
    def scope_key_for(kind, state=None, zone=None) -> str:
        if kind == ReportRun.Kind.PORTFOLIO:
            return "portfolio"
        if kind == ReportRun.Kind.ZONE_PROGRESS:
            return f"zone:{zone.pk}"
        return f"state:{state.pk}"

    @property
    def scope_label(self) -> str:
        return str(self.zone or self.state or "All states")

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def is_stale(self) -> bool:
        """Queued or running for far longer than a task may take: the worker died or never ran it."""
        return not self.is_finished and timezone.now() - self.requested_at > self.STALE_AFTER

    @property
    def duration(self) -> timedelta | None:
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    def get_absolute_url(self):
        return reverse("reports:run_detail", kwargs={"reportrun_pk": self.pk})

    def get_download_url(self):
        return reverse("reports:run_download", kwargs={"reportrun_pk": self.pk})

    def clean(self):
        super().clean()
        if self.zone_id and not self.state_id:
            self.state_id = self.zone.state_id
        needs = {
            self.Kind.PORTFOLIO: (False, False),
            self.Kind.ZONE_PROGRESS: (True, True),
        }.get(self.kind, (True, False))
        errors = {}
        if needs[0] != bool(self.state_id):
            errors["state"] = "This report is about one state." if needs[0] else "The portfolio covers all states."
        if needs[1] != bool(self.zone_id):
            errors["zone"] = "Choose the zone to report on." if needs[1] else "This report covers a whole state."
        if self.zone_id and self.state_id and self.zone.state_id != self.state_id:
            errors["zone"] = "The zone is in another state."
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.zone_id and not self.state_id:
            self.state_id = self.zone.state_id
        self.scope_key = self.scope_key_for(self.kind, self.state, self.zone)
        super().save(*args, **kwargs)

    @classmethod
    def prepare(cls, kind, *, state=None, zone=None, period=None, requested_by=None) -> "ReportRun":
        """An unsaved, validated run; check permissions against it, then ``submit`` it."""
        if zone is not None:
            state = zone.state
        run = cls(kind=kind, state=state, zone=zone, period=period or current_period(), requested_by=requested_by)
        run.full_clean(exclude=["scope_key"])
        return run

    def submit(self, force: bool = False) -> tuple["ReportRun", bool]:
        """Save this run, or reuse the current run of the same report: (run, created).

        A failed or hung current run is superseded; ``force`` supersedes a queued, running or done one too.
        """
        same_report = ReportRun.objects.current().for_scope(self.kind, self.state, self.zone, self.period)
        with transaction.atomic():
            existing = same_report.select_for_update().first()
            if existing is not None:
                if existing.status != self.Status.FAILED and not existing.is_stale and not force:
                    return existing, False
                existing.superseded = True
                existing.save(update_fields=["superseded"])
            try:
                with transaction.atomic():
                    self.save()
            except IntegrityError:  # a concurrent request created it first: reuse that one
                return same_report.get(), False
        return self, True

    def mark_running(self):
        self.status = self.Status.RUNNING
        self.started_at = timezone.now()
        self.attempts += 1
        self.error = ""
        self.save(update_fields=["status", "started_at", "attempts", "error"])

    def mark_done(self, filename: str, content) -> None:
        """Store the finished file, then mark the run done; the file is complete before the row says so."""
        self.file.save(filename, content, save=False)
        self.status = self.Status.DONE
        self.finished_at = timezone.now()
        try:
            self.save(update_fields=["file", "status", "finished_at"])
        except Exception:
            self.file.delete(save=False)  # no orphan file when the row cannot say it is done
            raise

    def mark_failed(self, error: str) -> None:
        self.status = self.Status.FAILED
        self.finished_at = timezone.now()
        self.error = error
        self.save(update_fields=["status", "finished_at", "error"])
