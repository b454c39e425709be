"""The accountability cycle in the API: reporting periods, saving a period's values by indicator
code, submit / return / approve / reopen (200 with the submission), a wrong step or a locked
period (409 problem JSON), who may do what (403, and 404 outside the scope), and the collection
calendar's rows."""

import datetime

import pytest

from accountability.choices import Collection, Submission
from accountability.models import Measurement, PeriodSubmission, ReportingPeriod
from imports import services
from tests.factories import MeasurementFactory, MetricFactory, ReportingPeriodFactory
from tests.problems import field_errors

SUBMISSIONS = "/api/v1/period-submissions/"
FALL_DUE = datetime.date(2010, 11, 15)


@pytest.fixture
def fall(world):
    period = ReportingPeriodFactory(
        state=world.state, school_year="2010-11", period=Measurement.Period.FALL, due_on=FALL_DUE
    )
    period.indicators.set([world.metric, MetricFactory(code="attendance", name="Student attendance rate")])
    return period


def save(client, world, fall, values, school=None):
    school = school or world.schools[0]
    body = {"school": school.pk, "reporting_period": fall.pk, "values": values}
    return client.post(SUBMISSIONS, body, format="json")


def step(client, submission_id, name, **body):
    return client.post(f"{SUBMISSIONS}{submission_id}/{name}/", body, format="json")


def test_the_cycle_through_the_api(clients, world, fall):
    staff, lead = clients["lead_partner_staff"], clients["state_lead"]

    saved = save(staff, world, fall, {"reading": "41.50", "attendance": 93})
    assert saved.status_code == 200, saved.json()
    submission = saved.json()
    assert (submission["status"], submission["locked"]) == (Submission.IN_PROGRESS, False)
    stored = Measurement.objects.filter(school=world.schools[0], school_year="2010-11", period=1)
    assert sorted(str(m.value) for m in stored) == ["41.50", "93.00"]

    submitted = step(staff, submission["id"], "submit")
    assert (submitted.status_code, submitted.json()["status"], submitted.json()["locked"]) == (200, "submitted", True)
    assert submitted["ETag"] == f'"{submitted.json()["version"]}"'

    returned = step(lead, submission["id"], "return", comment="Attendance is the October count?")
    assert returned.status_code == 200
    assert (returned.json()["status"], returned.json()["comment"], returned.json()["times_returned"]) == (
        "returned",
        "Attendance is the October count?",
        1,
    )
    assert save(staff, world, fall, {"attendance": "92.5"}).status_code == 200
    assert step(staff, submission["id"], "submit").status_code == 200

    approved = step(lead, submission["id"], "approve")
    assert approved.json()["status"] == "approved"
    locked = save(staff, world, fall, {"attendance": "90"})
    assert locked.status_code == 409
    assert locked["Content-Type"] == "application/problem+json"
    assert "approved and locked" in locked.json()["detail"]

    reopened = step(lead, submission["id"], "reopen", reason="The district corrected attendance.")
    assert (reopened.status_code, reopened.json()["status"]) == (200, "returned")
    assert save(staff, world, fall, {"attendance": "90"}).status_code == 200


def test_wrong_steps_and_locked_periods_are_409_problems(clients, world, fall):
    staff, lead = clients["lead_partner_staff"], clients["state_lead"]
    submission = save(staff, world, fall, {"reading": 40, "attendance": 90}).json()

    for name in ("approve", "return", "reopen"):
        refused = step(lead, submission["id"], name, comment="No.", reason="No.")
        assert refused.status_code == 409, name
        assert refused.json()["status"] == 409 and "in progress" in refused.json()["detail"]
    step(staff, submission["id"], "submit")
    assert step(staff, submission["id"], "submit").status_code == 409

    measurement = Measurement.objects.filter(school=world.schools[0], metric=world.metric).get()
    changed = staff.patch(f"/api/v1/measurements/{measurement.pk}/", {"value": "12"}, format="json")
    deleted = staff.delete(f"/api/v1/measurements/{measurement.pk}/")
    added = staff.post(
        "/api/v1/measurements/",
        {
            "school": world.schools[0].pk,
            "metric": MetricFactory().pk,
            "school_year": "2010-11",
            "period": 1,
            "value": 3,
        },
        format="json",
    )
    assert [changed.status_code, deleted.status_code, added.status_code] == [409, 409, 409]
    bulk = staff.post(
        "/api/v1/measurements/bulk/",
        [{"school": world.schools[0].pk, "metric": "reading", "school_year": "2010-11", "period": "1", "value": "12"}],
        format="json",
    )
    assert bulk.status_code == 400 and "submitted for review and locked" in str(bulk.json())
    measurement.refresh_from_db()
    assert measurement.value == 40


def test_bad_input_is_400_naming_each_indicator(clients, world, fall):
    staff, lead = clients["lead_partner_staff"], clients["state_lead"]

    refused = save(staff, world, fall, {"reading": 140, "attendance": "-1", "nope": 1})
    assert refused.status_code == 400 and "nope" in str(field_errors(refused)["values"])
    refused = save(staff, world, fall, {"reading": 140, "attendance": "-1"})
    assert refused.status_code == 400
    assert set(field_errors(refused)) == {"values.reading", "values.attendance"}

    submission = save(staff, world, fall, {"reading": 40}).json()
    incomplete = step(staff, submission["id"], "submit")
    assert incomplete.status_code == 400 and "Student attendance rate" in str(incomplete.json())
    save(staff, world, fall, {"attendance": 90})
    step(staff, submission["id"], "submit")
    no_comment = step(lead, submission["id"], "return")
    assert no_comment.status_code == 400 and "comment" in field_errors(no_comment)
    assert PeriodSubmission.objects.get(pk=submission["id"]).status == Submission.SUBMITTED


