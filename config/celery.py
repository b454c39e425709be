"""Celery application: Redis broker when REDIS_URL is set, eager in-process otherwise."""

import os

from celery import Celery
from celery.signals import before_task_publish, task_postrun, task_prerun, worker_ready

from web.observability import serve_worker_metrics, stamp_correlation_id, task_finished, task_started

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("zone_portfolio")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Task metrics and the correlation id of the request that queued a task (web.observability).
before_task_publish.connect(stamp_correlation_id, weak=False)
task_prerun.connect(task_started, weak=False)
task_postrun.connect(task_finished, weak=False)
worker_ready.connect(serve_worker_metrics, weak=False)
