"""Real Celery workers for the fault suite: ``celery -A config worker --pool prefork`` subprocesses on
the test's PostgreSQL database and a Redis broker (this machine's, or a FaultProxy in front of it),
sharing the test's private files folder. tests/faults/conftest.py offers its fixtures (``broker``,
``workers``, ``files_root`` and ``big_state``) to the fault suite."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings
from django.core.cache import cache

from config.celery import app
from devdata.scale_data import ScaleDataGenerator
from reports.models import ReportRun
from tests.testdb import database_url
from zones.models import State

PROJECT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "")
BRIEF = ReportRun.Kind.COMMISSIONER_BRIEF
PERIOD = "2012-01"

needs_redis = pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (a Redis broker)")


def wait_for(condition, timeout: float, what: str, interval: float = 0.1):
    """Poll ``condition`` until it returns something true (returned), or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Not within {timeout:.0f} s: {what}")
        time.sleep(interval)


def through(proxy) -> str:
    """REDIS_URL with its host and port replaced by ``proxy``'s."""
    parts = urlsplit(REDIS_URL)
    return urlunsplit(parts._replace(netloc=proxy.url_netloc))


class Worker:
    """One worker process (and its pool) in its own process group, logging to a file."""

    def __init__(
        self, name: str, broker_url: str, log_dir: Path, concurrency: int = 1, preexec_fn=None, environment=None
    ):
        self.name = f"{name}@%h"
        self.log_path = log_dir / f"{name}.log"
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": broker_url,
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
            "PRIVATE_FILES_ROOT": str(settings.PRIVATE_FILES_ROOT),
            "CELERY_TASK_ALWAYS_EAGER": "0",
            **(environment or {}),  # e.g. a node's own files folder and the shared object store
        }
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork"]
        command += ["-c", str(concurrency), "-n", self.name, "--loglevel", "INFO"]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=PROJECT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=preexec_fn,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def ready(self, timeout: float = 60) -> "Worker":
        wait_for(lambda: " ready." in self.log() or not self.alive(), timeout, f"worker {self.name} ready")
        assert self.alive(), f"worker {self.name} exited:\n{self.log()[-3000:]}"
        return self

    def pool_pids(self) -> list[int]:
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def kill_pool_process(self) -> int:
        (pid,) = self.pool_pids()
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill(self) -> None:
        """kill -9 the whole worker: main process and pool, as a container killed or an OOM-killed host."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(10)


def clean_broker():
    """Empty this test's Redis database of queued and unacknowledged messages and the monthly lock."""
    client = redis.Redis.from_url(REDIS_URL)
    client.delete("celery", "unacked", "unacked_index", "unacked_mutex")
    client.close()
    cache.delete(f"reports:monthly-briefs:{PERIOD}")


@pytest.fixture
def files_root(settings, tmp_path):
    """The private files folder, shared by the test and its workers."""
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    settings.PRIVATE_FILES_ROOT.mkdir()
    return settings.PRIVATE_FILES_ROOT


@pytest.fixture
def broker(transactional_db, files_root):
    """Tasks the test sends go to the Redis broker (not run eagerly), on an empty queue."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    clean_broker()
    yield app
    app.conf.task_always_eager = eager
    clean_broker()


@pytest.fixture
def workers(broker, tmp_path):
    """``workers(name, broker_url=REDIS_URL, concurrency=1, preexec_fn=None, environment=None)`` starts
    a worker and waits until it is ready; every worker is stopped when the test ends."""
    started = []

    def start(name="worker", broker_url=REDIS_URL, concurrency=1, preexec_fn=None, ready=True, environment=None):
        worker = Worker(name, broker_url, tmp_path, concurrency, preexec_fn, environment)
        started.append(worker)
        return worker.ready() if ready else worker

    yield start
    for worker in started:
        worker.kill()  # the test is over: no warm shutdown to wait for


def scale_states(states: int, zones: int) -> list:
    """``states`` states of ``zones`` launched zones of five schools with two years of results: a brief
    of 200 zones takes seconds to render (long enough to kill its worker mid-render)."""
    ScaleDataGenerator(states=states, zones_per_state=zones, years=2).generate()
    return list(State.objects.filter(name__startswith="Scale").order_by("pk"))


@pytest.fixture
def big_state(broker):
    (state,) = scale_states(1, 200)
    return state


def request_brief(state, kind=BRIEF, period=PERIOD) -> ReportRun:
    """A brief (or ``kind``) requested as the pages do (reports.requesting), sent at once (no transaction)."""
    from reports.requesting import request_report

    run, created = request_report(None, kind, state=state, period=period)
    assert created
    return run


def run_of(run: ReportRun) -> ReportRun:
    return ReportRun._base_manager.get(pk=run.pk)


def finished(run: ReportRun, timeout: float) -> ReportRun:
    return wait_for(lambda: (fresh := run_of(run)).is_finished and fresh, timeout, f"run {run.pk} finished")


def running(run: ReportRun, timeout: float = 60) -> ReportRun:
    """Wait until a worker renders the run (claimed, with a heartbeat)."""
    return wait_for(lambda: (fresh := run_of(run)).status == "running" and fresh, timeout, f"run {run.pk} running")


def stored_files(root: Path) -> list[str]:
    """Every file under ``root`` (temporaries included), relative to it."""
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())
