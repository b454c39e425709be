"""Bulk measurement upload: the imports pipeline, all or nothing, every problem as {row, column,
message} in RFC 9457 problem details. The same file gets the same answer as a measurements import."""

import csv

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accountability.models import Measurement
from imports.reading import MAX_ROWS, MAX_UPLOAD_BYTES, too_big_message, too_many_rows_message
from tests.problems import field_errors

URL = "/api/v1/measurements/bulk/"
UPLOAD = "/api/v1/measurements/bulk-upload/"
IMPORTS = "/api/v1/imports/"
PROBLEM = "application/problem+json"


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


def problems(response) -> list[tuple]:
    """(row, column) of each problem of a refused upload, after checking it is problem details."""
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["type"] and body["title"] and body["status"] == 400 and "nothing was saved" in body["detail"]
    return [(error["row"], error["column"]) for error in body["errors"]]


def csv_file(text: str, encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile("measurements.csv", text.encode(encoding), content_type="text/csv")


def as_import(client, world, data: bytes) -> list[dict]:
    """The errors of the same file uploaded as a measurements import (a dry run)."""
    upload = SimpleUploadedFile("measurements.csv", data, content_type="text/csv")
    body = {"kind": "measurements", "state": world.state.pk, "file": upload}
    response = client.post(IMPORTS, body, format="multipart")
    if response.status_code == 400:  # not read at all: the failed import's problem
        return located(response.json()["errors"])
    return response.json()["summary"]["errors"]  # read: a dry run with its row errors


def located(errors: list[dict]) -> list[dict]:
    """Problem errors by row and column (each is also a field error: ``field``, ``code``)."""
    return [{"row": error["row"], "column": error["column"], "message": error["message"]} for error in errors]


def as_bulk(client, data: bytes) -> list[dict]:
    response = client.post(
        UPLOAD, {"file": SimpleUploadedFile("m.csv", data, content_type="text/csv")}, format="multipart"
    )
    problems(response)
    return located(response.json()["errors"])


def test_json_list_is_saved(clients, memberships, world):
    response = clients["lead_partner_staff"].post(URL, rows_for(world.schools, world.metric), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (3, 0, 0)
    saved = Measurement.objects.filter(pk__in=body["ids"])
    assert sorted(saved.values_list("value", flat=True)) == [40.5, 41.5, 42.5]
    user = memberships["lead_partner_staff"].user
    assert {m.recorded_by for m in saved} == {user}
    assert {m.history.get().history_user for m in saved} == {user}


def test_sending_the_same_rows_again_changes_nothing_and_a_new_value_updates(clients, world):
    """Rows are matched on school, metric, school year and period, as in an import."""
    rows = rows_for(world.schools, world.metric)
    first = clients["state_lead"].post(URL, rows, format="json").json()
    retried = clients["state_lead"].post(URL, rows, format="json")
    assert retried.status_code == 200, retried.content  # nothing created
    again = retried.json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert again["ids"] == first["ids"]

    rows[0]["value"] = "47"
    response = clients["state_lead"].post(URL, rows, format="json")
    assert response.status_code == 200
    changed = response.json()
    assert (changed["created"], changed["updated"], changed["unchanged"]) == (0, 1, 2)
    assert Measurement.objects.get(pk=first["ids"][0]).value == 47
    assert Measurement.objects.count() == 3


def test_the_json_list_and_the_file_upload_are_separate_operations(clients, world):
    """bulk/ reads JSON only, bulk-upload/ a multipart file only: each refuses the other's body (415)."""
    text = f"school,metric,school_year,period,value\n{world.schools[0].pk},{world.metric.pk},2010-11,1,40\n"
    assert clients["state_lead"].post(URL, {"file": csv_file(text)}, format="multipart").status_code == 415
    rows = rows_for(world.schools, world.metric)
    assert clients["state_lead"].post(UPLOAD, rows, format="json").status_code == 415
    response = clients["state_lead"].post(UPLOAD, {"note": "no file"}, format="multipart")
    assert problems(response) == [(None, "")]
    assert not Measurement.objects.exists()

    assert clients["state_lead"].post(UPLOAD, {"file": csv_file(text)}, format="multipart").status_code == 201
    again = clients["state_lead"].post(UPLOAD, {"file": csv_file(text)}, format="multipart")
    assert again.status_code == 200 and again.json()["unchanged"] == 1


def test_one_bad_row_saves_nothing_and_reports_every_problem(clients, world):
    rows = rows_for(world.schools, world.metric)
    rows[1]["value"] = "140"
    rows[2]["school_year"] = "2010-2011"
    response = clients["state_lead"].post(URL, rows, format="json")
    assert sorted(set(problems(response))) == [(2, "value"), (3, "school_year")]
    assert "out of range" in response.json()["errors"][0]["message"]
    assert not Measurement.objects.exists()


def test_rows_are_scope_checked(clients, world):
    """Another state's school is "no school" there, like an id that does not exist."""
    rows = rows_for([world.schools[0], world.other_schools[0]], world.metric)
    response = clients["lead_partner_staff"].post(URL, rows, format="json")
    assert problems(response) == [(2, "school")]
    missing = rows_for([world.schools[0]], world.metric, school=999_999)
    response_missing = clients["lead_partner_staff"].post(URL, missing + rows[:1], format="json")
    other_message = response.json()["errors"][0]["message"].replace(str(world.other_schools[0].pk), "N")
    assert response_missing.json()["errors"][0]["message"].replace("999999", "N") == other_message
    assert not Measurement.objects.exists()


def test_readers_may_not_record(clients, world):
    """Someone who may record measurements nowhere is refused before any row is looked at."""
    response = clients["state_viewer"].post(URL, rows_for(world.schools[:1], world.metric), format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "You may not add measurements."
    assert not Measurement.objects.exists()


def test_duplicates_within_the_upload(clients, world):
    rows = rows_for(world.schools[:1], world.metric) * 2
    response = clients["state_lead"].post(URL, rows, format="json")
    assert problems(response) == [(2, "school, metric, school_year, period")]
    assert response.json()["errors"][0]["message"].startswith("Duplicate of row 1")
    assert not Measurement.objects.exists()


def test_nces_id_and_metric_code_name_the_school_and_metric(clients, world):
    school = world.schools[0]
    rows = [
        {"nces_id": school.nces_id, "metric": "reading", "school_year": "2010-11", "period": "Fall", "value": 35},
        {
            "nces_id": school.nces_id,
            "metric": "Reading proficiency",
            "school_year": "2010-11",
            "period": 2,
            "value": 36,
        },
        {"school": school.pk, "metric": world.metric.pk, "school_year": "2010-11", "period": 3, "value": 37},
    ]
    response = clients["lead_partner_staff"].post(URL, rows, format="json")
    assert response.status_code == 201, response.content
    saved = Measurement.objects.filter(school=school, metric=world.metric).order_by("period")
    assert [(m.period, m.value) for m in saved] == [(1, 35), (2, 36), (3, 37)]

    text = f"nces_id,metric,school_year,period,value\n{world.schools[1].nces_id},reading,2010-11,4,38\n"
    response = clients["lead_partner_staff"].post(UPLOAD, {"file": csv_file(text)}, format="multipart")
    assert response.status_code == 201, response.content
    assert Measurement.objects.get(school=world.schools[1]).period == Measurement.Period.END_OF_YEAR


def test_an_nces_id_and_an_id_of_different_schools_are_refused(clients, world):
    rows = rows_for(world.schools[:1], world.metric, nces_id=world.schools[1].nces_id)
    assert problems(clients["state_lead"].post(URL, rows, format="json")) == [(1, "school")]


def test_csv_file_with_a_byte_order_mark(clients, world):
    school, other = world.schools[0], world.schools[1]
    text = (
        "school,metric,school_year,period,value,source\n"
        f"{school.pk},{world.metric.pk},2010-11,1,35.0,Fall benchmark\n"
        f"{other.pk},{world.metric.pk},2010-11,1,36.0,\n"
    )
    response = clients["state_lead"].post(UPLOAD, {"file": csv_file(text, "utf-8-sig")}, format="multipart")
    assert response.status_code == 201, response.content
    assert Measurement.objects.get(school=school).source == "Fall benchmark"


def test_csv_rows_are_numbered_like_a_spreadsheet(clients, world):
    text = f"school,metric,school_year,period,value\n{world.schools[0].pk},{world.metric.pk},2010-11,1,abc\n"
    response = clients["state_lead"].post(UPLOAD, {"file": csv_file(text)}, format="multipart")
    assert problems(response) == [(2, "value")]


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("latin-1", lambda text: text.encode("latin-1")),
        ("UTF-16 without a valid body", lambda text: b"\xff\xfe" + text.encode("utf-8")[:-1]),
        ("binary", lambda text: b"\x00\x01" + text.encode()),
    ],
)
def test_an_unreadable_file_is_refused_like_an_import(clients, world, name, encode):
    text = f"nces_id,metric,school_year,period,value,source\n{world.schools[0].nces_id},reading,2010-11,1,35,Café\n"
    data = encode(text)
    bulk = as_bulk(clients["state_lead"], data)
    assert bulk == as_import(clients["state_lead"], world, data)
    assert [error["row"] for error in bulk] == [None]


def test_a_formula_cell_is_refused_like_an_import(clients, world):
    text = f"nces_id,metric,school_year,period,value\n{world.schools[0].nces_id},reading,2010-11,1,=HYPERLINK(1)\n"
    bulk = as_bulk(clients["state_lead"], text.encode())
    assert bulk == as_import(clients["state_lead"], world, text.encode())
    assert bulk == [{"row": 2, "column": "value", "message": "This cell holds a formula; enter the value itself."}]

    rows = rows_for(world.schools[:1], world.metric, source="@SUM(A1)")
    response = clients["state_lead"].post(URL, rows, format="json")
    assert problems(response) == [(1, "source")]
    assert response.json()["errors"][0]["message"] == bulk[0]["message"]
    assert not Measurement.objects.exists()


def test_not_a_list(clients, world):
    for body in ({"school": world.schools[0].pk}, [], [1, 2]):
        response = clients["state_lead"].post(URL, body, format="json")
        assert problems(response) == [(None, "")]


def test_malformed_json_is_reported_like_other_problems(clients, world):
    response = clients["state_lead"].post(URL, "[{", content_type="application/json")
    assert problems(response) == [(None, "")]
    assert "JSON parse error" in response.json()["errors"][0]["message"]


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


def csv_upload(world, rows: int, line: str = "") -> SimpleUploadedFile:
    line = line or f"{world.schools[0].pk},{world.metric.pk},2010-11,1,40.5,State assessment\n"
    body = "school,metric,school_year,period,value,source\n" + line * rows
    return SimpleUploadedFile("measurements.csv", body.encode(), content_type="text/csv")


def test_a_csv_over_the_size_limit_is_refused_unread_with_the_import_limit(clients, world, csv_rows_read):
    """A 6 MB file is refused from its size (the imports' limit and message); not a line is parsed."""
    upload = csv_upload(world, 6 * 1024 * 1024 // 36)
    assert upload.size > MAX_UPLOAD_BYTES

    response = clients["state_lead"].post(UPLOAD, {"file": upload}, format="multipart")

    assert problems(response) == [(None, "")]
    assert response.json()["errors"][0]["message"] == too_big_message(upload.size)
    assert csv_rows_read[0] == 0
    upload.seek(0)
    body = {"kind": "measurements", "state": world.state.pk, "file": upload}
    assert field_errors(clients["state_lead"].post(IMPORTS, body, format="multipart")) == {
        "file": [too_big_message(upload.size)]
    }
    assert not Measurement.objects.exists()


def test_a_csv_over_the_row_limit_stops_being_read_at_the_limit(clients, world, csv_rows_read):
    """Reading stops at the first row beyond the imports' row limit instead of parsing the whole file."""
    response = clients["state_lead"].post(
        UPLOAD, {"file": csv_upload(world, MAX_ROWS + 50, "1,1,2010-11,1,1,\n")}, format="multipart"
    )

    assert problems(response) == [(None, "")]
    assert response.json()["errors"][0]["message"] == too_many_rows_message()
    assert csv_rows_read[0] <= MAX_ROWS + 2  # the header, the limit, and the one row beyond it
    assert not Measurement.objects.exists()


def test_a_json_list_over_the_row_limit_is_refused(clients, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
    rows = [{"school": 1}] * (MAX_ROWS + 1)
    response = clients["state_lead"].post(URL, rows, format="json")
    assert problems(response) == [(None, "")]
    assert response.json()["errors"][0]["message"] == too_many_rows_message()
