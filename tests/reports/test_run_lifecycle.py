"""A report run's outbox and lease, in-process: sending when the broker is down, claiming once,
taking back runs of dead workers, atomic files on a full disk, and report periods that exist.
(tests/faults/ drives the same with real workers, killed processes and a broker behind a proxy.)"""

import errno
import os
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from reports import requesting, tasks
from reports.models import ReportRun
from tests.problems import field_errors
from web.files import private_storage

BRIEF = ReportRun.Kind.COMMISSIONER_BRIEF
API = "/api/v1/report-runs/"


def brief(state, **kwargs):
    return ReportRun.prepare(BRIEF, state=state, period="2010-12").submit(**kwargs)[0]


def stored_files(root):
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


@pytest.fixture
def broker_down(monkeypatch):
    """The broker refuses every message (as kombu does when Redis is unreachable)."""
    sent = []

    def refused(*args, **kwargs):
        sent.append(args)
        raise ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")

    monkeypatch.setattr(tasks, "broker_reachable", lambda: False)
    monkeypatch.setattr(tasks.generate_report, "apply_async", refused)
    return sent


# --- Report periods ---


@pytest.mark.parametrize("period", ["0000-01", "1999-12", "2101-01", "2010-13", "2010-1", "9999-12"])
def test_a_period_that_is_no_report_month_is_refused_when_asked(client, people, colorado, period):
    client.force_login(people["lead"])
    body = {"kind": "state_progress", "state": colorado.state.pk, "period": period}
    response = client.post(API, body, content_type="application/json")
    assert response.status_code == 400 and "period" in field_errors(response)
    page = client.post(reverse("reports:request"), body)
    assert page.status_code == 400
    assert not ReportRun.objects.exists()


@pytest.mark.parametrize("period", ["2000-01", "2010-12", "2100-12"])
def test_report_months_from_2000_to_2100_are_accepted(colorado, period):
    assert ReportRun.prepare(BRIEF, state=colorado.state, period=period).period == period


# --- The outbox ---


def test_a_request_while_the_broker_is_down_is_saved_and_says_so(client, people, colorado, broker_down):
    client.force_login(people["commissioner"])
    body = {"kind": BRIEF, "state": colorado.state.pk, "period": "2010-12"}
    response = client.post(API, body, content_type="application/json")
    assert response.status_code == 202  # queued: poll it
    assert response.json()["notice"] == ReportRun.UNAVAILABLE and response.json()["status"] == "queued"
    run = ReportRun.objects.get()
    assert run.is_unsent and run.sent_at is None
    assert ReportRun.UNAVAILABLE in client.get(run.get_absolute_url()).text
    again = client.post(API, body, content_type="application/json")
    assert (again.status_code, again.json()["id"], again.json()["notice"]) == (202, run.pk, ReportRun.UNAVAILABLE)


def test_unsent_runs_are_sent_when_the_broker_is_back(colorado, broker_down, monkeypatch):
    run, created = requesting.request_report(None, BRIEF, state=colorado.state, period="2010-12")
    assert created and run.is_unsent
    tasks.maintain_runs()  # the broker still refuses: the run stays unsent
    run.refresh_from_db()
    assert run.is_unsent and len(broker_down) == 1
    monkeypatch.undo()  # the broker is back

    assert tasks.maintain_runs() == {"reaped": 0, "sent": 1}
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE and run.sent_at is not None and run.attempts == 1


def test_asking_again_sends_a_run_left_unsent(colorado, broker_down, monkeypatch, django_capture_on_commit_callbacks):
    run, _ = requesting.request_report(None, BRIEF, state=colorado.state, period="2010-12")
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        again, created = requesting.request_report(None, BRIEF, state=colorado.state, period="2010-12")
    assert again.pk == run.pk and not created
    again.refresh_from_db()
    assert again.status == ReportRun.Status.DONE


def test_a_sent_run_is_not_sent_again_until_its_message_may_be_lost(colorado, monkeypatch):
    run = brief(colorado.state)
    ReportRun.objects.filter(pk=run.pk).update(sent_at=timezone.now())
    assert tasks.maintain_runs()["sent"] == 0
    ReportRun.objects.filter(pk=run.pk).update(sent_at=timezone.now() - ReportRun.RESEND_AFTER - timedelta(1))
    assert tasks.maintain_runs()["sent"] == 1


# --- The lease ---


def test_a_run_is_claimed_once(colorado):
    run = brief(colorado.state)
    assert ReportRun.claim(run.pk, lease="first") is not None
    assert ReportRun.claim(run.pk, lease="second") is None  # held by a live worker
    assert ReportRun.claim(run.pk, lease="first").attempts == 2  # the same task again: a retry or redelivery
    run.refresh_from_db()
    assert (run.status, run.lease) == (ReportRun.Status.RUNNING, "first")


