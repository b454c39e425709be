"""Test settings: the same as production, minus what makes tests slow or needs HTTPS."""

import tempfile

from .settings import *  # noqa: F403
from .settings import STORAGES

SECURE_SSL_REDIRECT = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
MEDIA_ROOT = tempfile.mkdtemp(prefix="zone-portfolio-media-")
PRIVATE_FILES_ROOT = tempfile.mkdtemp(prefix="zone-portfolio-private-")
# Tests run Celery tasks in-process; the worker integration test starts a real worker itself.
CELERY_TASK_ALWAYS_EAGER = True
# Serve static files from the apps' folders as in development (no collectstatic, no missing-folder warning).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
