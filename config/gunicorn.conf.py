"""Gunicorn settings of the web service (Dockerfile and docker-compose.yml: ``gunicorn -c config/gunicorn.conf.py``).

Why these numbers:

- ``timeout = 60``: a sync worker silent for longer is killed and its request answered 502 by the
  proxy. Long work is not done in requests: an import is applied by a Celery task (imports/tasks.py,
  the request answers 202 at once), reports are rendered by the worker. The slowest requests left
  at the documented limits, measured on PostgreSQL on 2 shared cores (tests/faults/test_requests.py,
  and through this config with a Celery worker at load average 9): a 50,000-row import dry run
  5.6 s (load 4), a 20,000-row one 5.7 s, a 5,000-row bulk measurement upload 1.7 s idle and 4.2 s
  at load 9; applying 20,000 rows answers in 0.3 s (the task took 17 s; in the request it took
  39 s at load 4). 60 s leaves the synchronous ones ten times their time for load, while a stuck
  worker is recycled within a minute. (Gunicorn's default of 30 s killed a 5,000-row upload at
  30.3 s under load when it was saved row by row.)
- ``graceful_timeout = 30``: on a deploy or restart, requests in flight get 30 s to finish.
- sync workers, ``WEB_CONCURRENCY`` (default 3) of them: one request per process keeps the timeout
  a bound on a request; more workers need more database connections (one each).
- ``max_requests = 1000`` with ``max_requests_jitter = 100``: each worker is replaced after about
  a thousand requests, and not all at once, so slow memory growth never accumulates.
- ``worker_tmp_dir = "/dev/shm"``: the workers' heartbeat files live in memory; on a container's
  overlay file system a slow disk can stall the heartbeat and get healthy workers killed.

Each can be overridden from the environment: ``GUNICORN_TIMEOUT``, ``WEB_CONCURRENCY``, ``PORT``.
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
max_requests = 1000
max_requests_jitter = 100
worker_tmp_dir = "/dev/shm"
# The app logs each request itself (web.observability: JSON, with its ids); LOG_FORMAT=plain brings
# gunicorn's own access log back.
accesslog = None if os.environ.get("LOG_FORMAT", "json") == "json" else "-"
