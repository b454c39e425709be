"""Celery tasks that generate reports, keep report runs moving, and send the monthly commissioner briefs.

How a run gets rendered exactly once, whatever fails (the run row is the outbox and the lease, see
``reports.models.ReportRun``):

- **Sending.** ``enqueue`` sends the run once the request's transaction commits. Publishing fails
  fast when the broker (Redis) is unreachable (``CELERY_BROKER_TRANSPORT_OPTIONS`` timeouts and a
  short ``CELERY_TASK_PUBLISH_RETRY_POLICY``); the run then stays queued and unsent (the user is
  told it is saved) and ``maintain_runs`` sends it when the broker is back.
- **Claiming.** ``generate_report`` claims the run atomically before rendering, so a redelivered
  message, a re-sent run or two beats never render it twice, and renews the claim's heartbeat from a
  small thread while it renders. Only the claim's holder may mark the run done; a late finisher's
  file is removed.
- **Reaping.** ``maintain_runs`` (beat, every 30 s, and at each worker start) takes back runs whose
  worker died (no heartbeat for ``ReportRun.LEASE``): queued again and re-sent, or failed after
  ``ReportRun.MAX_ATTEMPTS`` renders. A pool process killed mid-render also returns its message at
  once (``reject_on_worker_lost``); the same task then reclaims its run.
- **Failing.** Transient errors (database connection, file system) are retried with exponential
  backoff; a full or read-only file storage fails the run at once with a readable reason; a final
  failure is recorded on the run, retried while the database is briefly gone (and else the reaper
  records it once the lease expires).

The file is rendered in memory and stored atomically (``web.files``) before the run is marked done,
so a crash mid-render never leaves a half file, let alone one marked done.

The monthly schedule is a django-celery-beat periodic task created by the data migration
``reports/migrations/0002_monthly_briefs_schedule.py``; admins can move it in the Django admin.
``maintain_runs`` and the daily ``assemble_renewal_dossiers`` are in ``CELERY_BEAT_SCHEDULE``
(config/settings.py). Only the beat holding the leader lock sends them (config/beat.py); even two
sending beats would be harmless: each run is claimed once, the monthly briefs take a lock per month,
and a renewal's dossier is one run per renewal.

Each task runs in an explicit scope of the tenant wall (accounts.scoping): a run's tasks in the
scope of the run's state (every state for a portfolio run), whether on a worker or eagerly
inside a web request.
"""

import errno
import logging
import threading
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from functools import partial

from celery import Task, shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Membership, Role
from core.tenancy import state_scope
from zones.models import State, Zone

from . import requesting, services
from .models import ReportRun, current_period

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, InterfaceError, OSError)
# File storage errors that waiting a minute will not mend: the run fails at once, saying why.
STORAGE_ERRORS = {
    errno.ENOSPC: "the file storage is full",
    errno.EDQUOT: "the file storage's quota is used up",
    errno.EFBIG: "the file is larger than the file storage allows",
    errno.EROFS: "the file storage is read-only",
    errno.EACCES: "the worker may not write to the file storage",
    errno.EPERM: "the worker may not write to the file storage",
}
# Recording a final failure while the database is briefly gone: tries, 1 + 2 + 4 + 8 s apart.
RECORD_FAILURE_TRIES = 5


class ReportStorageError(Exception):
    """The finished report could not be stored; the message says why, for the run's page."""


