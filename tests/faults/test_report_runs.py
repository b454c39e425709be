"""Report runs under worker faults, with real Celery workers (subprocesses, prefork pool) on Redis and
the test's PostgreSQL database: no run stuck, none rendered twice, no partial file, no request lost.

Issue #13, findings 4 (a request during a broker outage), 5 (killed workers), 10 (disk full),
11 (two beats). Each waits on the run's row (short polls with deadlines), never on a fixed sleep.
"""

import resource
import time
from functools import partial

import kombu.pools
import pytest
import redis
from django.db import connection
from django.urls import reverse

from accounts.models import Role
from reports import tasks
from reports.models import ReportRun
from tests.worlds import member

from .conftest import CONCURRENT_CLIENTS, TRIALS, concurrently
from .workers import (
    BRIEF,
    PERIOD,
    finished,
    needs_redis,
    request_brief,
    run_of,
    running,
    scale_states,
    stored_files,
    through,
    wait_for,
)

pytestmark = [needs_redis]

ENDS_WITHIN = 120  # seconds: a killed worker's run ends done or failed within two minutes


def queue_empty(app) -> bool:
    with redis.Redis.from_url(app.conf.broker_url) as client:
        return not client.llen("celery")


def one_brief_file(files_root, run):
    files = stored_files(files_root)
    assert files == [run.file.name], files
    assert (files_root / run.file.name).read_bytes()[:5] == b"%PDF-"


def test_killing_the_pool_process_mid_brief_ends_the_run(big_state, files_root, workers):
    worker = workers("pool-kill")
    run = request_brief(big_state)
    running(run)
    worker.kill_pool_process()  # the process rendering the brief dies (OOM killer, segfault)

    run = finished(run, ENDS_WITHIN)
    assert run.status == ReportRun.Status.DONE, run.error
    assert run.attempts == 2  # rendered again, by the pool's new process
    one_brief_file(files_root, run)
    assert worker.alive()


def test_killing_the_whole_worker_mid_brief_ends_the_run(big_state, files_root, workers):
    first = workers("whole-kill")
    run = request_brief(big_state)
    running(run)
    first.kill()  # kill -9 of the worker and its pool: the message stays unacknowledged in Redis
    started = time.monotonic()
    workers("whole-kill")  # supervision (docker compose's restart policy) starts it again

    run = finished(run, ENDS_WITHIN)
    assert run.status == ReportRun.Status.DONE, run.error
    assert time.monotonic() - started < ENDS_WITHIN
    assert run.attempts == 2
    one_brief_file(files_root, run)


def test_ten_deliveries_of_a_run_at_once_render_it_once(transactional_db, files_root):
    """Ten deliveries of one run's message at once (redeliveries, re-sends, two beats), twenty times."""
    (state,) = scale_states(1, 1)

    def deliver(run):
        try:
            return tasks.generate_report.apply((run.pk,)).get()
        finally:
            connection.close()

    for trial in range(TRIALS):
        run, _ = ReportRun.prepare(BRIEF, state=state, period=f"2012-{trial % 12 + 1:02d}").submit(force=True)
        statuses = concurrently([partial(deliver, run)] * CONCURRENT_CLIENTS)
        run = run_of(run)
        assert run.status == ReportRun.Status.DONE and run.attempts == 1, (trial, statuses, run.attempts)
        assert len(stored_files(files_root)) == trial + 1, trial  # this run's one file, no duplicate
    assert len(stored_files(files_root)) == TRIALS  # one file per run, nothing else


def test_two_beats_generate_each_brief_once(broker, files_root, workers, mailoutbox):
    """Two beat processes (a common deployment mistake) both send the monthly briefs at once."""
    states = scale_states(2, 40)
    workers("beats", concurrency=4)
    for _ in range(2):
        tasks.send_monthly_briefs.delay(PERIOD)

    runs = wait_for(
        lambda: len(done := list(ReportRun._base_manager.filter(status="done"))) == len(states) and done,
        120,
        "every brief done",
    )
    wait_for(lambda: queue_empty(broker), 60, "every message taken")
    time.sleep(2)  # let a second render, if any, finish storing its file
    assert ReportRun._base_manager.count() == len(states)
    assert stored_files(files_root) == sorted(run.file.name for run in runs)  # one file per brief


def file_size_limit(limit: int):
    """The worker may write no file larger than ``limit`` bytes (RLIMIT_FSIZE): a storage that fills up
    mid-file, without touching this machine's disks. A brief of 200 zones is ~200 kB."""

    def limit_writes():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limit_writes


def test_a_full_storage_fails_the_run_with_a_reason_and_no_file(big_state, files_root, workers):
    workers("disk-full", preexec_fn=file_size_limit(64 * 1024))
    run = request_brief(big_state)

    run = finished(run, 90)
    assert stored_files(files_root) == []  # no partial, zero-byte or temporary file
    assert run.status == ReportRun.Status.FAILED and run.attempts == 1 and not run.file
    assert run.error.startswith("The report could not be saved: the file is larger than the file storage allows")


@pytest.fixture
def unreachable_broker(broker, redis_proxy):
    """The test's own publisher goes through a proxy the test controls; workers use Redis directly."""
    direct = broker.conf.broker_url
    broker.conf.broker_url = through(redis_proxy)
    reset_publisher(broker)
    yield redis_proxy
    broker.conf.broker_url = direct
    reset_publisher(broker)


def reset_publisher(app):
    """Drop the pooled broker connections so the next publish connects to ``app.conf.broker_url``."""
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.parametrize("outage", ["drop", "blackhole"])
def test_a_report_requested_while_the_broker_is_down_runs_when_it_is_back(
    big_state, client, files_root, unreachable_broker, workers, outage
):
    client.force_login(member(Role.STATE_LEAD, state=big_state))
    unreachable_broker.set_mode(outage)
    body = {"kind": BRIEF, "state": big_state.pk, "period": PERIOD}

    def ask():
        started = time.monotonic()
        try:
            response = client.post("/api/v1/report-runs/", body, content_type="application/json")
        finally:
            connection.close()
        return response, time.monotonic() - started

    ((response, seconds),) = concurrently([ask], timeout=30)  # a hung request shows as a TypeError here
    assert response.status_code == 202 and seconds < 10, (response.status_code, seconds)
    assert response.json()["notice"] == ReportRun.UNAVAILABLE
    run = ReportRun._base_manager.get(pk=response.json()["id"])
    assert run.is_unsent  # saved, waiting for the report service

    again = client.post("/api/v1/report-runs/", body, content_type="application/json")  # asked again: same run
    assert (again.status_code, again.json()["id"], again.json()["notice"]) == (202, run.pk, ReportRun.UNAVAILABLE)
    page = client.get(reverse("reports:run_detail", kwargs={"reportrun_pk": run.pk}))
    assert ReportRun.UNAVAILABLE in page.text

    unreachable_broker.set_mode("pass")  # the broker is back; a worker starts (or the beat's next round)
    workers("after-outage")
    run = finished(run, 90)
    assert run.status == ReportRun.Status.DONE and run.attempts == 1
    assert client.get(f"/api/v1/report-runs/{run.pk}/").json()["notice"] is None
    one_brief_file(files_root, run_of(run))
