"""Reports are about the past: no status update or expenditure dated after today, no measurement
or baseline for a school year that has not begun, through the API and its bulk upload."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accountability.models import Baseline, Measurement, StatusUpdate
from core.validators import current_school_year, school_year_from_start, school_year_start
from funding.models import Commitment, Expenditure
from tests.factories import CommitmentFactory, SchoolFactory
from tests.problems import field_errors


def next_school_year() -> str:
    return school_year_from_start(school_year_start(current_school_year()) + 1)


def tomorrow() -> str:
    return (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


def status_update(world, reported_on):
    return {"school": world.schools[0].pk, "reported_on": reported_on, "rating": "on_track", "narrative": "All well."}


def measurement(world, school_year, **changes):
    return {
        "school": world.schools[0].pk,
        "metric": world.metric.pk,
        "school_year": school_year,
        "period": 1,
        "value": "40",
        **changes,
    }


def test_a_status_update_dated_tomorrow_is_refused(clients, world):
    client = clients["lead_partner_staff"]

    response = client.post("/api/v1/status-updates/", status_update(world, tomorrow()), format="json")

    assert response.status_code == 400
    assert "after today" in field_errors(response)["reported_on"][0]
    assert not StatusUpdate.objects.exists()
    today = timezone.localdate().isoformat()
    assert client.post("/api/v1/status-updates/", status_update(world, today), format="json").status_code == 201


def test_a_status_update_cannot_be_moved_into_the_future(clients, world):
    client = clients["state_lead"]
    update = client.post("/api/v1/status-updates/", status_update(world, "2011-03-01"), format="json").json()

    response = client.patch(f"/api/v1/status-updates/{update['id']}/", {"reported_on": "2099-12-31"}, format="json")

    assert response.status_code == 400
    assert StatusUpdate.objects.get().reported_on == datetime.date(2011, 3, 1)


def test_a_measurement_of_a_school_year_that_has_not_begun_is_refused(clients, world):
    client = clients["lead_partner_staff"]

    for school_year in (next_school_year(), "2099-00"):
        response = client.post("/api/v1/measurements/", measurement(world, school_year), format="json")
        assert response.status_code == 400
        assert "has not begun" in field_errors(response)["school_year"][0]
    assert not Measurement.objects.exists()
    body = measurement(world, current_school_year())
    assert client.post("/api/v1/measurements/", body, format="json").status_code == 201


def test_bulk_json_upload_with_a_future_school_year_saves_nothing(clients, world):
    rows = [measurement(world, "2010-11"), measurement(world, next_school_year(), period=2)]

    response = clients["lead_partner_staff"].post("/api/v1/measurements/bulk/", rows, format="json")

    assert response.status_code == 400
    assert [(error["row"], error["column"]) for error in response.json()["errors"]] == [(2, "school_year")]
    assert not Measurement.objects.exists()


def test_bulk_csv_upload_with_a_future_school_year_saves_nothing(clients, world):
    school, metric = world.schools[0].pk, world.metric.pk
    lines = ["school,metric,school_year,period,value", f"{school},{metric},2010-11,1,40"]
    lines.append(f"{school},{metric},{next_school_year()},1,41")
    upload = SimpleUploadedFile("rows.csv", "\n".join(lines).encode(), content_type="text/csv")

    response = clients["lead_partner_staff"].post(
        "/api/v1/measurements/bulk-upload/", {"file": upload}, format="multipart"
    )

    assert response.status_code == 400
    assert [(error["row"], error["column"]) for error in response.json()["errors"]] == [(3, "school_year")]
    assert not Measurement.objects.exists()


def test_a_baseline_of_a_school_year_that_has_not_begun_is_refused(clients, world):
    """For a school in no zone yet (no launch year to measure the baseline before)."""
    school = SchoolFactory(district=world.zone.districts.get())
    body = {"school": school.pk, "metric": world.metric.pk, "value": "30", "school_year": next_school_year()}

    response = clients["state_lead"].post("/api/v1/baselines/", body, format="json")

    assert response.status_code == 400
    assert "has not begun" in field_errors(response)["school_year"][0]
    assert not Baseline.objects.exists()


def test_an_expenditure_dated_tomorrow_is_refused(clients, world):
    commitment = CommitmentFactory(state=world.state, status=Commitment.Status.RECEIVED)
    body = {"commitment": commitment.pk, "zone": world.zone.pk, "category": "other", "amount": "10"}

    response = clients["state_lead"].post("/api/v1/expenditures/", {**body, "spent_on": tomorrow()}, format="json")

    assert response.status_code == 400
    assert "spent_on" in field_errors(response)
    assert not Expenditure.objects.exists()
