"""Requests under load and races (issue #13, findings 8, 9, 10, 12), against a live server with real
concurrent HTTP clients on PostgreSQL: the documented limits finish within the server timeout (or
run as a task the client polls), ten clients applying one import or posting the same measurements
get 2xx/4xx and never a 500, and bad bodies are 4xx problem JSON."""

import errno
import os
import runpy
import time
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
import requests
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from accountability.models import Measurement
from accounts.models import Role
from accounts.tokens import issue_token
from imports.models import ImportBatch, ImportScope
from imports.services import preview_import
from tests.factories import LaunchedZoneFactory, MetricFactory, SchoolFactory, StateFactory
from tests.worlds import membership

from .conftest import CONCURRENT_CLIENTS, TRIALS, concurrently

pytestmark = pytest.mark.django_db(transaction=True)

BULK = "/api/v1/measurements/bulk/"
IMPORTS = "/api/v1/imports/"
YEARS = [f"{year}-{(year + 1) % 100:02d}" for year in range(2000, 2020)]


class World:
    """A state with a launched zone, ``school_count`` more schools in its district, ``metric_count``
    metrics and a state lead holding API tokens."""

    def __init__(self, school_count=3, metric_count=1):
        self.state = StateFactory(name="Colorado")
        self.zone = LaunchedZoneFactory(state=self.state)
        district = self.zone.districts.get()
        extra = [SchoolFactory(district=district) for _ in range(max(0, school_count - 3))]
        self.schools = [*self.zone.schools.order_by("pk"), *extra][:school_count]
        self.metrics = [MetricFactory(code=f"m{i}", name=f"Metric {i}") for i in range(metric_count)]
        self.lead = membership(Role.STATE_LEAD, state=self.state)

    def headers(self, name="client") -> dict:
        _token, key = issue_token(self.lead, name)
        return {"Authorization": f"Bearer {key}"}

    def rows(self, count: int, value="41.5") -> list[dict]:
        """``count`` distinct measurements (school × metric × school year × period)."""
        keys = (
            (school, metric, year, period)
            for year in YEARS
            for period in (1, 2, 3, 4)
            for metric in self.metrics
            for school in self.schools
        )
        rows = []
        for (school, metric, year, period), _ in zip(keys, range(count), strict=False):
            rows.append(
                {"school": school.pk, "metric": metric.pk, "school_year": year, "period": period, "value": value}
            )
        assert len(rows) == count, "the world is too small for that many rows"
        return rows


def as_csv(rows: list[dict]) -> bytes:
    lines = ["school,metric,school_year,period,value"]
    lines += [f"{r['school']},{r['metric']},{r['school_year']},{r['period']},{r['value']}" for r in rows]
    return ("\n".join(lines) + "\n").encode()


def dry_run(world, rows) -> ImportBatch:
    upload = SimpleUploadedFile("measurements.csv", as_csv(rows), content_type="text/csv")
    batch = preview_import(user=world.lead.user, scope=ImportScope(world.state), kind="measurements", upload=upload)
    assert batch.can_apply, batch.summary["errors"][:3]
    return batch


def wait_until_done(url, headers, deadline_seconds) -> dict:
    """Poll an import batch until it is applied or failed (a task may apply it)."""
    deadline = time.monotonic() + deadline_seconds
    while True:
        body = requests.get(url, headers=headers, timeout=10).json()
        if body["status"] in (ImportBatch.Status.APPLIED, ImportBatch.Status.FAILED) or time.monotonic() > deadline:
            return body
        time.sleep(0.2)