@pytest.mark.parametrize("role", ["state_viewer", "commissioner", "collaborator"])
def test_readers_may_not_save_or_step(clients, world, fall, role):
    submission = save(clients["lead_partner_staff"], world, fall, {"reading": 40, "attendance": 90}).json()

    assert save(clients[role], world, fall, {"reading": 41}).status_code == 403
    assert step(clients[role], submission["id"], "submit").status_code == 403
    assert clients[role].get(f"{SUBMISSIONS}{submission['id']}/").status_code == 200


def test_the_lead_partner_may_not_review(clients, world, fall):
    staff = clients["lead_partner_staff"]
    submission = save(staff, world, fall, {"reading": 40, "attendance": 90}).json()
    step(staff, submission["id"], "submit")

    assert step(staff, submission["id"], "approve").status_code == 403
    assert step(staff, submission["id"], "return", comment="Mine.").status_code == 403
    assert PeriodSubmission.objects.get(pk=submission["id"]).status == Submission.SUBMITTED


def test_another_states_submissions_do_not_exist(clients, world, fall):
    kansas_fall = ReportingPeriodFactory(state=world.other_state, period=Measurement.Period.FALL, due_on=FALL_DUE)
    theirs = PeriodSubmission.objects.create(
        school=world.other_schools[0], reporting_period=kansas_fall, status=Submission.SUBMITTED
    )
    lead = clients["state_lead"]

    assert lead.get(f"{SUBMISSIONS}{theirs.pk}/").status_code == 404
    assert step(lead, theirs.pk, "approve").status_code == 404
    into_kansas = save(lead, world, kansas_fall, {"reading": 40}, school=world.other_schools[0])
    assert into_kansas.status_code == 400 and set(field_errors(into_kansas)) == {"school", "reporting_period"}
    assert [row["id"] for row in lead.get(SUBMISSIONS).json()["results"]] == []


def test_reporting_periods_are_read_by_the_state_and_set_by_its_lead(clients, world, fall):
    body = {"state": world.state.pk, "school_year": "2010-11", "period": 2, "due_on": "2011-02-15"}

    assert clients["state_viewer"].post("/api/v1/reporting-periods/", body, format="json").status_code == 403
    assert clients["lead_partner_staff"].post("/api/v1/reporting-periods/", body, format="json").status_code == 403
    created = clients["state_lead"].post("/api/v1/reporting-periods/", body, format="json")
    assert created.status_code == 201, created.json()
    listed = clients["lead_partner_staff"].get("/api/v1/reporting-periods/", {"state": world.state.pk}).json()
    assert {row["id"] for row in listed["results"]} == {fall.pk, created.json()["id"]}
    assert ReportingPeriod.objects.filter(state=world.other_state).count() == 0


def test_the_collection_calendar_lists_requirements_with_their_status(clients, world, fall):
    school = world.schools[0]
    MeasurementFactory(school=school, metric=world.metric, school_year="2010-11", period=1)
    PeriodSubmission.objects.create(school=school, reporting_period=fall, status=Submission.SUBMITTED)
    ReportingPeriodFactory(state=world.other_state, period=Measurement.Period.FALL, due_on=FALL_DUE)

    rows = clients["state_lead"].get("/api/v1/collection/").json()
    submitted = clients["state_lead"].get("/api/v1/collection/", {"status": "submitted"}).json()
    late = clients["lead_partner_staff"].get("/api/v1/collection/", {"status": "late", "period": 1}).json()

    assert rows["count"] == len(world.schools)
    by_school = {row["school"]: row for row in rows["results"]}
    assert (by_school[school.pk]["status"], by_school[school.pk]["entered"]) == (Collection.SUBMITTED, 1)
    assert set(by_school[school.pk]["indicators"]) == {"reading", "attendance"}
    assert [row["school"] for row in submitted["results"]] == [school.pk]
    assert {row["school"] for row in late["results"]} == {s.pk for s in world.schools[1:]}
    assert all(row["days_late"] > 0 for row in late["results"])
    assert clients["state_lead"].get("/api/v1/collection/", {"status": "nope"}).status_code == 400


def test_a_bulk_upload_into_a_period_locked_after_its_check_is_a_409(clients, world, fall, monkeypatch):
    """The upload's check saw the period open; the write, on the locked submission row, refuses it."""
    PeriodSubmission.objects.create(school=world.schools[0], reporting_period=fall, status=Submission.APPROVED)
    monkeypatch.setattr(services, "locked_periods", lambda schools: {})
    row = {"school": world.schools[0].pk, "metric": "reading", "school_year": "2010-11", "period": "1", "value": "12"}

    response = clients["lead_partner_staff"].post("/api/v1/measurements/bulk/", [row], format="json")

    assert response.status_code == 409 and response["Content-Type"] == "application/problem+json"
    assert "approved and locked" in response.json()["detail"]
    assert not Measurement.objects.filter(school=world.schools[0]).exists()
