"""Test settings: the same as production, minus what makes tests slow or needs HTTPS."""

import os
import tempfile

from tests.run import redis_url_beside, worker_redis_offset

from .settings import *  # noqa: F403
from .settings import CACHES, DATABASES, STORAGES

SECURE_SSL_REDIRECT = False
# Commits need not wait for the disk: a crash could lose only a test run's last commits, never make
# them visible out of order. Per connection (tests, live servers, the workers a test starts); the
# server's own fsync setting is left alone.
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    _options = {**DATABASES["default"].get("OPTIONS", {}), "options": "-c synchronous_commit=off"}
    DATABASES = {**DATABASES, "default": {**DATABASES["default"], "OPTIONS": _options}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# A worker started by a test (tests/faults/workers.py) shares the test's folder through the environment;
# the nodes of the multi-node test (tests/multinode) each get their own.
MEDIA_ROOT = os.environ.get("MEDIA_ROOT") or tempfile.mkdtemp(prefix="zone-portfolio-media-")
PRIVATE_FILES_ROOT = os.environ.get("PRIVATE_FILES_ROOT") or tempfile.mkdtemp(prefix="zone-portfolio-private-")
# Tests run Celery tasks in-process; a worker started by a test sends its tasks to the broker (0).
CELERY_TASK_ALWAYS_EAGER = os.environ.get("CELERY_TASK_ALWAYS_EAGER", "1") == "1"
# Webhook tests deliver to a receiver on this machine (tests/webhooks), over plain http.
WEBHOOK_ALLOW_HTTP_TARGETS = True
WEBHOOK_ALLOW_PRIVATE_TARGETS = True
# Serve static files from the apps' folders as in development (no collectstatic, no missing-folder warning).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Test processes run side by side (pytest-xdist, PYTEST_XDIST_WORKER gw0, gw1, ...): each one's cache is
# its own Redis database (the next ones after REDIS_URL's, whose own is the broker of the worker tests),
# as tests empty the cache and count limits. tests/run.py owns the layout.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker and str(CACHES["default"].get("LOCATION", "")).startswith("redis"):
    _db = worker_redis_offset(int(_worker.removeprefix("gw")))
    CACHES = {"default": {**CACHES["default"], "LOCATION": redis_url_beside(CACHES["default"]["LOCATION"], _db)}}
