"""Two web nodes (gunicorn, config/gunicorn.conf.py) and two Celery worker nodes, each a process with
its own local files folder: a brief requested through web A is rendered by whichever worker takes it,
survives that worker's kill -9 mid-render (the other worker finishes it), and is downloaded through
web B, the object store being the only file storage they share (issue #22, parts 1, 2 and 5)."""

import contextlib
import os
import re
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from django.utils import timezone

from accounts.models import Role
from reports.models import ReportRun
from reports.tasks import maintain_runs
from tests.faults.workers import PERIOD, PROJECT, REDIS_URL, finished, run_of, running, wait_for
from tests.objectstore import free_port
from tests.testdb import database_url
from tests.worlds import PASSWORD, login_member

START_TIMEOUT = 60  # seconds for a node to answer on a loaded 2-core machine


def node_environment(root: Path, object_store) -> dict[str, str]:
    """A node's settings: the shared database, broker and object store; folders of its own."""
    return {
        "DATABASE_URL": database_url(),
        "REDIS_URL": REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PRIVATE_FILES_ROOT": str(root / "private"),
        "MEDIA_ROOT": str(root / "media"),
        **object_store.environment,
    }


class Web:
    """One gunicorn process (its production config, one sync worker) on a free port."""

    def __init__(self, name: str, root: Path, object_store):
        root.mkdir(parents=True)
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = root / "gunicorn.log"
        env = {
            **os.environ,
            **node_environment(root, object_store),
            "PORT": str(self.port),
            "WEB_CONCURRENCY": "1",
            # Plain HTTP between the test and the node: cookies without the Secure flag.
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
        }
        command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-c", "config/gunicorn.conf.py"]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def answers(self) -> bool:
        assert self.process.poll() is None, f"gunicorn exited:\n{self.log_path.read_text(errors='replace')[-3000:]}"
        with contextlib.suppress(httpx.HTTPError):
            return httpx.get(f"{self.url}/accounts/login/", timeout=5).status_code == 200
        return False

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)


@pytest.fixture
def webs(transactional_db, tmp_path, object_store):
    started = []

    def start(name: str) -> Web:
        web = Web(name, tmp_path / name, object_store)
        started.append(web)
        return web

    yield start
    for web in started:
        web.stop()


def log_in(web: Web, email: str) -> httpx.Client:
    """A browser-like client signed in through web's login form."""
    client = httpx.Client(base_url=web.url, timeout=30)
    client.get("/accounts/login/")
    response = client.post(
        "/accounts/login/",
        data={"login": email, "password": PASSWORD, "csrfmiddlewaretoken": client.cookies["csrftoken"]},
    )
    assert response.status_code == 302, response.text[-2000:]
    assert "sessionid" in client.cookies
    return client


def lease_expired(run: ReportRun, dead_worker: str) -> bool:
    """No heartbeat from the dead worker for ``ReportRun.LEASE`` (or a reaper already took the run back)."""
    if run.status != ReportRun.Status.RUNNING or run.worker != dead_worker or run.heartbeat_at is None:
        return True
    return run.heartbeat_at < timezone.now() - ReportRun.LEASE - timedelta(seconds=1)


def files_under(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file() and path.name != "gunicorn.log"]


def test_a_brief_requested_on_web_a_survives_a_killed_worker_and_downloads_from_web_b(
    big_state,
    object_store,
    webs,
    workers,
    tmp_path,
):
    lead = login_member("lead@multinode.example", Role.STATE_LEAD, state=big_state)
    nodes = {name: tmp_path / name for name in ("worker-1", "worker-2")}
    web_a, web_b = webs("web-a"), webs("web-b")
    started = [
        workers(name, ready=False, environment=node_environment(root, object_store)) for name, root in nodes.items()
    ]
    for worker in started:
        worker.ready(START_TIMEOUT)
    wait_for(lambda: web_a.answers() and web_b.answers(), START_TIMEOUT, "both web nodes answer")

    # Web A: log in and request the commissioner brief, as the state page's button does.
    browser_a = log_in(web_a, lead.email)
    data = {"kind": ReportRun.Kind.COMMISSIONER_BRIEF, "state": big_state.pk, "period": PERIOD}
    data["csrfmiddlewaretoken"] = browser_a.cookies["csrftoken"]
    response = browser_a.post("/reports/runs/new/", data=data)
    assert response.status_code == 302, response.text[-2000:]
    run = ReportRun._base_manager.get(pk=int(re.fullmatch(r"/reports/runs/(\d+)/", response.headers["Location"])[1]))

    # Whichever worker took it dies (kill -9 of the worker and its pool) while it renders.
    holder = running(run, timeout=START_TIMEOUT)
    (dead,) = [worker for worker in started if holder.worker.startswith(worker.name.split("@")[0] + "@")]
    (survivor,) = [worker for worker in started if worker is not dead]
    dead.kill()
    assert survivor.alive()
    # Its message stays unacknowledged in Redis; the run's lease is what gives it back: once no heartbeat
    # came for ReportRun.LEASE, the reaper (beat's maintain_runs, every 30 s) re-queues and re-sends it.
    # The test sends that reaper as soon as the lease expired instead of waiting for beat's next tick.
    wait_for(
        lambda: lease_expired(run_of(run), holder.worker),
        ReportRun.LEASE.total_seconds() + 15,
        "the dead worker's lease expired",
        interval=0.5,
    )
    maintain_runs.apply_async()
    done = finished(run, timeout=90)
    assert done.status == ReportRun.Status.DONE, done.error
    assert done.worker.startswith(survivor.name.split("@")[0] + "@") and done.attempts == 2

    # Web B: the same session (sessions live in the database) downloads the file web B never saw written.
    browser_b = httpx.Client(base_url=web_b.url, timeout=30, cookies={"sessionid": browser_a.cookies["sessionid"]})
    download = browser_b.get(f"/reports/runs/{run.pk}/download/")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/pdf"
    assert download.content.startswith(b"%PDF-")
    stored = object_store.client().get_object(Bucket=object_store.bucket, Key=done.file.name)["Body"].read()
    assert download.content == stored
    assert object_store.keys() == [done.file.name]  # one file: the killed render left nothing behind

    # Nothing any node wrote is on its local disk: the object store is the only file storage.
    for root in [*nodes.values(), web_a.root, web_b.root]:
        assert files_under(root) == [], root
