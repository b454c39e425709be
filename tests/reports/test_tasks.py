"""Report generation in Celery (eager here): idempotency, retries, failures, atomic files, the monthly run."""

from datetime import timedelta

from django.core import mail
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import OperationalError
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from accounts.models import Role
from config.celery import app
from reports import requesting, services, tasks
from reports.models import ReportRun
from tests.factories import MembershipFactory, UserFactory

BRIEF = ReportRun.Kind.COMMISSIONER_BRIEF


def request_brief(state, **kwargs):
    return ReportRun.prepare(BRIEF, state=state, period="2010-12").submit(**kwargs)


def failing_once(monkeypatch, error):
    """Make rendering fail once with ``error``, then work; returns the list of calls."""
    calls = []
    real = services.render_run

    def render(run):
        calls.append(run.pk)
        if len(calls) == 1:
            raise error
        return real(run)

    monkeypatch.setattr(services, "render_run", render)
    return calls


def stored_files(root):
    """Every file stored under ``root``, as paths relative to it."""
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def test_a_brief_is_generated_and_stored(colorado):
    run, created = request_brief(colorado.state)
    assert created and run.status == ReportRun.Status.QUEUED
    tasks.generate_report.delay(run.pk)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE and run.attempts == 1 and run.error == ""
    assert run.started_at <= run.finished_at
    assert run.file.name.endswith("brief-CO-2010-12.pdf")
    assert run.file.read(5) == b"%PDF-"


def test_same_report_reuses_its_run_unless_forced(colorado, monkeypatch):
    run, _ = request_brief(colorado.state)
    tasks.generate_report.delay(run.pk)
    run.refresh_from_db()
    again, created = request_brief(colorado.state)
    assert (again.pk, created) == (run.pk, False)

    calls = failing_once(monkeypatch, AssertionError("rendered twice"))
    tasks.generate_report.delay(run.pk)  # a redelivered message for a finished run renders nothing
    assert calls == []

    fresh, created = request_brief(colorado.state, force=True)
    assert created and fresh.pk != run.pk
    run.refresh_from_db()
    assert run.superseded and not fresh.superseded
    assert ReportRun.objects.current().for_scope(BRIEF, colorado.state, period="2010-12").get() == fresh


def test_a_failed_or_dead_run_is_replaced_on_request(colorado):
    failed, _ = request_brief(colorado.state)
    failed.mark_failed("OSError: disk full")
    dead, created = request_brief(colorado.state)
    assert created and dead.pk != failed.pk
    assert ReportRun.claim(dead.pk, lease="task-1") is not None  # a worker took it, then died:
    ReportRun.objects.filter(pk=dead.pk).update(heartbeat_at=timezone.now() - ReportRun.LEASE * 2)
    dead.refresh_from_db()
    assert dead.is_stale
    replacement, created = request_brief(colorado.state)
    assert created and replacement.pk not in (failed.pk, dead.pk)
    dead.refresh_from_db()
    assert dead.superseded and dead.status == ReportRun.Status.FAILED and "worker stopped" in dead.error
    dead.lease = "task-1"
    assert not dead.mark_done("late.pdf", ContentFile(b"%PDF-late"))  # its worker's late finish cannot land


def test_a_transient_error_is_retried_and_the_run_succeeds(colorado, monkeypatch):
    run, _ = request_brief(colorado.state)
    calls = failing_once(monkeypatch, OperationalError("server closed the connection unexpectedly"))
    tasks.generate_report.delay(run.pk)
    run.refresh_from_db()
    assert calls == [run.pk, run.pk]
    assert run.status == ReportRun.Status.DONE and run.attempts == 2 and run.error == ""


def test_a_failure_is_recorded_with_its_error(colorado, monkeypatch):
    run, _ = request_brief(colorado.state)
    failing_once(monkeypatch, ValueError("no template for this kind"))
    assert tasks.generate_report.delay(run.pk).failed()  # recorded, not raised into the caller
    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED and run.attempts == 1
    assert run.error == "ValueError: no template for this kind"
    assert not run.file and run.finished_at is not None


def test_transient_errors_give_up_after_the_retries(colorado, monkeypatch):
    run, _ = request_brief(colorado.state)

    def always_fails(run):
        raise OSError("No space left on device")

    monkeypatch.setattr(services, "render_run", always_fails)
    assert tasks.generate_report.delay(run.pk).failed()
    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED
    assert run.attempts == tasks.generate_report.max_retries + 1
    assert run.error == "OSError: No space left on device"


