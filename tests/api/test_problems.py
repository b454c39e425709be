"""Every error the API answers is RFC 9457 problem details (web.problems): type, title, status,
detail, a machine code and the request's correlation id (also X-Request-ID and in the server's
log); a 400 lists each invalid field, nested ones by path; refusals say more where they have more
to say (a duplicate's ``existing``, a delete's ``blocked_by``)."""

import logging

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.test import APIClient

from accountability.models import Baseline, Measurement, Target
from accounts.authentication import ApiTokenRateThrottle
from schools.api import SchoolViewSet
from tests.api.conftest import token_client
from tests.api.test_writes import new_school
from tests.problems import PROBLEM
from web.problems import exception_handler

CONTRACT = {"type", "title", "status", "detail", "code", "correlation_id"}


def problem(response, status: int, code: str) -> dict:
    """The response's problem details, checked against the contract."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert set(body) >= CONTRACT
    assert body["status"] == status and body["code"] == code
    assert body["type"] == f"urn:zone-portfolio:problem:{code}"
    assert body["title"] and body["detail"]
    assert body["correlation_id"] == response["X-Request-ID"]
    return body


# --- 400 ---


def test_each_invalid_field_is_an_entry_with_its_code(clients, world):
    response = clients["lead_partner_staff"].post("/api/v1/status-updates/", {}, format="json")

    body = problem(response, 400, "invalid")
    assert body["title"] == "Invalid input"
    required = {error["field"] for error in body["errors"] if error["code"] == "required"}
    assert {"school", "reported_on", "rating"} <= required
    assert all(error["message"] for error in body["errors"])


def test_a_duplicate_is_a_whole_object_error_naming_the_existing_record(clients, world):
    body = {"school": world.schools[0].pk, "metric": world.metric.pk, "school_year": "2010-11", "period": 1}
    client = clients["state_lead"]
    first = client.post("/api/v1/measurements/", {**body, "value": "40"}, format="json").json()

    response = client.post("/api/v1/measurements/", {**body, "value": "42"}, format="json")

    problem_body = problem(response, 400, "invalid")
    assert [error["field"] for error in problem_body["errors"]] == [""]
    assert problem_body["errors"][0]["code"] == "unique_together"
    assert problem_body["existing"]["id"] == first["id"]
    assert problem_body["existing"]["url"].endswith(f"/api/v1/measurements/{first['id']}/")


def test_malformed_json_is_a_parse_error(clients):
    response = clients["state_lead"].post("/api/v1/schools/", '{"name": ', content_type="application/json")
    problem(response, 400, "parse_error")


class SchoolIn(serializers.Serializer):
    name = serializers.CharField()
    grades = serializers.ListField(child=serializers.IntegerField())


class ZoneIn(serializers.Serializer):
    name = serializers.CharField()
    schools = SchoolIn(many=True)


class Whole(serializers.Serializer):
    name = serializers.CharField()

    def validate(self, attrs):
        raise serializers.ValidationError("A zone needs a Lead Partner.", code="no_partner")


def refused(serializer) -> list[dict]:
    assert not serializer.is_valid()
    response = exception_handler(serializers.ValidationError(serializer.errors), {"request": None})
    assert response.status_code == 400 and response.data["code"] == "invalid"
    return response.data["errors"]


def test_nested_objects_and_list_items_are_named_by_path():
    zone = ZoneIn(data={"name": "", "schools": [{"name": "North", "grades": [9]}, {"grades": [9, "ninth"]}]})
    list_body = SchoolIn(many=True, data=[{"name": "North", "grades": [9]}, {"name": "South"}])

    assert refused(zone) == [
        {"field": "name", "code": "blank", "message": "This field may not be blank."},
        {"field": "schools.1.name", "code": "required", "message": "This field is required."},
        {"field": "schools.1.grades.1", "code": "invalid", "message": "A valid integer is required."},
    ]
    assert refused(list_body) == [{"field": "1.grades", "code": "required", "message": "This field is required."}]


def test_errors_about_the_whole_object_have_an_empty_field():
    assert refused(Whole(data={"name": "North"})) == [
        {"field": "", "code": "no_partner", "message": "A zone needs a Lead Partner."}
    ]
    model_error = DjangoValidationError({"__all__": DjangoValidationError("Overlaps.", code="overlap")})
    response = exception_handler(model_error, {"request": None})
    assert response.data["errors"] == [{"field": "", "code": "overlap", "message": "Overlaps."}]
    bare = exception_handler(serializers.ValidationError("Send a list."), {"request": None})
    assert bare.data["errors"] == [{"field": "", "code": "invalid", "message": "Send a list."}]
    assert bare.data["detail"] == "Send a list."


# --- authorization before validation (401, 403) ---


def test_no_credentials_is_a_401_with_the_challenge(db):
    response = APIClient().get("/api/v1/schools/")
    problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")
    bad = APIClient(HTTP_AUTHORIZATION="Bearer not-a-token").get("/api/v1/schools/")
    problem(bad, 401, "authentication_failed")


def test_a_read_only_role_is_refused_before_its_body_is_looked_at(clients, world):
    viewer = clients["state_viewer"]
    taken = new_school(world.zone.districts.get(), "Copy")
    taken["nces_id"] = world.other_schools[0].nces_id  # a Kansas school's

    for body in ({}, taken):
        response = viewer.post("/api/v1/schools/", body, format="json")
        assert "errors" not in problem(response, 403, "permission_denied")
        assert "already" not in response.content.decode()
    response = viewer.post("/api/v1/change-proposals/", {}, format="json")
    assert "errors" not in problem(response, 403, "permission_denied")


# --- 404, 405, 406, 415 ---


def test_an_object_you_may_not_see_is_the_same_404_as_none(clients, world):
    client = clients["state_lead"]
    other = problem(client.get(f"/api/v1/schools/{world.other_schools[0].pk}/"), 404, "not_found")
    missing = problem(client.get("/api/v1/schools/999999/"), 404, "not_found")
    assert {**other, "correlation_id": ""} == {**missing, "correlation_id": ""}


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/no-such-things/", "/api/v1/schools/1/no-such-action/", "/api/nowhere"])
def test_an_unknown_api_route_is_a_json_404_for_any_method(clients, method, path):
    response = getattr(clients["state_lead"], method)(path, {}, format="json")
    problem(response, 404, "not_found")


def test_a_method_the_route_does_not_allow_is_a_405_with_allow(clients):
    response = clients["admin"].delete("/api/v1/schools/")
    problem(response, 405, "method_not_allowed")
    assert "POST" in response["Allow"] and "DELETE" not in response["Allow"]


def test_accept_problem_json_is_served(clients):
    client = clients["state_lead"]
    assert client.get("/api/v1/schools/", HTTP_ACCEPT=PROBLEM).status_code == 200
    both = client.get("/api/v1/schools/", HTTP_ACCEPT=f"application/json, {PROBLEM}")
    assert both.status_code == 200 and both["Content-Type"] == "application/json"
    problem(client.get("/api/v1/schools/999999/", HTTP_ACCEPT=PROBLEM), 404, "not_found")


def test_errors_are_problem_json_whatever_was_accepted(clients):
    client = clients["state_lead"]
    problem(client.get("/api/v1/schools/", HTTP_ACCEPT="application/xml"), 406, "not_acceptable")
    problem(client.get("/api/v1/schools/999999/", HTTP_ACCEPT="text/html"), 404, "not_found")


def test_an_unsupported_body_type_is_a_415(clients):
    response = clients["state_lead"].post("/api/v1/schools/", "name=x", content_type="text/plain")
    problem(response, 415, "unsupported_media_type")


# --- 409, 412, 413, 429 ---


def test_a_refused_delete_names_what_blocks_it_by_kind_and_count(clients, records, world):
    """Counts of every state's rows (the catalog's metric is shared), never which rows they are."""
    response = clients["admin"].delete(f"/api/v1/metrics/{world.metric.pk}/")

    body = problem(response, 409, "conflict")
    counts = {
        model._meta.verbose_name_plural: model.objects.filter(metric=world.metric).count()
        for model in (Baseline, Measurement, Target)
    }
    assert sorted(body["blocked_by"], key=lambda item: item["kind"]) == [
        {"kind": kind, "count": count} for kind, count in sorted(counts.items())
    ]
    assert all(count == 2 for count in counts.values())  # Colorado's and Kansas's
    assert "2 measurements" in body["detail"] and "2 baselines" in body["detail"]
    assert set(body) == CONTRACT | {"blocked_by"}


def test_a_stale_version_is_a_412(clients, records):
    commitment = records["commitments"][0]
    response = clients["state_lead"].patch(
        f"/api/v1/commitments/{commitment.pk}/", {"description": "Year two"}, format="json", HTTP_IF_MATCH='"999"'
    )
    problem(response, 412, "stale")


def test_a_body_over_the_limit_is_a_413(clients, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = '{"name": "' + "x" * 2048 + '"}'
    response = clients["admin"].patch(f"/api/v1/states/{world.state.pk}/", body, content_type="application/json")
    problem(response, 413, "too_large")


def test_too_many_requests_is_a_429_with_retry_after(memberships, monkeypatch):
    monkeypatch.setattr(ApiTokenRateThrottle, "THROTTLE_RATES", {"api_token": "1/minute"})
    client = token_client(memberships["state_viewer"])
    client.get("/api/v1/metrics/")
    response = client.get("/api/v1/metrics/")
    problem(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


# --- 500 and the correlation id ---


def test_an_unexpected_error_is_a_500_problem_logged_with_its_correlation_id(memberships, monkeypatch, caplog):
    def broken(self, request, *args, **kwargs):
        raise RuntimeError("connection string postgres://secret")

    monkeypatch.setattr(SchoolViewSet, "list", broken)
    client = token_client(memberships["state_lead"])
    client.raise_request_exception = False

    with caplog.at_level(logging.ERROR, logger="web.problems"):
        response = client.get("/api/v1/schools/", HTTP_X_REQUEST_ID="client-trace.42")

    body = problem(response, 500, "server_error")
    assert body["correlation_id"] == "client-trace.42"
    assert "secret" not in response.content.decode() and "RuntimeError" not in response.content.decode()
    [record] = [record for record in caplog.records if record.name == "web.problems"]
    assert "client-trace.42" in record.getMessage() and record.correlation_id == "client-trace.42"
    assert record.exc_info[0] is RuntimeError


@pytest.mark.parametrize("incoming", ["", "x" * 65, "has space", "new\nline"])
def test_a_request_id_that_is_not_a_plain_token_is_replaced(clients, incoming):
    response = clients["state_lead"].get("/api/v1/schools/999999/", HTTP_X_REQUEST_ID=incoming)
    assert response["X-Request-ID"] not in ("", incoming)
    assert response.json()["correlation_id"] == response["X-Request-ID"]


def test_every_response_has_a_request_id(client, clients):
    ids = {clients["state_lead"].get("/api/v1/schools/")["X-Request-ID"], client.get("/")["X-Request-ID"]}
    assert len(ids) == 2 and all(ids)
