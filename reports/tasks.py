"""Celery tasks that generate reports and send the monthly commissioner briefs.

``generate_report`` is idempotent: a run already done is not rendered again (a redelivered
message after ``acks_late`` is harmless). Transient errors (database connection, file system)
are retried with exponential backoff; any final failure is recorded on the run with its error.
The file is rendered to bytes in memory and stored before the run is marked done, so a crash
mid-render never leaves a half file marked done.

The monthly schedule is a django-celery-beat periodic task created by the data migration
``reports/migrations/0002_monthly_briefs_schedule.py``; admins can move it in the Django admin.

Each task runs in an explicit scope of the tenant wall (accounts.scoping): a run's tasks in the
scope of the run's state (every state for a portfolio run), whether on a worker or eagerly
inside a web request.
"""

import logging
from functools import partial

from celery import Task, shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Membership, Role
from core.tenancy import state_scope
from zones.models import State, Zone

from . import requesting, services
from .models import ReportRun

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, InterfaceError, OSError)


class ReportTask(Task):
    """Records a run's final failure (after retries, or a time limit) on the run itself.

    Run eagerly (no REDIS_URL), it behaves as on a worker: retries happen and a failure is
    recorded on the run instead of being raised into the caller (e.g. the web request).
    """

    def apply(self, *args, throw=None, **kwargs):
        return super().apply(*args, throw=False if throw is None else throw, **kwargs)

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        with scopes_disabled():  # records the failure on this one run, by id, even if it is gone
            run = ReportRun.objects.filter(pk=args[0]).exclude(status=ReportRun.Status.DONE).first()
            if run is not None:
                run.mark_failed(f"{type(exc).__name__}: {exc}"[:2000])
        logger.error("Report run %s failed: %s", args[0], exc)


@shared_task(
    base=ReportTask,
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=3,
    soft_time_limit=120,
    time_limit=150,
)
def generate_report(run_pk: int) -> str:
    with run_scope(run_pk):
        run = ReportRun.objects.select_related("state", "zone").get(pk=run_pk)
        if run.status == ReportRun.Status.DONE:
            return run.status
        run.mark_running()
        filename, content = services.render_run(run)
        run.mark_done(filename, ContentFile(content))
        return run.status


def run_scope(run_pk: int):
    """The scope of a task for one report run: the run's state (every state for a portfolio run)."""
    return state_scope(ReportRun._base_manager.values_list("state_id", flat=True).get(pk=run_pk))


def enqueue(run: ReportRun, then=None) -> None:
    """Generate the run once the request's transaction commits (the worker must see the row), then
    run the ``then`` signature if given. Generating a done run again does nothing."""
    transaction.on_commit(partial(generate_report.apply_async, (run.pk,), link=then))


def commissioner_emails(state) -> list[str]:
    members = Membership.objects.filter(role=Role.COMMISSIONER, state=state, user__is_active=True)
    emails = {email.lower() for email in members.values_list("user__email", flat=True)}
    if state.commissioner_email:
        emails.add(state.commissioner_email.lower())
    return sorted(emails)


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, max_retries=3)
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


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, max_retries=3)
def send_monthly_briefs(period: str = "") -> list[int]:
    """Brief every state with a zone under way, then email its commissioners the link."""
    with scopes_disabled():  # the monthly briefs are for every state: no one user's wall applies
        states = State.objects.filter(zones__status__in=[*Zone.OPERATING_STATUSES, Zone.Status.PLANNING]).distinct()
        brief = ReportRun.Kind.COMMISSIONER_BRIEF
        runs = [
            requesting.request_report(None, brief, state=state, period=period, email_commissioners=True)[0]
            for state in states
        ]
        return [run.pk for run in runs]
