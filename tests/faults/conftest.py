"""The fault suite (marker ``faults``): real concurrent clients, dead or hanging services, killed
workers. It needs PostgreSQL (row locks, concurrent connections); ``.ci/run`` runs it there, and
on SQLite it is skipped with that reason."""

import os
import threading
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from .proxy import FaultProxy

# The worker harness's fixtures (real Celery worker processes on the test database).
from .workers import big_state, broker, files_root, workers  # noqa: F401

CONCURRENT_CLIENTS = 10
TRIALS = 20


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    on_postgresql = "postgresql" in settings.DATABASES["default"]["ENGINE"]
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.faults)
            if not on_postgresql:
                item.add_marker(pytest.mark.skip(reason="the fault suite needs PostgreSQL (DATABASE_URL, as .ci/run)"))


def concurrently(calls, timeout: float = 120):
    """Run the callables at once (each in its own thread, released together): their results in order.
    An exception in a call is returned in its place, never raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:  # the caller inspects what each client got
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, call), daemon=True) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results


def redis_target() -> tuple[str, int]:
    parts = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    return parts.hostname or "127.0.0.1", parts.port or 6379


@pytest.fixture
def redis_proxy():
    """A FaultProxy in front of this machine's Redis (never stop the shared server itself)."""
    proxy = FaultProxy(redis_target())
    yield proxy
    proxy.close()
