"""Report runs: one row per generated report (a progress report, a commissioner brief, the portfolio or
a zone's renewal dossier)."""

import re
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.changes import TrackedModel
from core.tenancy import TenantModel, TenantQuerySet, tenant_manager
from core.validators import documented_pattern
from notifications.choices import EventKind
from notifications.events import emit
from web.files import private_storage, unguessable_name

FIRST_REPORT_YEAR, LAST_REPORT_YEAR = 2000, 2100
PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@documented_pattern(PERIOD_RE.pattern)
def validate_period(value: str) -> None:
    """A report period is a real month, YYYY-MM, of a year reports can be about (2000–2100): a month
    like ``0000-01`` is refused when it is asked for, not when the worker fails to render it."""
    match = PERIOD_RE.fullmatch(value or "")
    if match is None:
        raise ValidationError("A report period is a month: YYYY-MM.", code="invalid")
    if not FIRST_REPORT_YEAR <= int(match[1]) <= LAST_REPORT_YEAR:
        raise ValidationError(
            f"A report period is a month from {FIRST_REPORT_YEAR} to {LAST_REPORT_YEAR}.", code="out_of_range"
        )


def current_period() -> str:
    return timezone.localdate().strftime("%Y-%m")


def report_upload_to(run, filename: str) -> str:
    """``reports/<period>/<random>/<filename>``: the download keeps its name, the path cannot be guessed."""
    return unguessable_name(f"reports/{run.period}", filename)


class ReportRunQuerySet(TenantQuerySet):
    def for_scope(self, kind: str, state=None, zone=None, period: str = "", review=None):
        return self.filter(kind=kind, scope_key=ReportRun.scope_key_for(kind, state, zone, review), period=period)

    def current(self):
        return self.filter(superseded=False)


