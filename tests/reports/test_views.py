"""Report pages per role: who sees which progress page, run and file; requesting and following a run."""

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from reports import tasks
from reports.models import ReportRun
from tests.reports.conftest import build_colorado_with_people

ROLES = ["admin", "lead", "viewer", "commissioner", "aurora_partner", "denver_partner", "collaborator", "ohio_lead"]
STATE_STAFF = {"admin", "lead", "viewer", "commissioner"}


@pytest.fixture(scope="module")
def world_builder():
    return build_colorado_with_people


@pytest.fixture
def colorado(world):
    return world.colorado


@pytest.fixture
def people(world):
    return world.people


def finished_run(kind, period="2010-12", **scope):
    run, _ = ReportRun.prepare(kind, period=period, **scope).submit()
    run.mark_done(f"{kind}.pdf", ContentFile(b"%PDF-1.7 report for " + kind.encode()))
    return run


@pytest.fixture
def runs(colorado):
    Kind = ReportRun.Kind
    return {
        "brief": finished_run(Kind.COMMISSIONER_BRIEF, state=colorado.state),
        "aurora": finished_run(Kind.ZONE_PROGRESS, zone=colorado.aurora),
        "portfolio": finished_run(Kind.PORTFOLIO),
        "ohio": finished_run(Kind.STATE_PROGRESS, state=colorado.ohio.state),
    }


@pytest.mark.parametrize("role", ROLES)
def test_progress_pages_per_role(client, people, colorado, role):
    client.force_login(people[role])
    state_page = client.get(reverse("reports:state", kwargs={"state_pk": colorado.state.pk}))
    zone_page = client.get(reverse("reports:zone", kwargs={"zone_pk": colorado.aurora.pk}))
    assert state_page.status_code == (200 if role in STATE_STAFF else 404)
    assert zone_page.status_code == (200 if role in STATE_STAFF | {"aurora_partner"} else 404)
    if role in STATE_STAFF:
        assert "East MS" in state_page.text and "$960,000" in state_page.text
        assert "Denver Zone has 2 schools" in state_page.text


@pytest.mark.parametrize("role", ROLES)
def test_runs_and_downloads_per_role(client, people, runs, role):
    client.force_login(people[role])
    visible = {
        "brief": role in STATE_STAFF,
        "aurora": role in STATE_STAFF | {"aurora_partner"},
        "portfolio": role == "admin",
        "ohio": role in {"admin", "ohio_lead"},
    }
    for name, run in runs.items():
        detail = client.get(reverse("reports:run_detail", kwargs={"reportrun_pk": run.pk}))
        download = client.get(reverse("reports:run_download", kwargs={"reportrun_pk": run.pk}))
        expected = 200 if visible[name] else 404
        assert (name, detail.status_code, download.status_code) == (name, expected, expected)
        if visible[name]:
            assert download["Content-Disposition"].startswith("attachment")
            assert b"".join(download.streaming_content).startswith(b"%PDF-1.7 report for")
    listed = {run.pk for run in client.get(reverse("reports:index")).context["runs"]}
    assert listed == {run.pk for name, run in runs.items() if visible[name]}


def test_anonymous_users_are_sent_to_log_in(client, runs):
    response = client.get(reverse("reports:run_download", kwargs={"reportrun_pk": runs["brief"].pk}))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_commissioner_requests_follows_and_downloads_a_brief(
    client, people, colorado, django_capture_on_commit_callbacks
):
    client.force_login(people["commissioner"])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(
            reverse("reports:request"), {"kind": "commissioner_brief", "state": colorado.state.pk, "period": "2010-12"}
        )
    run = ReportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    assert run.requested_by == people["commissioner"] and run.status == ReportRun.Status.QUEUED
    assert len(queued) == 1  # sent to the report service once the request commits
    ReportRun.objects.filter(pk=run.pk).update(sent_at=timezone.now())  # sent; no worker has taken it yet

    page = client.get(run.get_absolute_url())
    assert "htmx" in page.text and 'hx-trigger="every 2s"' in page.text  # the page loads htmx and polls
    polling = client.get(run.get_absolute_url(), headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in polling.text and "waiting for a worker" in polling.text
    assert "<html" not in polling.text  # only the fragment

    tasks.generate_report.delay(run.pk)  # a worker takes it (eagerly here)
    done = client.get(run.get_absolute_url(), headers={"HX-Request": "true"})
    assert "hx-trigger" not in done.text and run.get_download_url() in done.text
    pdf = client.get(run.get_download_url())
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")

    again = client.post(
        reverse("reports:request"), {"kind": "commissioner_brief", "state": colorado.state.pk, "period": "2010-12"}
    )
    assert again["Location"] == run.get_absolute_url() and ReportRun.objects.count() == 1


def test_a_failed_run_shows_its_error(client, people, colorado):
    run, _ = ReportRun.prepare(ReportRun.Kind.STATE_PROGRESS, state=colorado.state).submit()
    run.mark_failed("OperationalError: the database went away")
    client.force_login(people["viewer"])
    page = client.get(run.get_absolute_url())
    assert "Failed" in page.text and "OperationalError: the database went away" in page.text
    assert "hx-trigger" not in page.text


@pytest.mark.parametrize(
    ("role", "data", "status"),
    [
        ("lead", {"kind": "state_progress"}, 302),
        ("viewer", {"kind": "commissioner_brief"}, 302),
        ("aurora_partner", {"kind": "zone_progress", "zone": "aurora"}, 302),
        ("aurora_partner", {"kind": "commissioner_brief"}, 403),
        ("denver_partner", {"kind": "zone_progress", "zone": "aurora"}, 400),  # not a zone they can see
        ("collaborator", {"kind": "state_progress"}, 403),
        ("ohio_lead", {"kind": "commissioner_brief"}, 400),  # not a state they can see
        ("lead", {"kind": "portfolio", "state": None}, 403),
        ("admin", {"kind": "portfolio", "state": None}, 302),
        ("lead", {"kind": "zone_progress"}, 400),  # which zone?
        ("lead", {"kind": "state_progress", "period": "2010-13"}, 400),
    ],
)
def test_who_may_request_which_report(client, people, colorado, role, data, status):
    client.force_login(people[role])
    data = {"state": colorado.state.pk, **data}
    if data.get("zone") == "aurora":
        data["zone"] = colorado.aurora.pk
    data = {key: value for key, value in data.items() if value is not None}
    response = client.post(reverse("reports:request"), data)
    assert response.status_code == status
    assert ReportRun.objects.exists() == (status == 302)


def test_a_run_added_in_the_admin_is_queued(admin_client, colorado, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:reports_reportrun_add"),
            {"kind": "state_progress", "state": colorado.state.pk, "period": "2010-12"},
        )
    assert response.status_code == 302
    run = ReportRun.objects.get()
    assert run.status == ReportRun.Status.DONE and run.file.name.endswith("progress-CO-2010-12.csv")


def test_the_progress_page_keeps_school_years_whole_and_marks_one_nav_item_current(client, people, colorado):
    client.force_login(people["lead"])
    page = client.get(reverse("reports:state", kwargs={"state_pk": colorado.state.pk})).text
    years = re.findall(r'<small class="muted">(\d{4}[^<]*)</small>', page)
    assert years and all(re.fullmatch("\\d{4}\u2060\u2013\u2060\\d{2}", year) for year in years)
    assert page.count('aria-current="page"') == 2  # the Reports nav item and the breadcrumb's last step
    nav = page[page.index('class="mainnav"') :]
    assert nav[: nav.index("</nav>")].count('aria-current="page"') == 1
