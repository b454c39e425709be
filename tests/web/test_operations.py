"""/health/live, /health/ready and /metrics (web.operations, web.observability, reports.metrics)."""

import logging
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from unittest.mock import ANY

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from config.celery import app as celery_app
from reports.models import ReportRun
from tests.factories import ReportRunFactory, UserFactory
from tests.faults.proxy import FaultProxy
from tests.objectstore import object_store  # noqa: F401 (fixture)
from web.tasks import purge_expired_idempotency_keys

PROJECT = Path(__file__).resolve().parents[2]
TOKEN = "scrape-secret"


@pytest.fixture
def dead_port():
    """A local port that refuses every connection (a FaultProxy told to drop)."""
    proxy = FaultProxy(("127.0.0.1", 9))
    proxy.set_mode("drop")
    yield proxy.port
    proxy.close()


def in_own_thread(call):
    """``call()`` on another thread: its own database connection, which the test may point elsewhere."""
    result = {}

    def run():
        try:
            result["value"] = call()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    return result["value"]


def ready():
    return Client().get("/health/ready")


# --- health ---


@pytest.mark.django_db(transaction=True)
def test_ready_reports_each_check_when_every_dependency_answers():
    response = in_own_thread(ready)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker", "storage"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db(transaction=True)
def test_ready_is_503_within_seconds_when_the_database_hangs():
    """A database that accepts and never answers: the connect timeout (5 s) bounds the probe, so probes
    never pile up on gunicorn's workers."""
    if connection.vendor != "postgresql":
        pytest.skip("a hanging server needs PostgreSQL (DATABASE_URL, as .ci/run)")
    proxy = FaultProxy((connection.settings_dict["HOST"] or "127.0.0.1", int(connection.settings_dict["PORT"] or 5432)))
    proxy.set_mode("blackhole")

    def ready_while_the_database_hangs():
        connection.settings_dict = {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": proxy.port}
        started = time.monotonic()
        return ready(), time.monotonic() - started

    try:
        response, seconds = in_own_thread(ready_while_the_database_hangs)
    finally:
        proxy.close()
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["ok"] is False
    assert seconds < 8


@pytest.mark.django_db(transaction=True)
def test_ready_is_503_when_the_database_is_unreachable(dead_port):
    def ready_without_database():
        if connection.vendor == "postgresql":
            connection.settings_dict = {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": dead_port}
        else:
            connection.settings_dict = {**connection.settings_dict, "NAME": "/nonexistent/folder/db.sqlite3"}
        return ready()

    response = in_own_thread(ready_without_database)
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["ok"] is False
    assert checks["storage"]["ok"] is True  # the others are still asked and reported


@pytest.mark.django_db
def test_ready_is_503_when_redis_is_unreachable(dead_port, caplog):
    """The cache fails open (pages keep working), so readiness asks its Redis directly. Each failed
    check is one warning; the 503 itself is not logged again as an error (nor sent to Sentry)."""
    redis_url = f"redis://127.0.0.1:{dead_port}/0"
    caches = {"default": {"BACKEND": "core.cache.FailOpenRedisCache", "LOCATION": redis_url}}
    with override_settings(CACHES=caches, CELERY_BROKER_URL=redis_url):
        response = ready()
        assert response.status_code == 503
        checks = response.json()["checks"]
        assert checks["cache"] == {"ok": False, "error": "ConnectionError", "ms": checks["cache"]["ms"]}
        assert checks["broker"]["ok"] is False
        assert checks["database"]["ok"] is True
        assert [record.name for record in caplog.records if record.levelno >= logging.WARNING] == [
            "web.operations",
            "web.operations",
        ]

        with override_settings(HEALTH_READY_OPTIONAL=["cache", "broker"]):
            degraded = ready()
        assert degraded.status_code == 200
        assert degraded.json()["checks"]["cache"]["ok"] is False


@pytest.mark.django_db
def test_ready_is_503_when_the_private_storage_is_missing(tmp_path):
    with override_settings(PRIVATE_FILES_ROOT=tmp_path / "not-mounted"):
        response = ready()
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["ok"] is False


@pytest.mark.django_db
def test_ready_asks_the_object_store_when_files_go_there(object_store, settings):  # noqa: F811 (fixture)
    private = {"BACKEND": "web.files.PrivateS3Storage", "OPTIONS": object_store.storage_options}
    settings.STORAGES = {**settings.STORAGES, "private": private}
    assert ready().json()["checks"]["storage"]["ok"] is True
    missing = {**private, "OPTIONS": {**private["OPTIONS"], "bucket_name": "no-such-bucket"}}
    settings.STORAGES = {**settings.STORAGES, "private": missing}
    response = ready()
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == {"ok": False, "error": "NoSuchBucket", "ms": ANY}


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True, ALLOWED_HOSTS=["portfolio.example.org"])
def test_probes_answer_on_the_pods_address_over_http_without_session_or_writes(django_assert_num_queries):
    """A kubelet probes http://<pod ip>:8000: no HTTPS redirect, no host check, no cookie, one read."""
    client = Client(HTTP_HOST="10.1.2.3:8000")
    live = client.get("/health/live")
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    with django_assert_num_queries(1):  # SELECT 1
        assert client.get("/health/ready").status_code == 200
    assert not client.cookies
    assert client.get("/").status_code == 400  # any other page still checks the host


def test_liveness_needs_no_dependency(dead_port):
    """No database access at all (no db fixture: a query would fail the test)."""
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{dead_port}/0"):
        assert Client().get("/health/live").status_code == 200


# --- metrics ---


def scrape(client=None, token=TOKEN):
    client = client or Client()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with override_settings(METRICS_TOKEN=TOKEN):
        return client.get("/metrics", headers=headers)


def samples(response) -> dict:
    """{(name, sorted labels): value} of a Prometheus text answer."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(found: dict, name: str, **labels) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.mark.django_db
def test_metrics_need_the_configured_token():
    assert scrape(token=None).status_code == 404
    assert scrape(token="guess").status_code == 404
    with override_settings(METRICS_TOKEN=""):  # no token configured: never open
        assert Client().get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404
    assert scrape().status_code == 200


@pytest.mark.django_db
def test_requests_are_counted_and_timed_by_view(client):
    client.force_login(UserFactory())
    before = samples(scrape())
    status = str(client.get("/").status_code)
    assert str(client.get("/").status_code) == status
    client.get("/no-such-page/")
    after = samples(scrape())

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    view = "portfolio:home"
    assert delta("zp_http_responses_total", view=view, method="GET", status=status) == 2
    assert delta("zp_http_request_duration_seconds_count", view=view, method="GET") == 2
    assert delta("zp_http_request_db_queries_count", view=view) == 2
    assert delta("zp_http_request_db_queries_sum", view=view) >= 2  # the session and the user at least
    assert delta("zp_http_responses_total", view="<unresolved>", method="GET", status="404") == 1


@celery_app.task(name="tests.web.fails")
def fails():
    raise ValueError("broken on purpose")


@pytest.mark.django_db
def test_celery_tasks_are_counted_by_outcome_and_timed():
    name = purge_expired_idempotency_keys.name
    before = samples(scrape())
    purge_expired_idempotency_keys.delay()
    assert fails.apply(throw=False).failed()  # as a worker runs it: the error is the task's outcome
    after = samples(scrape())
    assert (
        value(after, "zp_celery_tasks_total", task=name, outcome="success")
        - value(before, "zp_celery_tasks_total", task=name, outcome="success")
        == 1
    )
    assert (
        value(after, "zp_celery_tasks_total", task="tests.web.fails", outcome="failure")
        - value(before, "zp_celery_tasks_total", task="tests.web.fails", outcome="failure")
        == 1
    )
    assert value(after, "zp_celery_task_duration_seconds_count", task=name) > value(
        before, "zp_celery_task_duration_seconds_count", task=name
    )


@pytest.mark.django_db
def test_report_queue_age_is_the_oldest_queued_runs_wait():
    assert value(samples(scrape()), "zp_report_queue_oldest_age_seconds") == 0
    old, _recent, running = ReportRunFactory.create_batch(3)
    ReportRun.objects.filter(pk=old.pk).update(requested_at=timezone.now() - timedelta(minutes=10))
    ReportRun.objects.filter(pk=running.pk).update(
        status=ReportRun.Status.RUNNING, requested_at=timezone.now() - timedelta(hours=1)
    )
    found = samples(scrape())
    assert 600 <= value(found, "zp_report_queue_oldest_age_seconds") < 660
    assert value(found, "zp_report_runs_unfinished", status="queued") == 2
    assert value(found, "zp_report_runs_unfinished", status="running") == 1


WRITE_SAMPLES = """
import django
django.setup()
from web.observability import RESPONSES
RESPONSES.labels("portfolio:home", "GET", "200").inc(3)
"""


@pytest.mark.django_db
def test_several_processes_are_added_up_in_multiprocess_mode(tmp_path, monkeypatch):
    """Gunicorn's workers each count their own requests; one scrape (any worker) sees the sum."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    for _worker in range(2):
        subprocess.run([sys.executable, "-c", WRITE_SAMPLES], cwd=PROJECT, env=env, check=True, timeout=120)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    found = samples(scrape())
    assert value(found, "zp_http_responses_total", view="portfolio:home", method="GET", status="200") == 6
    assert ("zp_report_queue_oldest_age_seconds", ()) in found  # the scrape-time figures too