class ReportRun(TrackedModel, TenantModel):
    """A request for one report over one scope and month, and how its generation went.

    At most one run per kind, scope and period is *current*: asking again reuses it unless it
    failed (or its worker died) or the caller forces a fresh one, which supersedes it.

    The row is its own outbox and lease (``reports.tasks`` drives them):

    - ``sent_at`` is set once the task message reached the broker. A run still queued without it was
      requested while the report service (Redis) was unreachable; it is sent when the broker is back.
    - A worker *claims* the run before rendering (``claim``: one atomic UPDATE, so two deliveries of
      the message, or two beats, never render it twice) and renews ``heartbeat_at`` every
      ``HEARTBEAT`` while it renders. A running run without a heartbeat for ``LEASE`` lost its worker
      (killed, out of memory, over its time limit): ``reap`` queues it again, or fails it after
      ``MAX_ATTEMPTS`` renders.
    - Only the holder of the claim (``lease``: the task's id) may finish the run.
    """

    class Kind(models.TextChoices):
        STATE_PROGRESS = "state_progress", "State progress report"
        ZONE_PROGRESS = "zone_progress", "Zone progress report"
        COMMISSIONER_BRIEF = "commissioner_brief", "Commissioner brief"
        PORTFOLIO = "portfolio", "Portfolio report"
        RENEWAL_DOSSIER = "renewal_dossier", "Renewal dossier"
        ANNUAL_REVIEW = "annual_review", "Lead Partner annual review"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    STATE_KINDS = (Kind.STATE_PROGRESS, Kind.COMMISSIONER_BRIEF)
    ZONE_KINDS = (Kind.ZONE_PROGRESS, Kind.RENEWAL_DOSSIER)
    FINISHED = (Status.DONE, Status.FAILED)
    UNFINISHED = (Status.QUEUED, Status.RUNNING)
    # The worker rendering a run renews its heartbeat this often; three missed beats and the run is
    # taken back (reports.tasks.maintain_runs runs every 30 s: a dead worker's run moves within ~1 min).
    HEARTBEAT = timedelta(seconds=10)
    LEASE = timedelta(seconds=30)
    # A run sent this long ago and still queued lost its message (e.g. the broker lost its data): send again.
    RESEND_AFTER = timedelta(minutes=15)
    # Renders of one run (retries of transient errors and restarts after a dead worker) before it fails.
    MAX_ATTEMPTS = 4
    UNAVAILABLE = "The report service is unavailable right now; your request is saved and will run when it is back."

    kind = models.CharField(max_length=30, choices=Kind.choices)
    state = models.ForeignKey("zones.State", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    zone = models.ForeignKey("zones.Zone", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(
        "contracts.AnnualReview", null=True, blank=True, on_delete=models.CASCADE, related_name="report_runs"
    )
    scope_key = models.CharField(max_length=40, editable=False, help_text="kind's scope, e.g. state:4")
    period = models.CharField(max_length=7, validators=[validate_period], help_text="The month reported on.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    superseded = models.BooleanField(default=False, help_text="Replaced by a newer run of the same report.")
    requested_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was handed to the report service; empty: waiting for the service."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last sign of life of its worker.")
    lease = models.CharField(max_length=64, blank=True, editable=False, help_text="The task holding the run.")
    worker = models.CharField(max_length=200, blank=True, editable=False, help_text="The worker rendering it.")
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to=report_upload_to, storage=private_storage, blank=True)
    error = models.TextField(blank=True)
    email_commissioners = models.BooleanField(
        default=False, help_text="Email the state's commissioners a link once it is done (the monthly briefs)."
    )
    emailed_at = models.DateTimeField(null=True, blank=True, help_text="When commissioners were sent the link.")

    objects = tenant_manager(ReportRunQuerySet)
    history = HistoricalRecords()

    class TenantScope:
        state = "state"  # portfolio runs have no state: only initiative admins see them
        lead_partner = "zone__lead_partner"
        # A review's PDF: only of an issued review (made after it was issued), of the contract's own Lead Partner.
        lead_partner_when = Q(review=None) | Q(
            scope_key__endswith=":issued", review__contract__lead_partner=F("zone__lead_partner")
        )
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
    def scope_key_for(kind, state=None, zone=None, review=None) -> str:
        if kind == ReportRun.Kind.PORTFOLIO:
            return "portfolio"
        if kind == ReportRun.Kind.ANNUAL_REVIEW:
            return f"review:{review.pk}:{review.status}"  # a draft's PDF and the issued one are two reports
        if kind in ReportRun.ZONE_KINDS:
            return f"zone:{zone.pk}"
        return f"state:{state.pk}"

    @property
    def scope_label(self) -> str:
        return str(self.review or self.zone or self.state or "All states")

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    # Set on this instance by reports.tasks.enqueue when its sending waits only for the transaction to commit.
    send_scheduled = False

    @property
    def is_unsent(self) -> bool:
        """Requested while the report service was unreachable: saved, it is sent when the service is back."""
        return self.status == self.Status.QUEUED and self.sent_at is None and not self.send_scheduled

    @property
    def is_stale(self) -> bool:
        """Running, but its worker stopped renewing the lease: the worker or its process died."""
        return self.status == self.Status.RUNNING and not self._lease_alive(timezone.now())

    def _lease_alive(self, now) -> bool:
        return self.heartbeat_at is not None and now - self.heartbeat_at <= self.LEASE

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
        needs = (False, False) if self.kind == self.Kind.PORTFOLIO else (True, self.kind in self.ZONE_KINDS)
        errors = {}
        if (self.kind == self.Kind.ANNUAL_REVIEW) != bool(self.review_id):
            errors["review"] = "Choose the review." if self.review_id is None else "Only a review's report has one."
        if self.review_id:
            needs = (True, True)
            if self.zone_id != self.review.contract.zone_id:
                errors["zone"] = "The review is of another zone."
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
        self.scope_key = self.scope_key_for(self.kind, self.state, self.zone, self.review)
        super().save(*args, **kwargs)

    @classmethod
    def default_period(cls, kind, zone=None) -> str:
        """The month a report is about unless asked: this month; a renewal dossier is about the
        zone's renewal, so its month is the renewal date's (one dossier per renewal, whenever asked)."""
        if kind == cls.Kind.RENEWAL_DOSSIER and zone is not None and zone.renewal_on is not None:
            return zone.renewal_on.strftime("%Y-%m")
        return current_period()

    @classmethod
    def prepare(cls, kind, *, state=None, zone=None, period=None, requested_by=None, review=None) -> "ReportRun":
        """An unsaved, validated run; check permissions against it, then ``submit`` it. A review's
        run is about the review's zone."""
        if review is not None:
            zone = review.contract.zone
        if zone is not None:
            state = zone.state
        period = period or cls.default_period(kind, zone)
        run = cls(kind=kind, state=state, zone=zone, period=period, requested_by=requested_by, review=review)
        run.full_clean(exclude=["scope_key"])
        return run

    def submit(self, force: bool = False, email_commissioners: bool = False) -> tuple["ReportRun", bool]:
        """Save this run, or reuse the current run of the same report: (run, created).

        A failed run, or one whose worker died (``is_stale``), is superseded; ``force`` supersedes a
        queued, running or done one too. ``email_commissioners`` asks for the link email on whichever
        run is current.
        """
        self.email_commissioners = email_commissioners
        same_report = ReportRun.objects.current().for_scope(self.kind, self.state, self.zone, self.period, self.review)
        with transaction.atomic():
            existing = same_report.select_for_update(of=("self",)).first()
            if existing is not None:
                if existing.status != self.Status.FAILED and not existing.is_stale and not force:
                    if email_commissioners and not existing.email_commissioners:
                        existing.email_commissioners = True
                        existing.save(update_fields=["email_commissioners"])
                    return existing, False
                existing.superseded = True
                fields = ["superseded"]
                if existing.is_stale:  # its worker died: it ends here, and its late finish cannot land
                    existing.status, existing.finished_at, existing.lease = self.Status.FAILED, timezone.now(), ""
                    existing.error = "Its worker stopped before finishing; a new run replaced it."
                    fields += ["status", "finished_at", "lease", "error"]
                existing.save(update_fields=fields)
            try:
                with transaction.atomic():
                    self.save()
            except IntegrityError:  # a concurrent request created it first: reuse that one
                return same_report.get(), False
        return self, True

    # --- The outbox: handing the run to the report service ---

    @classmethod
    def due_for_sending(cls, now) -> Q:
        """Queued runs to hand to the report service: never sent (the broker was unreachable), or
        sent so long ago (``RESEND_AFTER``) that their message is lost."""
        return Q(status=cls.Status.QUEUED) & (Q(sent_at=None) | Q(sent_at__lt=now - cls.RESEND_AFTER))

    def mark_sending(self, now) -> bool:
        """Take the sending of this queued run (unsent, or sent so long ago its message is lost)."""
        sending = ReportRun._base_manager.filter(self.due_for_sending(now), pk=self.pk).update(sent_at=now)
        if sending:
            self.sent_at = now
        return bool(sending)

    def mark_unsent(self, sent_at) -> None:
        """The broker refused the message: the run waits for the next send."""
        ReportRun._base_manager.filter(pk=self.pk, sent_at=sent_at).update(sent_at=None)
        self.sent_at = None

    # --- The lease: rendering it once ---

    @classmethod
    def claim(cls, pk: int, lease: str, worker: str = "") -> "ReportRun | None":
        """Take run ``pk`` for rendering under ``lease`` (the task's id) on ``worker`` (its node name),
        atomically: a queued run, one
        this same task already held (a retry, or its message redelivered after its process died) or
        one whose worker died. None if another worker holds it or it is finished; a run out of
        attempts is failed instead."""
        now = timezone.now()
        claimable = cls._base_manager.filter(
            Q(status=cls.Status.QUEUED)
            | Q(status=cls.Status.RUNNING, lease=lease)
            | Q(status=cls.Status.RUNNING, heartbeat_at__lt=now - cls.LEASE),
            pk=pk,
        )
        claimed = claimable.filter(attempts__lt=cls.MAX_ATTEMPTS).update(
            status=cls.Status.RUNNING,
            lease=lease,
            worker=worker,
            started_at=now,
            heartbeat_at=now,
            finished_at=None,
            attempts=F("attempts") + 1,
            error="",
        )
        if not claimed:
            claimable.update(status=cls.Status.FAILED, finished_at=now, lease="", error=cls._gave_up())
            return None
        return cls._base_manager.select_related("state", "zone").get(pk=pk)

    @classmethod
    def _gave_up(cls) -> str:
        return (
            f"The worker rendering this report stopped {cls.MAX_ATTEMPTS} times without finishing "
            "(killed, out of memory or over its time limit). Request it again to start over."
        )

    def _held(self):
        """This run while this worker's claim on it holds (nobody took it back, nothing finished it)."""
        return ReportRun._base_manager.filter(pk=self.pk, lease=self.lease, status__in=self.UNFINISHED)

    def renew(self) -> bool:
        """Renew the lease (the heartbeat); False when the run was taken back from this worker."""
        return bool(self._held().filter(status=self.Status.RUNNING).update(heartbeat_at=timezone.now()))

    def release(self) -> None:
        """Hand the run back to the queue, still held by this task, whose retry is on its way."""
        self._held().update(status=self.Status.QUEUED, sent_at=timezone.now(), heartbeat_at=None)

    def mark_done(self, filename: str, content) -> bool:
        """Store the finished file, then mark the run done if this worker still holds it, and tell
        whoever asked for it (in the same transaction); else (another worker took it back) the file
        goes. The file is complete before the row says so."""
        self.file.save(filename, content, save=False)
        now = timezone.now()
        try:
            with transaction.atomic():
                done = self._held().update(
                    file=self.file.name, status=self.Status.DONE, finished_at=now, heartbeat_at=None
                )
                if done:
                    self._tell_requester()
        except Exception:
            self.file.delete(save=False)  # no orphan file when the row cannot say it is done
            raise
        if not done:
            self.file.delete(save=False)
            return False
        self.status, self.finished_at, self.heartbeat_at = self.Status.DONE, now, None
        return True

    def _tell_requester(self) -> None:
        """The "report ready" event, to the person who asked for the run (none for the beat's runs),
        once per run (its key: a retried or re-leased run finishes once anyway). Watchers of its
        state are not told of other people's reports."""
        emit(
            EventKind.BRIEF_READY,
            summary=f"{self.get_kind_display()} for {self.scope_label}, {self.period}, is ready to download",
            subject=self,
            state=self.state,
            zone=self.zone,
            watched=False,
            link=self.get_absolute_url(),
            recipients=[self.requested_by] if self.requested_by_id else [],
            key=f"report_ready:{self.pk}",
        )

    def mark_failed(self, error: str) -> bool:
        """Record the final failure, if this worker still holds the run."""
        now = timezone.now()
        failed = self._held().update(status=self.Status.FAILED, finished_at=now, error=error, heartbeat_at=None)
        if failed:
            self.status, self.finished_at, self.error = self.Status.FAILED, now, error
        return bool(failed)

    @classmethod
    def reap(cls, restarted_worker: str = "", restarted_at=None) -> int:
        """Take back the runs whose worker died: lease expired, or claimed by ``restarted_worker`` (a
        node name) before it started again at ``restarted_at``. They are queued again to be sent, or
        failed once out of attempts (or superseded meanwhile). Returns how many."""
        now = timezone.now()
        died = Q(heartbeat_at=None) | Q(heartbeat_at__lt=now - cls.LEASE)
        if restarted_worker:
            died |= Q(worker=restarted_worker, started_at__lt=restarted_at)
        dead = cls._base_manager.filter(died, status=cls.Status.RUNNING)
        ended = {"status": cls.Status.FAILED, "finished_at": now, "lease": "", "heartbeat_at": None}
        failed = dead.filter(superseded=True).update(**ended, error="Its worker stopped; a newer run replaced it.")
        failed += dead.filter(attempts__gte=cls.MAX_ATTEMPTS).update(**ended, error=cls._gave_up())
        requeued = dead.update(status=cls.Status.QUEUED, lease="", sent_at=None, heartbeat_at=None)
        return failed + requeued