@pytest.fixture
def worker():
    """A Celery worker (in a thread of this process) on this test's Redis database: tasks are sent to
    the broker instead of running inline in the request, as in production."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.control.purge()  # this Redis database's queue only: nothing left from an earlier run
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield
    finally:
        app.conf.task_always_eager = True


def post_all(url, headers, **kwargs) -> list:
    """The same POST from each client at once: the responses (or the exception a client got)."""
    return concurrently([lambda h=h: requests.post(url, headers=h, timeout=120, **kwargs) for h in headers])


def codes_of(answers) -> list:
    return [getattr(answer, "status_code", repr(answer)) for answer in answers]


# --- Finding 9: races answer 409/400, never 500 ------------------------------------------------------


def apply_from_ten_clients(live_server, applied_status):
    """Each trial: a new dry run of 60 rows applied by ten clients at once. One claims it and gets
    ``applied_status``; the others a 409 problem; the rows are written once."""
    world = World(school_count=10, metric_count=3)
    headers = [world.headers(f"client {i}") for i in range(CONCURRENT_CLIENTS)]
    for trial in range(TRIALS):
        batch = dry_run(world, world.rows(60, value=f"{40 + trial}"))
        answers = post_all(f"{live_server.url}{IMPORTS}{batch.pk}/apply/", headers)
        codes = codes_of(answers)
        assert sorted(codes) == [applied_status] + [409] * (CONCURRENT_CLIENTS - 1), (trial, codes)
        for answer in answers:
            if answer.status_code == 409:
                assert answer.headers["Content-Type"] == "application/problem+json"
                assert answer.json()["status"] == 409 and f"#{batch.pk}" in answer.json()["detail"]
        body = wait_until_done(f"{live_server.url}{IMPORTS}{batch.pk}/", headers[0], 60)
        assert body["status"] == ImportBatch.Status.APPLIED, body["summary"].get("errors")
        assert Measurement.objects.filter(value=Decimal(40 + trial)).count() == 60
    assert Measurement.objects.count() == 60  # each trial updated the same 60 measurements


def test_ten_clients_applying_one_import_inline_get_one_apply_and_409s(live_server):
    apply_from_ten_clients(live_server, 200)


def test_ten_clients_applying_one_import_by_a_task_get_one_202_and_409s(live_server, worker):
    apply_from_ten_clients(live_server, 202)


def test_ten_clients_posting_the_same_measurements_get_no_500(live_server):
    """The rows are recorded once; clients that lost the race to the rows' keys check them again
    (then updated or unchanged: 200, the answer of an upload that created nothing) or, if that keeps
    happening, are told to send them again (409). Only the first trial creates rows (201)."""
    world = World(school_count=10, metric_count=3)
    headers = [world.headers(f"client {i}") for i in range(CONCURRENT_CLIENTS)]
    url = f"{live_server.url}{BULK}"
    for trial in range(TRIALS):
        rows = world.rows(30, value=f"{50 + trial}")
        answers = post_all(url, headers, json=rows)
        codes = codes_of(answers)
        assert set(codes) <= {200, 201, 409} and (201 in codes) == (trial == 0), (trial, codes)
        for answer in answers:
            if answer.status_code == 409:
                body = answer.json()
                assert answer.headers["Content-Type"] == "application/problem+json"
                assert body["status"] == 409
                assert body["errors"][0].keys() == {"row", "column", "field", "code", "message"}
        ids = {tuple(answer.json()["ids"]) for answer in answers if answer.status_code in (200, 201)}
        assert len(ids) == 1, "every client that was answered 200 or 201 names the same 30 measurements"
        assert Measurement.objects.count() == 30
        assert set(Measurement.objects.values_list("value", flat=True)) == {Decimal(50 + trial)}


def test_imports_and_bulk_uploads_of_the_same_rows_at_once_get_no_500(live_server):
    """Five clients apply five imports of the same rows while five post them in bulk: every import is
    applied (rows taken meanwhile are checked again) and every row is recorded once. A quarter of
    the trials: each makes five dry runs, and the two races are each proved in 20 trials above."""
    world = World(school_count=10, metric_count=3)
    headers = [world.headers(f"client {i}") for i in range(CONCURRENT_CLIENTS)]
    half = CONCURRENT_CLIENTS // 2
    for trial in range(TRIALS // 4):
        rows = world.rows(30, value=f"{60 + trial}")
        batches = [dry_run(world, rows) for _ in range(half)]
        calls = [
            lambda h=h, b=b: requests.post(f"{live_server.url}{IMPORTS}{b.pk}/apply/", headers=h, timeout=120)
            for h, b in zip(headers[:half], batches, strict=True)
        ] + [
            lambda h=h, rows=rows: requests.post(f"{live_server.url}{BULK}", json=rows, headers=h, timeout=120)
            for h in headers[half:]
        ]
        codes = codes_of(concurrently(calls))
        assert set(codes[:half]) == {200} and set(codes[half:]) <= {200, 201, 409}, (trial, codes)
        statuses = set(ImportBatch.objects.filter(pk__in=[b.pk for b in batches]).values_list("status", flat=True))
        assert statuses == {ImportBatch.Status.APPLIED}, (trial, statuses)
        assert Measurement.objects.count() == 30
        assert set(Measurement.objects.values_list("value", flat=True)) == {Decimal(60 + trial)}


# --- Finding 8: the documented limits finish within the server timeout -------------------------------


GUNICORN_CONFIG = Path(settings.BASE_DIR) / "config" / "gunicorn.conf.py"


def server_timeout() -> float:
    """The web server's worker timeout as shipped (gunicorn's default of 30 s without a config)."""
    if not GUNICORN_CONFIG.exists():
        return 30
    return runpy.run_path(str(GUNICORN_CONFIG))["timeout"]


def test_five_thousand_row_bulk_upload_finishes_well_within_the_server_timeout(live_server):
    world = World(school_count=50, metric_count=5)
    rows = world.rows(5_000)
    started = time.monotonic()
    response = requests.post(f"{live_server.url}{BULK}", json=rows, headers=world.headers(), timeout=300)
    elapsed = time.monotonic() - started
    print(f"5,000-row bulk upload: {elapsed:.1f} s, {response.status_code}")
    assert response.status_code == 201, response.text[:500]
    assert Measurement.objects.count() == 5_000
    assert elapsed < server_timeout() / 4, elapsed


def test_twenty_thousand_row_import_apply_answers_at_once_and_a_task_applies_it(live_server, worker):
    world = World(school_count=50, metric_count=10)
    batch = dry_run(world, world.rows(20_000))
    headers = world.headers()
    started = time.monotonic()
    response = requests.post(f"{live_server.url}{IMPORTS}{batch.pk}/apply/", headers=headers, timeout=300)
    answered = time.monotonic() - started
    assert response.status_code == 202, (response.status_code, response.text[:500])
    assert response.json()["status"] == ImportBatch.Status.APPLYING and response.json()["rows_total"] == 20_000
    progress = []
    deadline = time.monotonic() + server_timeout() * 4
    while time.monotonic() < deadline:
        body = requests.get(response.headers["Location"], headers=headers, timeout=10).json()
        if body["status"] != ImportBatch.Status.APPLYING:
            break
        progress.append(body["rows_done"])
        time.sleep(0.2)
    done = time.monotonic() - started
    print(f"20,000-row import apply: answered {answered:.2f} s, applied {done:.1f} s, progress {progress[::5]}")
    assert answered < 5, answered
    assert body["status"] == ImportBatch.Status.APPLIED, body["summary"].get("errors")
    assert body["rows_done"] == 20_000 and any(0 < done_rows < 20_000 for done_rows in progress), progress
    assert progress == sorted(progress)
    assert Measurement.objects.count() == 20_000


# --- Finding 10: storage errors at the imports boundary ------------------------------------------------


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_an_import_upload_the_storage_cannot_keep_is_a_507_and_saves_nothing(live_server, code):
    world = World()
    storage = ImportBatch._meta.get_field("file").storage
    files = {"file": ("m.csv", as_csv(world.rows(3)))}
    with mock.patch.object(storage, "_save", side_effect=OSError(code, os.strerror(code))):
        response = requests.post(
            f"{live_server.url}{IMPORTS}",
            data={"kind": "measurements", "state": world.state.pk},
            files=files,
            headers=world.headers(),
            timeout=30,
        )
    assert response.status_code == 507, response.text[:300]
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "Nothing was saved" in response.json()["detail"] and response.json()["status"] == 507
    assert not ImportBatch.objects.exists()


# --- Finding 12: bad input is a 4xx JSON error ----------------------------------------------------------


def json_write_urls(live_server) -> list[str]:
    """Every collection of the API that accepts a JSON body (POST), and the bulk upload."""
    from config.api_urls import router

    return [f"{live_server.url}/api/v1/{prefix}/" for prefix, _viewset, _basename in router.registry] + [
        f"{live_server.url}{BULK}"
    ]


def assert_json_client_error(response, *statuses):
    assert response.status_code in (statuses or range(400, 500)), (response.request.url, response.status_code)
    assert response.headers["Content-Type"].split(";")[0] in ("application/json", "application/problem+json"), (
        response.request.url,
        response.headers["Content-Type"],
        response.text[:200],
    )
    response.json()


def admin_headers() -> dict:
    _token, key = issue_token(membership(Role.INITIATIVE_ADMIN), "admin client")
    return {"Authorization": f"Bearer {key}"}


def test_json_nested_fifty_thousand_levels_is_a_400_on_every_json_write_endpoint(live_server):
    headers = {**admin_headers(), "Content-Type": "application/json"}
    for body in ("[" * 50_000 + "]" * 50_000, '{"a":' * 50_000 + "1" + "}" * 50_000):
        for url in json_write_urls(live_server):
            response = requests.post(url, data=body, headers=headers, timeout=30)
            assert_json_client_error(response)
            if url.endswith(("/status-updates/", BULK)):
                assert response.status_code == 400 and "nested" in response.text


@pytest.mark.parametrize("as_form", [False, True], ids=["json", "multipart"])
def test_a_six_megabyte_narrative_is_a_413_problem(live_server, as_form):
    headers = admin_headers()
    narrative = "x" * (6 * 1024 * 1024)
    url = f"{live_server.url}/api/v1/status-updates/"
    if as_form:  # to an upload: within the multipart limit (a file may come along), beyond Django's for form fields
        upload = f"{live_server.url}/api/v1/measurements/bulk-upload/"
        response = requests.post(upload, files={"narrative": (None, narrative)}, headers=headers, timeout=30)
    else:
        response = requests.post(url, json={"narrative": narrative}, headers=headers, timeout=30)
    assert_json_client_error(response, 413)
    assert response.headers["Content-Type"] == "application/problem+json" and response.json()["status"] == 413


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"narrative": "caf\xe9"}', "application/json"),  # Latin-1, not UTF-8
        (b'{"narrative": "\xff\xfe\xfa"}', "application/json; charset=utf-8"),
        ('{"narrative": "ok"}'.encode("utf-16"), "application/json"),
        (b'{"narrative": "ok"}', "application/json; charset=utf-16"),
        (b'{"narrative": "ok"}', "application/json; charset=no-such-codec"),
        (b"narrative=caf\xe9&rating=\xff", "application/x-www-form-urlencoded"),
        (b"&".join(b"f%d=1" % i for i in range(5_000)), "application/x-www-form-urlencoded"),
        (b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n\xff\r\n--x--\r\n', "multipart/form-data"),
        (b"no boundary", "multipart/form-data; boundary=x"),
        (b"\x00\x01\x02", "application/json"),
    ],
)
def test_bodies_in_a_wrong_encoding_are_a_clear_400_json(live_server, body, content_type):
    headers = {**admin_headers(), "Content-Type": content_type}
    wrong = []
    for url in json_write_urls(live_server):
        response = requests.post(url, data=body, headers=headers, timeout=30)
        try:
            assert_json_client_error(response)
        except AssertionError as error:
            wrong.append(str(error))
    assert not wrong, wrong
