"""Benchmark 5: incremental sync. examples/mirror.py copies the first scale state's zones, schools
and measurements over HTTP (the app served in process by wsgiref over plain HTTP, a state viewer's API token):
requests and time of the full copy, then of a re-sync after one school changed, which must take no
more than one request per resource and one for the deletes feed."""

import tempfile
import threading
import time
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

from .common import PROJECT_DIR, bench_user, on_database, print_table, verdict, write_results

MIRROR = PROJECT_DIR / "examples" / "mirror.py"


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def load_mirror():
    import importlib.util

    spec = importlib.util.spec_from_file_location("mirror", MIRROR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def wait_for_watermark(version: int, patience: float = 300) -> float:
    """Seconds until the change watermark passes ``version``: it waits for every older transaction
    of the database still open, which is not the sync's cost, so the re-sync is timed after it."""
    from core.changes import change_watermark

    started = time.perf_counter()
    while change_watermark() < version and time.perf_counter() - started < patience:
        time.sleep(0.5)
    return round(time.perf_counter() - started, 2)


def timed(mirror, url, key, state, path) -> dict:
    started = time.perf_counter()
    counts = mirror.mirror(url, key, state.pk, str(path))
    return {**counts, "seconds": round(time.perf_counter() - started, 2)}


def run(stdout, sizes):
    with on_database(sizes[0]):
        return _run(stdout)


def _run(stdout):
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings
    from django_scopes import scopes_disabled

    from accounts.models import Role
    from accounts.tokens import issue_token
    from devdata.scale_data import PREFIX
    from schools.models import School
    from zones.models import State

    mirror = load_mirror()
    with scopes_disabled():
        state = State.objects.get(name=f"{PREFIX} State 01")
        viewer = bench_user(Role.STATE_VIEWER, state=state)
        _token, key = issue_token(viewer.memberships.get(), "sync benchmark")
        school = School.objects.filter(district__state=state).order_by("pk").first()
    with override_settings(SECURE_SSL_REDIRECT=False):  # plain HTTP on the loopback, no TLS proxy in front
        application = WSGIHandler()
    server = make_server("127.0.0.1", 0, application, handler_class=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "mirror.sqlite3"
            full = timed(mirror, url, key, state, path)
            with scopes_disabled():
                School.objects.filter(pk=school.pk).update(enrollment=school.enrollment + 1)
                changed = School.objects.filter(pk=school.pk).values_list("change_version", flat=True).get()
            waited = wait_for_watermark(changed)
            incremental = timed(mirror, url, key, state, path)
    finally:
        server.shutdown()
    limit = len(mirror.RESOURCES) + 1
    print_table(
        stdout,
        f"Benchmark 5 — sync of {state.name} (zones, schools, measurements) by examples/mirror.py",
        ["run", "rows changed", "rows deleted", "requests", "seconds"],
        [
            [name, r["changed"], r["deleted"], r["requests"], r["seconds"]]
            for name, r in (("full copy", full), ("after one change", incremental))
        ],
    )
    met = incremental["requests"] <= limit and incremental["changed"] == 1
    stdout.write(f"Waited {waited} s for the watermark to pass the change (older open transactions).\n")
    results = {"full_copy": full, "after_one_change": incremental, "request_limit": limit, "watermark_wait_s": waited}
    path = write_results("sync", results)
    stdout.write(f"-> {path}\n")
    return verdict(met)
