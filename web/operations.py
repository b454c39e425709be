"""The endpoints an orchestrator and a monitoring system call: ``/health/live``, ``/health/ready`` and
``/metrics``. They are answered by a middleware near the top of the stack, before the host check,
the HTTPS redirect, sessions, CSRF, the tenant scope and the rate limits: a kubelet probes a pod by its
address over plain HTTP, and a probe must never create a session or write anything.

- live: the process answers (nothing else is asked: a database outage must not restart every pod).
- ready: the database, the cache's Redis, the Celery broker and the private file storage each answer
  within a few seconds; 200 with each check, 503 when one fails (unless listed in
  ``HEALTH_READY_OPTIONAL``, then reported only).
- metrics: Prometheus text, only with ``Authorization: Bearer <METRICS_TOKEN>``; 404 while no token is
  set, so it is never open by mistake."""

import hmac
import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.files.storage import storages
from django.db import connection
from django.http import HttpResponse, JsonResponse
from kombu import Connection
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from web.observability import metrics_registry

logger = logging.getLogger(__name__)

LIVE, READY, METRICS = "/health/live", "/health/ready", "/metrics"
PROBE_TIMEOUT = 2  # seconds each dependency may take before it counts as down
CACHE_PROBE = "health:probe"  # a key only read (it need not exist)


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_cache():
    """The cache's own server, asked directly: the fail-open cache (core.cache) would hide its outage."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        cache._cache.get_client(write=False).ping()
    else:
        cache.get(CACHE_PROBE)


def check_broker():
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=PROBE_TIMEOUT) as broker:
        broker.ensure_connection(max_retries=1, timeout=PROBE_TIMEOUT)


def check_storage():
    """The private storage (report files, imports) lists its top level: a missing folder or bucket, or
    refused credentials, raise (``exists`` would answer False for a missing bucket)."""
    storages["private"].listdir("")


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker, "storage": check_storage}


def readiness() -> tuple[bool, dict]:
    """Each check's outcome and time; ready when every check not optional passed."""
    results, ready = {}, True
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as error:  # any failure of a dependency is "not ready", reported by its type
            logger.warning("readiness check %s failed: %r", name, error)
            outcome = {"ok": False, "error": type(error).__name__}
            ready = ready and name in settings.HEALTH_READY_OPTIONAL
        else:
            outcome = {"ok": True}
        outcome["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = outcome
    return ready, results


def metrics_allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(token) and hmac.compare_digest(offered.encode(), token.encode())


class OperationsEndpointsMiddleware:
    """Answers the health and metrics paths (GET or HEAD) itself; everything else passes on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path not in (LIVE, READY, METRICS) or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        if path == LIVE:
            response = JsonResponse({"status": "ok"})
        elif path == READY:
            ready, checks = readiness()
            response = JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks})
            response.status_code = 200 if ready else 503
        elif not metrics_allowed(request):
            response = HttpResponse("Not found", status=404, content_type="text/plain")
        else:
            response = HttpResponse(generate_latest(metrics_registry()), content_type=CONTENT_TYPE_LATEST)
        response["Cache-Control"] = "no-store"
        # Logged above (each failed check): not again as an error per probe by Django (nor sent to Sentry).
        response._has_been_logged = True
        return response
