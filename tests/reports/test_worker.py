"""A real Celery worker on Redis generates a brief (runs only when REDIS_URL is set): a worker thread,
the smallest check that the task runs on a worker. tests/faults/ starts worker processes and kills them."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections

from config.celery import app
from reports.models import ReportRun
from reports.tasks import generate_report

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a Redis broker)"),
]


@pytest.fixture
def worker(transactional_db):
    """A worker thread on the Redis broker, sharing the test database; tasks are sent, not run eagerly."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    # The worker thread's own database connection would outlive the test and block dropping the test database.
    task_postrun.connect(close_worker_connections)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
            yield worker
    finally:
        task_postrun.disconnect(close_worker_connections)
        app.conf.task_always_eager = eager


def close_worker_connections(**_kwargs):
    connections.close_all()


def test_a_worker_generates_a_brief(colorado, worker):
    """The run row is the task's result (generate_report stores none in Redis)."""
    run, _ = ReportRun.prepare(ReportRun.Kind.COMMISSIONER_BRIEF, state=colorado.state, period="2010-12").submit()
    generate_report.delay(run.pk)
    deadline = time.monotonic() + 90
    while not run.is_finished and time.monotonic() < deadline:
        time.sleep(0.2)
        run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE and run.attempts == 1
    assert run.worker and run.sent_at is None  # claimed by the worker; sent directly here, not through the outbox
    assert run.file.read(5) == b"%PDF-"
