"""Every list as CSV by ``Accept: text/csv``: the page's rows under the serializer's fields,
pagination in headers, formula-safe cells; anything but a list (and any error) is not CSV."""

import csv
import io
from decimal import Decimal

import pytest

from config.api_urls import router
from tests.factories import MeasurementFactory, StatusUpdateFactory
from tests.problems import field_errors

CSV = {"HTTP_ACCEPT": "text/csv"}


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("endpoint", ["zones", "schools", "status-updates", "measurements", "metrics"])
def test_a_list_is_csv_with_the_serializers_fields_as_header(clients, records, endpoint):
    client = clients["state_lead"]
    rows = client.get(f"/api/v1/{endpoint}/").json()["results"]
    response = client.get(f"/api/v1/{endpoint}/", **CSV)
    header, *lines = read_csv(response)
    assert response["Content-Disposition"] == f'attachment; filename="{endpoint}.csv"'
    assert list(dict.fromkeys(column.split(".")[0] for column in header)) == list(rows[0])  # same fields, same order
    assert len(lines) == len(rows)
    assert [line[header.index("id")] for line in lines] == [str(row["id"]) for row in rows]


def test_nested_objects_are_dotted_columns_and_lists_are_joined(clients, world):
    row = clients["state_lead"].get("/api/v1/zones/").json()["results"][0]
    header, line = read_csv(clients["state_lead"].get("/api/v1/zones/", **CSV))
    assert line[header.index("lead_partner_detail.name")] == row["lead_partner_detail"]["name"]
    assert line[header.index("schools")].count("; ") == len(row["schools"]) - 1


def test_cells_cannot_run_as_formulas_and_numbers_stay_numbers(clients, world):
    StatusUpdateFactory(school=world.schools[0], narrative='=HYPERLINK("http://evil.example","x")')
    header, line = read_csv(clients["state_lead"].get("/api/v1/status-updates/", **CSV))
    assert line[header.index("narrative")] == '\'=HYPERLINK("http://evil.example","x")'
    MeasurementFactory(school=world.schools[0], metric=world.metric, value=Decimal("-5.5"))
    header, line = read_csv(clients["state_lead"].get("/api/v1/measurements/", **CSV))
    assert line[header.index("value")] == "-5.50"  # a negative number, not text


def test_a_page_number_list_links_the_next_page_and_counts(clients, world):
    response = clients["state_lead"].get("/api/v1/schools/", {"page_size": 1}, **CSV)
    _, *lines = read_csv(response)
    assert len(lines) == 1
    assert response["X-Total-Count"] == str(len(world.schools))
    assert 'rel="next"' in response["Link"] and "page=2" in response["Link"]
    second = clients["state_lead"].get("/api/v1/schools/", {"page_size": 1, "page": 2}, **CSV)
    assert 'rel="prev"' in second["Link"]


def test_a_cursor_list_links_the_next_page(clients, world):
    for school in world.schools[:2]:
        StatusUpdateFactory(school=school)
    response = clients["state_lead"].get("/api/v1/status-updates/", {"page_size": 1}, **CSV)
    header, *lines = read_csv(response)
    assert len(lines) == 1
    next_url = response["Link"].split(";")[0].strip("<>")
    assert 'rel="next"' in response["Link"] and "cursor=" in next_url
    assert not response.has_header("X-Total-Count")
    _, *following = read_csv(clients["state_lead"].get(next_url, **CSV))
    assert following and following[0][header.index("id")] != lines[0][header.index("id")]


def test_only_a_list_is_csv(clients, world):
    """A detail asked for as CSV is a 406 (in JSON); JSON stays the default and a browser still gets
    the browsable API."""
    client = clients["state_lead"]
    assert client.get("/api/v1/zones/", **CSV).status_code == 200
    response = client.get(f"/api/v1/zones/{world.zone.pk}/", **CSV)
    assert response.status_code == 406
    assert "json" in response["Content-Type"]
    assert response.json()
    assert client.get("/api/v1/zones/")["Content-Type"] == "application/json"
    assert client.get("/api/v1/zones/", HTTP_ACCEPT="text/html")["Content-Type"].startswith("text/html")


def test_an_error_of_a_csv_list_is_json(clients, world):
    response = clients["state_lead"].get("/api/v1/status-updates/", {"cursor": "not-a-cursor"}, **CSV)
    assert response.status_code == 400
    assert "json" in response["Content-Type"]
    assert "cursor" in field_errors(response)


def test_every_list_answers_csv(clients, records):
    lists = [prefix for prefix, viewset, _ in router.registry if hasattr(viewset, "list")]
    answers = {endpoint: clients["admin"].get(f"/api/v1/{endpoint}/", **CSV) for endpoint in lists}
    refused = {endpoint: (r.status_code, r.content[:200]) for endpoint, r in answers.items() if r.status_code != 200}
    assert not refused
    assert {r["Content-Type"] for r in answers.values()} == {"text/csv; charset=utf-8"}
