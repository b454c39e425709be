"""/api/v1/report-runs/: request, reuse, validation and scoping."""

import pytest
from django.core.files.base import ContentFile

from reports.models import ReportRun
from tests.problems import field_errors

URL = "/api/v1/report-runs/"


@pytest.fixture
def api(client, people):
    def login(role):
        client.force_login(people[role])
        return client

    return login


def test_request_reuse_and_force(api, people, colorado, django_capture_on_commit_callbacks):
    client = api("commissioner")
    body = {"kind": "commissioner_brief", "state": colorado.state.pk, "period": "2010-12"}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(URL, body, content_type="application/json")
    assert first.status_code == 202  # queued when it answered; done once the request committed
    data = client.get(f"{URL}{first.json()['id']}/").json()
    assert data["status"] == "done" and data["requested_by"] == str(people["commissioner"])
    assert data["download_url"].endswith(f"{URL}{data['id']}/download/")
    download = client.get(data["download_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-")

    again = client.post(URL, body, content_type="application/json")
    assert (again.status_code, again.json()["id"]) == (200, data["id"])
    forced = client.post(URL, {**body, "force": True}, content_type="application/json")
    assert forced.status_code == 202 and forced.json()["id"] != data["id"]
    assert [run["id"] for run in client.get(URL).json()["results"]] == [forced.json()["id"]]  # current runs only


@pytest.mark.parametrize(
    ("role", "body", "status", "field"),
    [
        ("lead", {"kind": "zone_progress"}, 400, "zone"),
        ("lead", {"kind": "state_progress", "period": "March"}, 400, "period"),
        ("lead", {"kind": "weekly"}, 400, "kind"),
        ("ohio_lead", {"kind": "state_progress"}, 400, "state"),  # Colorado does not exist for them
        ("collaborator", {"kind": "state_progress"}, 403, None),
        ("lead", {"kind": "portfolio", "state": None}, 403, None),
    ],
)
def test_bad_requests(api, colorado, role, body, status, field):
    response = api(role).post(URL, {"state": colorado.state.pk, **body}, content_type="application/json")
    assert response.status_code == status
    if field:
        assert field in field_errors(response)
    assert not ReportRun.objects.exists()


def test_runs_are_scoped(api, colorado):
    run, _ = ReportRun.prepare(ReportRun.Kind.STATE_PROGRESS, state=colorado.state, period="2010-12").submit()
    run.mark_done("progress.csv", ContentFile(b"Zone,School\n"))
    assert [r["id"] for r in api("viewer").get(URL).json()["results"]] == [run.pk]
    client = api("ohio_lead")
    assert client.get(URL).json()["results"] == []
    assert client.get(f"{URL}{run.pk}/").status_code == 404
    assert client.get(f"{URL}{run.pk}/download/").status_code == 404
