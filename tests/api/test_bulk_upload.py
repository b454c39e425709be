"""Bulk measurement upload: all or nothing, with every problem reported by row."""

import csv

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accountability.api import MAX_BULK_ROWS
from accountability.models import Measurement
from imports.reading import MAX_UPLOAD_BYTES, too_big_message, too_many_rows_message

URL = "/api/v1/measurements/bulk/"


def rows_for(schools, metric, **overrides):
    return [
        {
            "school": school.pk,
            "metric": metric.pk,
            "school_year": "2010-11",
            "period": 1,
            "value": f"{40 + i}.5",
            **overrides,
        }
        for i, school in enumerate(schools)
    ]


def test_json_list_is_saved(clients, memberships, world):
    response = clients["lead_partner_staff"].post(URL, rows_for(world.schools, world.metric), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] == 3
    saved = Measurement.objects.filter(pk__in=body["ids"])
    assert sorted(saved.values_list("value", flat=True)) == [40.5, 41.5, 42.5]
    assert {m.recorded_by for m in saved} == {memberships["lead_partner_staff"].user}


def test_one_bad_row_saves_nothing_and_reports_every_problem(clients, world):
    rows = rows_for(world.schools, world.metric)
    rows[1]["value"] = "140"
    rows[2]["school_year"] = "2010-2011"
    rows[2]["period"] = 9
    response = clients["state_lead"].post(URL, rows, format="json")
    assert response.status_code == 400
    errors = sorted({(e["row"], e["field"]) for e in response.json()["errors"]})
    assert errors == [(2, "value"), (3, "period"), (3, "school_year")]
    assert "out of range" in next(e["message"] for e in response.json()["errors"] if e["row"] == 2)
    assert not Measurement.objects.exists()


def test_rows_are_scope_checked(clients, world):
    rows = rows_for([world.schools[0], world.other_schools[0]], world.metric)
    response = clients["lead_partner_staff"].post(URL, rows, format="json")
    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(2, "school")]
    assert not Measurement.objects.exists()


def test_readers_may_not_record(clients, world):
    """Someone who may record measurements nowhere is refused before any row is looked at."""
    response = clients["state_viewer"].post(URL, rows_for(world.schools[:1], world.metric), format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "You may not add measurements."}
    assert not Measurement.objects.exists()


def test_duplicates_within_the_upload(clients, world):
    rows = rows_for(world.schools[:1], world.metric) * 2
    response = clients["state_lead"].post(URL, rows, format="json")
    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(2, "non_field_errors")]
    assert not Measurement.objects.exists()


def test_csv_file(clients, world):
    school, other = world.schools[0], world.schools[1]
    text = (
        "school,metric,school_year,period,value,source\n"
        f"{school.pk},{world.metric.pk},2010-11,1,35.0,Fall benchmark\n"
        f"{other.pk},{world.metric.pk},2010-11,1,36.0,\n"
    )
    upload = SimpleUploadedFile("measurements.csv", text.encode("utf-8-sig"), content_type="text/csv")
    response = clients["state_lead"].post(URL, {"file": upload}, format="multipart")
    assert response.status_code == 201, response.content
    assert Measurement.objects.get(school=school).source == "Fall benchmark"


def test_csv_row_errors(clients, world):
    text = f"school,metric,school_year,period,value\n{world.schools[0].pk},{world.metric.pk},2010-11,1,abc\n"
    upload = SimpleUploadedFile("measurements.csv", text.encode(), content_type="text/csv")
    response = clients["state_lead"].post(URL, {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(1, "value")]


def test_not_a_list(clients, world):
    for body in ({"school": world.schools[0].pk}, []):
        response = clients["state_lead"].post(URL, body, format="json")
        assert response.status_code == 400
        assert response.json()["errors"][0]["row"] == 0


def test_malformed_json_is_reported_like_other_problems(clients, world):
    response = clients["state_lead"].post(URL, "[{", content_type="application/json")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["row"], error["field"]) == (0, "non_field_errors")
    assert "JSON parse error" in error["message"]


@pytest.fixture
def csv_rows_read(monkeypatch):
    """How many CSV records any csv.reader (the bulk upload's, whatever wraps it) hands out."""
    count = [0]
    real_reader = csv.reader

    def counting_reader(*args, **kwargs):
        for record in real_reader(*args, **kwargs):
            count[0] += 1
            yield record

    monkeypatch.setattr(csv, "reader", counting_reader)
    return count


def csv_upload(world, rows: int) -> SimpleUploadedFile:
    line = f"{world.schools[0].pk},{world.metric.pk},2010-11,1,40.5,State assessment\n"
    body = "school,metric,school_year,period,value,source\n" + line * rows
    return SimpleUploadedFile("measurements.csv", body.encode(), content_type="text/csv")


def test_a_csv_over_the_size_limit_is_refused_unread(clients, world, csv_rows_read):
    """Finding 9: a 6 MB file is refused from its size; not a line of it is parsed."""
    upload = csv_upload(world, 6 * 1024 * 1024 // 36)
    assert upload.size > MAX_UPLOAD_BYTES

    response = clients["state_lead"].post(URL, {"file": upload}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"errors": [{"row": 0, "field": "file", "message": too_big_message(upload.size)}]}
    assert csv_rows_read[0] == 0
    assert not Measurement.objects.exists()


def test_a_csv_over_the_row_limit_stops_being_read_at_the_limit(clients, world, csv_rows_read):
    """Finding 9: reading stops at the first row beyond the limit instead of parsing the whole file."""
    response = clients["state_lead"].post(URL, {"file": csv_upload(world, 4 * MAX_BULK_ROWS)}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"errors": [{"row": 0, "field": "file", "message": too_many_rows_message(MAX_BULK_ROWS)}]}
    assert csv_rows_read[0] <= MAX_BULK_ROWS + 2  # the header, the limit, and the one row beyond it
    assert not Measurement.objects.exists()