def test_a_dead_workers_run_is_claimed_again_and_its_late_finish_is_dropped(colorado, settings, tmp_path):
    run = brief(colorado.state)
    dead = ReportRun.claim(run.pk, lease="dead")
    ReportRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - ReportRun.LEASE - timedelta(seconds=1))
    live = ReportRun.claim(run.pk, lease="live")
    assert live is not None and live.attempts == 2
    assert not dead.renew()  # the dead worker, back to life, learns it lost the run
    assert not dead.mark_done("late.pdf", ContentFile(b"%PDF-late"))
    assert live.mark_done("brief.pdf", ContentFile(b"%PDF-live"))
    assert stored_files(settings.PRIVATE_FILES_ROOT) == [live.file.name]


def test_the_reaper_takes_back_runs_of_dead_workers(colorado):
    expired = timezone.now() - ReportRun.LEASE - timedelta(seconds=1)
    alive, dead, exhausted = (
        ReportRun.prepare(kind, state=colorado.state, zone=zone, period="2010-12").submit()[0]
        for kind, zone in (
            (ReportRun.Kind.STATE_PROGRESS, None),
            (BRIEF, None),
            (ReportRun.Kind.ZONE_PROGRESS, colorado.aurora),
        )
    )
    for run in (alive, dead, exhausted):
        ReportRun.claim(run.pk, lease=f"task-{run.pk}", worker="celery@a")
    ReportRun.objects.filter(pk__in=[dead.pk, exhausted.pk]).update(heartbeat_at=expired)
    ReportRun.objects.filter(pk=exhausted.pk).update(attempts=ReportRun.MAX_ATTEMPTS)

    assert ReportRun.reap() == 2
    alive, dead, exhausted = (ReportRun.objects.get(pk=run.pk) for run in (alive, dead, exhausted))
    assert alive.status == ReportRun.Status.RUNNING
    assert dead.status == ReportRun.Status.QUEUED and dead.is_unsent and dead.lease == ""
    assert exhausted.status == ReportRun.Status.FAILED and "stopped 4 times" in exhausted.error

    # celery@a is restarted (same node name): what it held before it started again is taken back at once
    assert ReportRun.reap("celery@b", timezone.now()) == 0
    assert ReportRun.reap("celery@a", timezone.now()) == 1
    assert ReportRun.objects.get(pk=alive.pk).status == ReportRun.Status.QUEUED


def test_a_run_out_of_attempts_fails_instead_of_rendering_again(colorado):
    run = brief(colorado.state)
    ReportRun.objects.filter(pk=run.pk).update(attempts=ReportRun.MAX_ATTEMPTS)
    assert ReportRun.claim(run.pk, lease="again") is None
    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED and "Request it again" in run.error


def test_failure_bookkeeping_is_retried_while_the_database_is_away(colorado, monkeypatch):
    from django.db import OperationalError

    run = brief(colorado.state)
    ReportRun.claim(run.pk, lease="task")
    real, calls = ReportRun.mark_failed, []

    def flaky(self, error):
        calls.append(error)
        if len(calls) < 3:
            raise OperationalError("the database system is starting up")
        return real(self, error)

    monkeypatch.setattr(ReportRun, "mark_failed", flaky)
    monkeypatch.setattr(tasks.time, "sleep", lambda seconds: None)
    tasks.record_failure(run.pk, "task", "ValueError: boom")
    run.refresh_from_db()
    assert len(calls) == 3 and run.status == ReportRun.Status.FAILED and run.error == "ValueError: boom"


# --- Atomic files ---


class FullDisk:
    """``os.fsync`` fails as on a full disk (delayed allocation reports ENOSPC at flush), after the
    bytes were written to the temporary file."""

    def __init__(self, monkeypatch, error=errno.ENOSPC):
        self.error = error
        monkeypatch.setattr(os, "fsync", self.fsync)

    def fsync(self, fd):
        raise OSError(self.error, os.strerror(self.error))


def test_a_full_disk_leaves_no_partial_file(settings, monkeypatch):
    FullDisk(monkeypatch)
    with pytest.raises(OSError) as raised:
        private_storage().save("reports/2010-12/abc/brief.pdf", ContentFile(b"%PDF-" + b"x" * 100_000))
    assert raised.value.errno == errno.ENOSPC
    assert stored_files(settings.PRIVATE_FILES_ROOT) == []  # no partial, zero-byte or temporary file


def test_a_file_is_never_written_over(settings):
    storage = private_storage()
    first = storage.save("reports/2010-12/abc/brief.pdf", ContentFile(b"first"))
    second = storage.save("reports/2010-12/abc/brief.pdf", ContentFile(b"second"))
    assert first != second and storage.open(first).read() == b"first" and storage.open(second).read() == b"second"
    assert stored_files(settings.PRIVATE_FILES_ROOT) == sorted([first, second])


@pytest.mark.parametrize(
    ("error", "reason"),
    [(errno.ENOSPC, "the file storage is full"), (errno.EROFS, "the file storage is read-only")],
)
def test_a_storage_error_fails_the_run_at_once_with_a_readable_reason(colorado, settings, monkeypatch, error, reason):
    run = brief(colorado.state)
    FullDisk(monkeypatch, error)
    tasks.generate_report.delay(run.pk)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED and run.attempts == 1 and not run.file
    assert run.error.startswith(f"The report could not be saved: {reason} ({os.strerror(error)}).")
    assert stored_files(settings.PRIVATE_FILES_ROOT) == []