def failure_reason(exc: BaseException) -> str:
    if isinstance(exc, ReportStorageError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"[:2000]


class ReportTask(Task):
    """Records a run's final failure (after retries, or a soft time limit) on the run itself.

    Run eagerly (no REDIS_URL), it behaves as on a worker: retries happen and a failure is
    recorded on the run instead of being raised into the caller (e.g. the web request).
    """

    def apply(self, *args, throw=None, **kwargs):
        return super().apply(*args, throw=False if throw is None else throw, **kwargs)

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        record_failure(args[0], task_id, failure_reason(exc))
        logger.error("Report run %s failed: %s", args[0], exc)


def record_failure(run_pk: int, lease: str, reason: str) -> None:
    """Mark the run failed (if this task still holds it), retrying while the database is away; if it
    stays away, the reaper takes the run back once its lease expires."""
    for attempt in range(RECORD_FAILURE_TRIES):
        try:
            with scopes_disabled():
                ReportRun(pk=run_pk, lease=lease).mark_failed(reason)
            return
        except DatabaseError as error:
            logger.warning("Could not record the failure of report run %s yet: %s", run_pk, error)
            if not connection.in_atomic_block:  # a worker's own connection: reconnect on the next try
                connection.close()
            if attempt + 1 < RECORD_FAILURE_TRIES:
                time.sleep(2**attempt)
    logger.error("Gave up recording the failure of report run %s; the reaper will take it back.", run_pk)


@shared_task(
    bind=True,
    base=ReportTask,
    acks_late=True,
    reject_on_worker_lost=True,  # a killed pool process returns the message: the same task reclaims its run
    ignore_result=True,  # the run row is the result
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=ReportRun.MAX_ATTEMPTS - 1,
    soft_time_limit=120,
    time_limit=150,
)
def generate_report(self, run_pk: int) -> str:
    with run_scope(run_pk):
        run = ReportRun.claim(run_pk, lease=self.request.id, worker=self.request.hostname or "")
        if run is None:  # finished, or another worker holds it
            return ReportRun._base_manager.values_list("status", flat=True).get(pk=run_pk)
        try:
            with heartbeat(run, beating=not self.request.is_eager):
                filename, content = services.render_run(run)
                done = store(run, filename, content)
        except TRANSIENT_ERRORS:
            with suppress_database_errors():
                run.release()  # queued again for this task's retry; the reaper leaves it alone
            raise
    if done and ReportRun._base_manager.filter(pk=run_pk, email_commissioners=True, emailed_at=None).exists():
        publish(email_brief_link, run_pk)
    return run.status


def store(run: ReportRun, filename: str, content: bytes) -> bool:
    """Store the file and mark the run done; a storage that cannot take it fails the run with the reason."""
    try:
        return run.mark_done(filename, ContentFile(content))
    except OSError as error:
        if error.errno not in STORAGE_ERRORS:
            raise
        raise ReportStorageError(
            f"The report could not be saved: {STORAGE_ERRORS[error.errno]} ({error.strerror}). "
            "No file was kept; request the report again once the storage is fixed."
        ) from error


@contextmanager
def suppress_database_errors():
    try:
        yield
    except DatabaseError as error:
        logger.warning("Report bookkeeping skipped, the database is away: %s", error)


@contextmanager
def heartbeat(run: ReportRun, beating: bool = True):
    """Renew the run's lease every ``ReportRun.HEARTBEAT`` from a thread while the block renders.

    Eager runs (inside a web request, no worker) need no lease: nothing else would take them back.
    """
    if not beating:
        yield
        return
    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(ReportRun.HEARTBEAT.total_seconds()):
                try:
                    if not run.renew():
                        logger.warning("Report run %s was taken back from this worker.", run.pk)
                        return
                except DatabaseError as error:  # the lease may lapse; the claim decides who finishes
                    logger.warning("Heartbeat of report run %s missed: %s", run.pk, error)
                    connection.close()
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"report-run-{run.pk}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def run_scope(run_pk: int):
    """The scope of a task for one report run: the run's state (every state for a portfolio run)."""
    return state_scope(ReportRun._base_manager.values_list("state_id", flat=True).get(pk=run_pk))


def publish(task, *args, kwargs=None, **options) -> bool:
    """Send ``task``; False, logged, when the broker is unreachable (publishing fails fast, see settings)."""
    try:
        task.apply_async(args, kwargs, **options)
    except Exception as error:  # any broker failure: the caller's row stays as the outbox
        logger.warning("The report service is unavailable; %s%s not sent: %r", task.name, args, error)
        return False
    return True


def send(run: ReportRun) -> None:
    """Hand a queued run to the report service; if the broker is unreachable it stays unsent
    (``run.is_unsent``) for ``maintain_runs`` to send later. Sending twice is harmless (the claim)."""
    now = timezone.now()
    if run.mark_sending(now) and not publish(generate_report, run.pk):
        run.mark_unsent(now)


def enqueue(run: ReportRun) -> None:
    """Send the run once the request's transaction commits (the worker must see the row), if the
    report service is reachable now; else it stays unsent (``run.is_unsent``, which the request's
    answer reports) and ``maintain_runs`` sends it when the service is back."""
    if broker_reachable():
        run.send_scheduled = True
        transaction.on_commit(partial(send, run))


def broker_reachable() -> bool:
    """Whether the broker answers now (within the broker timeouts of the settings); eager: always."""
    app = generate_report.app
    if app.conf.task_always_eager:
        return True
    try:
        with app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, timeout=app.conf.broker_connection_timeout)
    except Exception as error:  # any failure to reach it: the run waits as unsent
        logger.warning("The report service (broker) is unreachable: %r", error)
        return False
    return True


@shared_task(ignore_result=True)
def maintain_runs(restarted_worker: str = "", restarted_at: str = "") -> dict:
    """Keep runs moving (beat, every 30 s, and at worker start): take back runs whose worker died
    (and, from a worker that starts again, the runs its previous life held), send runs left unsent
    (the broker was down) or whose message was lost, and email the links the broker did not take."""
    now = timezone.now()
    restarted = datetime.fromisoformat(restarted_at) if restarted_at else None
    with scopes_disabled():
        reaped = ReportRun.reap(restarted_worker, restarted)
        due = ReportRun._base_manager.filter(ReportRun.due_for_sending(now), superseded=False)
        sent = 0
        for run in due.order_by("pk")[:500]:
            send(run)
            sent += run.sent_at is not None
        unmailed = ReportRun._base_manager.filter(
            status=ReportRun.Status.DONE,
            email_commissioners=True,
            emailed_at=None,
            finished_at__lt=now - timedelta(minutes=1),
        )
        for run_pk in unmailed.values_list("pk", flat=True)[:500]:
            publish(email_brief_link, run_pk)
    if reaped or sent:
        logger.info("Report runs: %s taken back from dead workers, %s sent.", reaped, sent)
    return {"reaped": reaped, "sent": sent}


