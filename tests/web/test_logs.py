"""Structured logs (LOG_FORMAT=json): one JSON object per line with the request's and task's ids."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from config.celery import app as celery_app
from core.correlation import bind_correlation_id, reset_correlation_id
from tests.factories import UserFactory
from web.observability import CORRELATION_HEADER, JsonFormatter, LogContextFilter

task_logger = logging.getLogger("tests.web.task")
PROJECT = Path(__file__).resolve().parents[2]


@celery_app.task(name="tests.web.logs_a_line")
def logs_a_line():
    task_logger.info("working")


@pytest.fixture
def json_lines():
    """What the request and task loggers wrote during the test, as the production handler writes it,
    parsed line by line (on those loggers, not the root: a worker starting reconfigures the root)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(LogContextFilter())
    loggers = [logging.getLogger(name) for name in ("web.request", "tests.web.task")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_production_logs_json_unless_debug():
    assert settings.LOG_FORMAT == "json"  # config.settings: DEBUG off, LOG_FORMAT unset
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "json"


@pytest.mark.django_db
def test_a_request_is_one_json_line_with_its_ids(client, json_lines):
    user = UserFactory()
    client.force_login(user)
    response = client.get("/no-such-page/", headers={"X-Request-ID": "client-trace-42"})
    [line] = [entry for entry in json_lines() if entry["logger"] == "web.request"]
    assert line["level"] == "INFO"
    assert line["message"] == "GET /no-such-page/ 404"
    assert line["time"].endswith("+00:00")
    assert line["correlation_id"] == response["X-Request-ID"] == "client-trace-42"
    assert line["user_id"] == user.pk
    assert (line["method"], line["path"], line["status"]) == ("GET", "/no-such-page/", 404)
    assert line["duration_ms"] >= 0
    assert line["db_queries"] >= 1


def test_an_error_line_carries_its_traceback(json_lines):
    try:
        raise ValueError("broken on purpose")
    except ValueError:
        logging.getLogger("tests.web.task").exception("it failed")
    [line] = json_lines()
    assert line["level"] == "ERROR"
    assert line["message"] == "it failed"
    assert "ValueError: broken on purpose" in line["exception"]


def test_a_tasks_lines_carry_its_id_and_the_requests_correlation_id(json_lines):
    token = bind_correlation_id("request-7")
    try:
        result = logs_a_line.delay()  # eager here, as in a request without a broker
    finally:
        reset_correlation_id(token)
    [line] = [entry for entry in json_lines() if entry["logger"] == "tests.web.task"]
    assert line["task_id"] == result.id
    assert line["correlation_id"] == "request-7"


def test_a_queued_task_message_carries_the_correlation_id(monkeypatch):
    """A worker elsewhere reads the id from the message's headers (as ``task.request.request_correlation_id``)."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    with celery_app.connection_for_write("memory://") as connection:
        token = bind_correlation_id("request-8")
        try:
            logs_a_line.apply_async(connection=connection, queue="tests-correlation")
        finally:
            reset_correlation_id(token)
        message = connection.SimpleQueue("tests-correlation").get(timeout=5)
    assert message.headers[CORRELATION_HEADER] == "request-8"
    message.ack()


SENTRY_STATE = """
import django
django.setup()
import sentry_sdk
client = sentry_sdk.get_client()
print(client.is_active(), " ".join(sorted(client.integrations)))
"""


@pytest.mark.parametrize("dsn", ["", "https://public-key@sentry.example.invalid/1"])
def test_sentry_is_initialised_only_with_a_dsn(dsn):
    """With SENTRY_DSN: active, with the Django and Celery integrations; without: nothing set up."""
    env = {**os.environ, "SENTRY_DSN": dsn, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    result = subprocess.run(
        [sys.executable, "-c", SENTRY_STATE], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    active, *integrations = result.stdout.split()
    if dsn:
        assert active == "True"
        assert {"django", "celery"} <= set(integrations)
    else:
        assert (active, integrations) == ("False", [])


@pytest.mark.worker
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a Redis broker)")
def test_a_worker_logs_a_queued_tasks_lines_with_the_requests_correlation_id(json_lines, monkeypatch):
    """Through the broker to a worker thread (its own context: the id comes from the message only)."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        token = bind_correlation_id("request-9")
        try:
            result = logs_a_line.delay()
        finally:
            reset_correlation_id(token)
        result.get(timeout=30)
    [line] = [entry for entry in json_lines() if entry["logger"] == "tests.web.task"]
    assert (line["task_id"], line["correlation_id"]) == (result.id, "request-9")
