"""Location on every 201 (web.conditional), and 202 + Location + Retry-After for a report run
that is still queued (reports.api)."""

from django.core.files.base import ContentFile

from reports.models import ReportRun

STATUS_UPDATE = {"reported_on": "2011-01-15", "rating": "at_risk", "narrative": "Attendance dipped in January."}


def test_a_201_locates_the_created_object(clients, world):
    client = clients["lead_partner_staff"]
    created = client.post("/api/v1/status-updates/", {**STATUS_UPDATE, "school": world.schools[0].pk}, format="json")
    assert created.status_code == 201, created.content
    located = client.get(created["Location"])
    assert located.status_code == 200 and located.json()["id"] == created.json()["id"]
    assert created["Location"].endswith(f"/api/v1/status-updates/{created.json()['id']}/")

    funder = clients["admin"].post("/api/v1/funders/", {"name": "Gates", "kind": "private_foundation"}, format="json")
    assert funder.status_code == 201
    assert clients["admin"].get(funder["Location"]).json()["name"] == "Gates"


def test_a_queued_report_run_is_202_with_where_and_when_to_poll(clients, world):
    client = clients["state_lead"]
    body = {"kind": "state_progress", "state": world.state.pk, "period": "2010-12"}
    queued = client.post("/api/v1/report-runs/", body, format="json")
    assert queued.status_code == 202, queued.content
    assert int(queued["Retry-After"]) > 0
    polled = client.get(queued["Location"])
    assert (polled.status_code, polled.json()["id"], polled.json()["status"]) == (200, queued.json()["id"], "queued")

    ReportRun.objects.get().mark_done("progress.csv", ContentFile(b"Zone,School\n"))
    done = client.post("/api/v1/report-runs/", body, format="json")  # this month's run, finished: reused
    assert (done.status_code, done.json()["id"]) == (200, queued.json()["id"])
    assert not done.has_header("Retry-After")
