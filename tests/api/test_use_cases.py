"""One use case per action: posting a status update and recording measurements go through
accountability.recording from every interface (workspace page, API, bulk upload, import), so they
save the same records and refuse the same input with the same message."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accountability import recording
from accountability.models import Measurement, StatusUpdate
from imports.models import ImportBatch
from tests.factories import AutonomyTermFactory
from tests.problems import field_errors

ROLE = "lead_partner_staff"


@pytest.fixture
def pages(memberships):
    """A signed-in page client per role, over the API tests' world."""
    signed_in = {}
    for role, membership in memberships.items():
        signed_in[role] = Client()
        signed_in[role].force_login(membership.user)
    return signed_in


def measurement_row(world, school, **changes) -> dict:
    return {
        "school": school.pk,
        "metric": world.metric.pk,
        "school_year": "2010-11",
        "period": 1,
        "value": "41.5",
        "source": "Fall benchmark",
        **changes,
    }


def through_page(pages, row) -> dict:
    """{column: [messages]} of the workspace's measurement form, or {} once recorded."""
    response = pages[ROLE].post(reverse("accountability:post_measurement"), row)
    if response.status_code == 302:
        return {}
    return {name: list(messages) for name, messages in response.context["measurement_form"].errors.items()}


def through_api(clients, row) -> dict:
    response = clients[ROLE].post("/api/v1/measurements/", row, format="json")
    return {} if response.status_code == 201 else field_errors(response)


def through_bulk(clients, row) -> dict:
    response = clients[ROLE].post("/api/v1/measurements/bulk/", [row], format="json")
    if response.status_code == 201:
        return {}
    errors = {}
    for error in response.json()["errors"]:
        errors.setdefault(error["column"], []).append(error["message"])
    return errors


def through_import(clients, world, row) -> dict:
    """Uploaded as a measurements import by the same user for their Lead Partner, then applied."""
    header = ",".join(row)
    data = f"{header}\n{','.join(str(value) for value in row.values())}\n".encode()
    upload = SimpleUploadedFile("measurements.csv", data, content_type="text/csv")
    body = {"kind": "measurements", "state": world.state.pk, "lead_partner": world.zone.lead_partner.pk}
    response = clients[ROLE].post("/api/v1/imports/", {**body, "file": upload}, format="multipart")
    batch = response.json()
    if not batch["summary"]["errors"]:
        batch = clients[ROLE].post(f"/api/v1/imports/{batch['id']}/apply/").json()
        assert batch["status"] == ImportBatch.Status.APPLIED
        return {}
    errors = {}
    for error in batch["summary"]["errors"]:
        errors.setdefault(error["column"], []).append(error["message"])
    return errors


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"value": "140.00"}, "value"),  # outside the metric's range (the model's rule)
        ({"school_year": "2010-12"}, "school_year"),
        ({"school_year": "2099-00"}, "school_year"),  # has not begun
        ({"source": "line one\u2028line two"}, "source"),  # names and sources are one line of text
    ],
)
def test_a_bad_measurement_is_refused_with_the_same_message_everywhere(pages, clients, world, change, column):
    answers = []
    for number, period in enumerate(Measurement.Period.values):
        row = measurement_row(world, world.schools[0], period=period, **change)
        interface = [
            lambda row=row: through_page(pages, row),
            lambda row=row: through_api(clients, row),
            lambda row=row: through_bulk(clients, row),
            lambda row=row: through_import(clients, world, row),
        ][number]
        answers.append(interface()[column])
    assert answers[0] and all(answer == answers[0] for answer in answers), answers
    assert not Measurement.objects.exists()


def test_a_measurement_is_recorded_alike_from_every_interface(pages, clients, memberships, world):
    user = memberships[ROLE].user
    school = world.schools[0]
    assert through_page(pages, measurement_row(world, school, period=1)) == {}
    assert through_api(clients, measurement_row(world, school, period=2)) == {}
    assert through_bulk(clients, measurement_row(world, school, period=3)) == {}
    assert through_import(clients, world, measurement_row(world, school, period=4)) == {}

    recorded = Measurement.objects.filter(school=school).order_by("period")
    assert len(recorded) == 4
    assert {(m.value, m.source, m.recorded_by) for m in recorded} == {(41.5, "Fall benchmark", user)}
    assert all(m.recorded_at for m in recorded)
    assert {m.history.get().history_user for m in recorded} == {user}


def test_a_status_update_is_posted_alike_from_page_and_api(pages, clients, memberships, world):
    user = memberships[ROLE].user
    body = {"reported_on": "2011-05-02", "rating": "at_risk", "narrative": "Staffing gaps in math."}
    page = pages[ROLE].post(reverse("accountability:post_status_update"), {"school": world.schools[0].pk, **body})
    assert page.status_code == 302
    api = clients[ROLE].post("/api/v1/status-updates/", {"school": world.schools[1].pk, **body}, format="json")
    assert api.status_code == 201, api.content

    updates = StatusUpdate.objects.order_by("school_id")
    assert [(u.school, u.author, u.rating) for u in updates] == [
        (world.schools[0], user, "at_risk"),
        (world.schools[1], user, "at_risk"),
    ]
    assert {u.history.get().history_user for u in updates} == {user}


def test_a_note_on_an_autonomy_the_zone_lacks_is_refused_by_the_api_as_by_the_page(clients, world):
    """The zone holds a scheduling (time) autonomy only: its notes are taken, staffing notes refused
    (the page's refusal: tests/pages/test_forms.py)."""
    AutonomyTermFactory(zone=world.schools[0].zone, area="time", power="schedule")
    body = {"reported_on": "2011-05-02", "rating": "at_risk", "narrative": "Staffing gaps in math."}
    notes = {"scheduling_notes": "Extended day.", "staffing_notes": "Two vacancies."}
    lacking = f"{world.schools[0].zone} holds no autonomy in this area."
    api = clients[ROLE].post("/api/v1/status-updates/", {"school": world.schools[0].pk, **body, **notes}, format="json")
    assert api.status_code == 400 and field_errors(api) == {"staffing_notes": [lacking]}
    assert not StatusUpdate.objects.exists()

    notes.pop("staffing_notes")
    api = clients[ROLE].post("/api/v1/status-updates/", {"school": world.schools[0].pk, **body, **notes}, format="json")
    assert api.status_code == 201 and StatusUpdate.objects.get().scheduling_notes == "Extended day."


def test_the_use_cases_refuse_what_the_permission_table_refuses(memberships, world):
    """The last gate, whichever interface built the records: nothing is saved."""
    viewer = memberships["state_viewer"].user
    update = StatusUpdate(school=world.schools[0], reported_on="2011-05-02", rating="on_track", narrative="x")
    with pytest.raises(PermissionDenied):
        recording.post_status_update(viewer, update)

    staff = memberships[ROLE].user
    mine = Measurement(school=world.schools[0], metric=world.metric, school_year="2010-11", period=1, value=40)
    theirs = Measurement(school=world.other_schools[0], metric=world.metric, school_year="2010-11", period=1, value=40)
    with pytest.raises(PermissionDenied):
        recording.record_measurements(staff, [mine, theirs])
    assert not StatusUpdate.objects.exists() and not Measurement.objects.exists()
