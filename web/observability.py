"""What the processes tell operators: Prometheus metrics of requests and Celery tasks, and log lines
that carry the request's correlation id (``core.correlation``), its user and, in a task, the task's id.

Metrics are ``prometheus_client``'s. With several processes (gunicorn workers, Celery's pool) each
process writes its samples to ``PROMETHEUS_MULTIPROC_DIR`` and a scrape adds them up
(``metrics_registry``); the folder must be empty when the server starts (README, "Running on several
machines"). ``/metrics`` itself is served by ``web.operations``.

Logs: ``LOG_FORMAT=json`` (the default unless DEBUG) writes one JSON object per line
(``JsonFormatter``); every line of a request or task gets its ids from ``LogContextFilter``."""

import json
import logging
import os
import time
from contextvars import ContextVar
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, multiprocess, start_http_server

from core.correlation import bind_correlation_id, bound_correlation_id, reset_correlation_id

request_logger = logging.getLogger("web.request")

# Seconds; the buckets bracket the pages' budgets (a page in 0.1–0.5 s, the slowest uploads ~6 s).
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
QUERY_BUCKETS = (0, 1, 2, 5, 10, 20, 50, 100, 200, 500)
TASK_BUCKETS = (0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300)

REQUEST_LATENCY = Histogram(
    "zp_http_request_duration_seconds",
    "Time from the request's arrival to its response, by view.",
    ["view", "method"],
    buckets=LATENCY_BUCKETS,
)
RESPONSES = Counter("zp_http_responses", "Responses by view, method and status code.", ["view", "method", "status"])
REQUEST_QUERIES = Histogram(
    "zp_http_request_db_queries", "Database queries a request made, by view.", ["view"], buckets=QUERY_BUCKETS
)
TASKS = Counter("zp_celery_tasks", "Celery tasks finished, by task and outcome.", ["task", "outcome"])
TASK_DURATION = Histogram(
    "zp_celery_task_duration_seconds", "Time a Celery task ran, by task.", ["task"], buckets=TASK_BUCKETS
)

UNRESOLVED = "<unresolved>"  # a path no URL pattern matched (404s): one label, not one per path

_user_id: ContextVar[int | None] = ContextVar("log_user_id", default=None)


def metrics_registry(*, scrape_time_collectors: bool = True) -> CollectorRegistry:
    """The registry a scrape reads: every process's samples in multiprocess mode (else this process's),
    plus the collectors of ``METRICS_COLLECTORS`` (figures read at scrape time, e.g. the report queue)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry(auto_describe=True)
        registry.register(_Everything())
    for path in settings.METRICS_COLLECTORS if scrape_time_collectors else ():
        registry.register(import_string(path)())
    return registry


class _Everything:
    """This process's default registry, as one collector (so scrape-time collectors can join it
    without being registered in the process forever)."""

    def collect(self):
        return REGISTRY.collect()


class RequestObservabilityMiddleware:
    """Times each request once and reports it twice: as metrics (latency, status, queries, by view)
    and as one log line (path, status, duration, user). Placed right after the correlation id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        queries = _QueryCounter()
        user_token = _user_id.set(None)
        try:
            with connection.execute_wrapper(queries):
                response = self.get_response(request)
        finally:
            _user_id.reset(user_token)
        duration = time.perf_counter() - started
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match else UNRESOLVED
        REQUEST_LATENCY.labels(view, request.method).observe(duration)
        RESPONSES.labels(view, request.method, str(response.status_code)).inc()
        REQUEST_QUERIES.labels(view).observe(queries.count)
        user = getattr(request, "user", None)
        request_logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round(duration * 1000, 1),
                "view": view,
                "db_queries": queries.count,
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        """By now the user is known: lines logged while the view runs name them."""
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            _user_id.set(user.pk)


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


# --- logs ---


class LogContextFilter(logging.Filter):
    """Adds the ids of the work in progress to every record: ``correlation_id``, ``user_id``, ``task_id``."""

    def filter(self, record):
        if not hasattr(record, "correlation_id"):
            record.correlation_id = bound_correlation_id()
        if getattr(record, "user_id", None) is None:
            record.user_id = _user_id.get()
        if not hasattr(record, "task_id"):
            record.task_id = _current_task_id()
        return True


def _current_task_id() -> str | None:
    from celery import current_task

    return current_task.request.id if current_task else None


# The attributes every LogRecord has; whatever else a record carries was passed as ``extra``.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, the context ids, the record's
    extras (path, status, duration_ms of a request) and the exception's traceback if any."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


# --- Celery tasks (connected in config/celery.py) ---

_task_started: dict[str, tuple[float, object]] = {}


# The message header of that id: not "correlation_id", which Celery sets to the task's id (an AMQP property).
CORRELATION_HEADER = "request_correlation_id"


def stamp_correlation_id(headers=None, **_):
    """``before_task_publish``: a task queued while handling a request carries the request's id."""
    current = bound_correlation_id()
    if headers is not None and current and CORRELATION_HEADER not in headers:
        headers[CORRELATION_HEADER] = current


def task_started(task_id=None, task=None, **_):
    """``task_prerun``: the task's log lines carry the correlation id of the request that queued it
    (an eager task keeps the request's; a task queued by beat has its own id)."""
    token = bind_correlation_id(getattr(task.request, CORRELATION_HEADER, None) or bound_correlation_id() or task_id)
    _task_started[task_id] = (time.perf_counter(), token)


def task_finished(task_id=None, task=None, state=None, **_):
    """``task_postrun``: its duration and outcome (``success``, ``failure``, ``retry``...)."""
    started, token = _task_started.pop(task_id, (None, None))
    if started is not None:
        TASK_DURATION.labels(task.name).observe(time.perf_counter() - started)
        reset_correlation_id(token)
    TASKS.labels(task.name, (state or "unknown").lower()).inc()


def serve_worker_metrics(**_):
    """``worker_ready``: a Celery worker serves its pool's task metrics on ``WORKER_METRICS_PORT``
    (unset: not served). Needs PROMETHEUS_MULTIPROC_DIR (the tasks run in pool processes); the port
    is for the cluster's network only (README; the report queue's figures are on the web's /metrics)."""
    port = os.environ.get("WORKER_METRICS_PORT")
    if port:
        start_http_server(int(port), registry=metrics_registry(scrape_time_collectors=False))