@worker_ready.connect
def maintain_runs_at_worker_start(sender, **_kwargs):
    """A (re)started worker sends what waits at once and takes back what it held before it died (same
    node name, as a supervisor restarts it); a replacement under another name takes back the dead
    worker's runs once their lease has expired."""
    publish(maintain_runs, kwargs={"restarted_worker": sender.hostname, "restarted_at": timezone.now().isoformat()})
    publish(maintain_runs, countdown=ReportRun.LEASE.total_seconds() + 5)


def commissioner_emails(state) -> list[str]:
    members = Membership.objects.filter(role=Role.COMMISSIONER, state=state, user__is_active=True)
    emails = {email.lower() for email in members.values_list("user__email", flat=True)}
    if state.commissioner_email:
        emails.add(state.commissioner_email.lower())
    return sorted(emails)


@shared_task(acks_late=True, ignore_result=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, max_retries=3)
def email_brief_link(run_pk: int) -> int:
    """Email the state's commissioners a link to a finished brief, once per run."""
    with run_scope(run_pk), transaction.atomic():
        run = ReportRun.objects.select_for_update(of=("self",)).select_related("state").get(pk=run_pk)
        if run.status != ReportRun.Status.DONE or run.emailed_at is not None:
            return 0
        recipients = commissioner_emails(run.state)
        if recipients:
            link = settings.SITE_URL.rstrip("/") + run.get_absolute_url()
            send_mail(
                subject=f"{run.state} commissioner brief for {run.period}",
                message=(
                    f"The monthly commissioner brief for {run.state} is ready for the network's call.\n\n"
                    f"Download it (sign-in required): {link}\n"
                ),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=recipients,
            )
        run.emailed_at = timezone.now()
        run.save(update_fields=["emailed_at"])
    return len(recipients)


# Two beats (a common deployment mistake) both send the month's briefs: the first takes this lock.
MONTHLY_BRIEFS_LOCK = timedelta(hours=1)


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, max_retries=3)
def send_monthly_briefs(period: str = "") -> list[int]:
    """Brief every state with a zone under way, then email its commissioners the link.

    Once per month within ``MONTHLY_BRIEFS_LOCK``: a second beat's call does nothing. Without the
    cache the lock is not taken, and the claim still renders each brief once.
    """
    period = period or current_period()
    try:
        lock = f"reports:monthly-briefs:{period}"
        first = cache.add(lock, timezone.now().isoformat(), int(MONTHLY_BRIEFS_LOCK.total_seconds()))
    except Exception as error:  # the cache is down: the runs' claims keep the briefs single
        logger.warning("Monthly briefs lock unavailable (%r); relying on the runs' claims.", error)
        first = True
    if not first:
        logger.info("The %s briefs were already sent by another beat.", period)
        return []
    with scopes_disabled():  # the monthly briefs are for every state: no one user's wall applies
        states = State.objects.filter(zones__status__in=[*Zone.OPERATING_STATUSES, Zone.Status.PLANNING]).distinct()
        brief = ReportRun.Kind.COMMISSIONER_BRIEF
        runs = [
            requesting.request_report(None, brief, state=state, period=period, email_commissioners=True)[0]
            for state in states
        ]
        return [run.pk for run in runs]


# A zone's renewal dossier is assembled this many days before its renewal date.
RENEWAL_DOSSIER_LEAD_DAYS = 60


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, max_retries=3)
def assemble_renewal_dossiers(today: str = "") -> list[int]:
    """Request the renewal dossier of every zone (not closed) whose renewal date is within
    ``RENEWAL_DOSSIER_LEAD_DAYS`` (daily beat), through the one request use case. A dossier is
    about its renewal (its month is the renewal date's): asking again, from a second beat or the
    next day, reuses the current run, so each renewal gets one dossier (a failed one is replaced)."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    with scopes_disabled():  # every state's zones: no one user's wall applies
        zones = (
            Zone.objects.filter(renewal_on__gte=day, renewal_on__lte=day + timedelta(days=RENEWAL_DOSSIER_LEAD_DAYS))
            .exclude(status=Zone.Status.CLOSED)
            .select_related("state", "lead_partner")
            .order_by("renewal_on", "pk")
        )
        dossier = ReportRun.Kind.RENEWAL_DOSSIER
        return [requesting.request_report(None, dossier, zone=zone)[0].pk for zone in zones]
