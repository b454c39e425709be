"""Finding 9 on the API: a JSON nesting bomb and a tampered cursor are a 400 with a clear
message on every route they reach, never a 500."""

from base64 import b64encode

import pytest
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import JSONParser

from config.api_urls import router
from tests.problems import field_errors
from web.parsers import MAX_JSON_DEPTH
from web.rest import CursorPages

# Creates that read JSON (the uploads read multipart only: JSON there is a 415, never parsed).
WRITE_PATHS = [
    f"/api/v1/{prefix}/"
    for prefix, viewset, _name in router.registry
    if hasattr(viewset, "create") and any(issubclass(parser, JSONParser) for parser in viewset.parser_classes)
]
WRITE_PATHS += ["/api/v1/measurements/bulk/"]
CURSOR_PATHS = [
    f"/api/v1/{prefix}/"
    for prefix, viewset, _name in router.registry
    if issubclass(viewset.pagination_class, CursorPagination)
]
TOO_DEEP = f"JSON parse error - nested more than {MAX_JSON_DEPTH} levels deep."


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_the_routes_are_found():
    assert "/api/v1/schools/" in WRITE_PATHS and "/api/v1/imports/" not in WRITE_PATHS
    assert CURSOR_PATHS == ["/api/v1/measurements/", "/api/v1/status-updates/"]


@pytest.mark.parametrize("path", WRITE_PATHS)
def test_json_nested_50000_levels_is_a_400(clients, world, path):
    response = clients["admin"].post(path, nested(50_000), content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert TOO_DEEP in response.content.decode()


def test_a_nesting_bomb_in_an_update_is_a_400(clients, world):
    response = clients["admin"].patch(
        f"/api/v1/states/{world.state.pk}/", nested(50_000), content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["detail"] == TOO_DEEP and response.json()["code"] == "parse_error"


def test_nesting_is_bounded_at_the_limit_not_only_at_the_recursion_limit(clients, world):
    path = f"/api/v1/states/{world.state.pk}/"
    deep_name = '{"name": ' + nested(MAX_JSON_DEPTH - 1) + "}"  # MAX_JSON_DEPTH levels: parsed
    too_deep_name = '{"name": ' + nested(MAX_JSON_DEPTH) + "}"

    assert "name" in field_errors(clients["admin"].patch(path, deep_name, content_type="application/json"))
    assert clients["admin"].patch(path, too_deep_name, content_type="application/json").json()["detail"] == TOO_DEEP


def test_a_body_over_the_size_limit_is_a_json_error(clients, world, settings):
    """Refused from its Content-Length before it is read (config.security), as problem JSON."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    body = '{"name": "' + "x" * (1024 * 1024) + '"}'

    response = clients["admin"].patch(f"/api/v1/states/{world.state.pk}/", body, content_type="application/json")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 413


def cursor(query: str) -> str:
    return b64encode(query.encode()).decode()


TAMPERED = {
    "sql": cursor("o=0&p=1' OR 1=1--"),
    "nul": cursor("o=0&p=%00"),
    "beyond a bigint": cursor("o=0&p=99999999999999999999999"),
    "bad reverse flag": cursor("o=0&r=x&p=1"),
    "not base64": "not-a-cursor",
}


@pytest.mark.parametrize("path", CURSOR_PATHS)
@pytest.mark.parametrize("tampered", TAMPERED.values(), ids=TAMPERED.keys())
def test_a_tampered_cursor_is_a_400(clients, records, path, tampered):
    response = clients["state_lead"].get(path, {"cursor": tampered})

    assert response.status_code == 400
    assert field_errors(response) == {"cursor": [CursorPages.invalid_cursor_message]}


def test_a_cursor_is_checked_against_the_requested_ordering(clients, records):
    response = clients["state_lead"].get(
        "/api/v1/measurements/", {"ordering": "school_year", "cursor": cursor("p=abc")}
    )

    assert response.status_code == 400
    assert field_errors(response) == {"cursor": [CursorPages.invalid_cursor_message]}


@pytest.mark.parametrize("path", CURSOR_PATHS)
def test_the_cursors_the_api_hands_out_still_work(clients, records, world, path):
    first = clients["admin"].get(path, {"page_size": 1}).json()

    assert first["next"]
    assert clients["admin"].get(first["next"]).status_code == 200