def test_no_file_is_left_when_the_run_cannot_be_marked_done(colorado, monkeypatch, settings):
    """The file is stored, then the row update fails: the file goes, the retry stores one file and is done."""
    run, _ = request_brief(colorado.state)
    real_held = ReportRun._held
    failures = []

    class LosingConnection:
        def __init__(self, held):
            self.held = held

        def update(self, **fields):
            if fields.get("status") == ReportRun.Status.DONE and not failures:
                failures.append(fields["file"])
                raise OperationalError("connection lost while marking done")
            return self.held.update(**fields)

    monkeypatch.setattr(ReportRun, "_held", lambda self: LosingConnection(real_held(self)))
    tasks.generate_report.delay(run.pk)
    run.refresh_from_db()
    assert failures and run.status == ReportRun.Status.DONE and run.attempts == 2
    assert stored_files(settings.PRIVATE_FILES_ROOT) == [run.file.name]


def test_monthly_briefs_email_each_commissioner_once(colorado, django_capture_on_commit_callbacks):
    """The beat task requests each brief through the one use case (reports.requesting), which queues
    it once the task's writes commit (at once on a worker; the test's transaction is captured here)."""
    commissioner = MembershipFactory(
        role=Role.COMMISSIONER, state=colorado.state, user=UserFactory(email="commissioner@co.example.org")
    ).user
    with django_capture_on_commit_callbacks(execute=True):
        run_ids = tasks.send_monthly_briefs.delay("2010-12").get()
    runs = ReportRun.objects.filter(pk__in=run_ids).select_related("state")
    assert {run.state.name for run in runs} == {"Colorado", "Ohio"}
    assert all(run.status == ReportRun.Status.DONE and run.emailed_at for run in runs)
    colorado_mail = next(m for m in mail.outbox if "Colorado" in m.subject)
    assert sorted(colorado_mail.to) == sorted([commissioner.email, colorado.state.commissioner_email.lower()])
    colorado_run = runs.get(state=colorado.state)
    assert f"/reports/runs/{colorado_run.pk}/" in colorado_mail.body

    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_monthly_briefs.delay("2010-12").get() == []  # a second beat: the month's lock is taken
    assert len(mail.outbox) == sent  # and nobody is emailed twice
    cache.clear()  # the lock expired: asking again reuses the month's runs, and emails no one twice
    with django_capture_on_commit_callbacks(execute=True):
        assert sorted(tasks.send_monthly_briefs.delay("2010-12").get()) == sorted(run_ids)
    assert len(mail.outbox) == sent


def test_beat_runs_the_monthly_briefs(db):
    periodic = PeriodicTask.objects.get(name="Monthly commissioner briefs")
    assert periodic.enabled and periodic.task in app.tasks
    assert (periodic.crontab.day_of_month, periodic.crontab.hour, periodic.crontab.minute) == ("1", "6", "0")


def test_beat_keeps_runs_moving_every_30_seconds(settings):
    """The reaper and re-sender: beat installs it into the database scheduler at start."""
    entry = settings.CELERY_BEAT_SCHEDULE["report-runs-maintenance"]
    assert entry["task"] == tasks.maintain_runs.name and entry["schedule"] == 30.0
    assert entry["options"]["expires"] < entry["schedule"]  # rounds missed while the broker was down do not pile up
    lease = ReportRun.LEASE.total_seconds()
    assert ReportRun.HEARTBEAT.total_seconds() * 3 <= lease and lease + entry["schedule"] <= 120  # minutes, not an hour
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > settings.CELERY_TASK_TIME_LIMIT + 120


def test_runs_are_queued_after_the_request_commits(colorado, django_capture_on_commit_callbacks):
    run, _ = request_brief(colorado.state)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tasks.enqueue(run)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.QUEUED and len(callbacks) == 1
    callbacks[0]()
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE
    assert timedelta(0) <= run.duration


def test_the_monthly_briefs_go_through_the_request_use_case(colorado, monkeypatch):
    """One use case: the schedule asks reports.requesting like the pages and the API do, as no one."""
    calls = []
    real = requesting.request_report

    def spy(user, kind, **kwargs):
        calls.append((user, kind, kwargs["email_commissioners"]))
        return real(user, kind, **kwargs)

    monkeypatch.setattr(requesting, "request_report", spy)
    tasks.send_monthly_briefs.delay("2010-12").get()
    assert calls and set(calls) == {(None, BRIEF, True)}
    assert not ReportRun.objects.exclude(requested_by=None).exists()
