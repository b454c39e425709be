"""How API responses travel: rate-limit headers, gzip for data (never HTML), CORS for listed
origins only, date-times in UTC."""

import datetime
import gzip
import time

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.authentication import ApiTokenRateThrottle
from tests.factories import NotificationFactory, StatusUpdateFactory
from web.transport import UtcDateTimeField

RATE_HEADERS = [
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
]
BI = "https://bi.example.org"


def test_a_success_says_how_many_requests_are_left(clients, world):
    client = clients["state_viewer"]
    first, second = client.get("/api/v1/zones/"), client.get("/api/v1/zones/")
    assert first.status_code == second.status_code == 200
    assert first["RateLimit-Limit"] == first["X-RateLimit-Limit"] == "600"  # the token's, tighter than the user's
    assert int(second["RateLimit-Remaining"]) == int(first["RateLimit-Remaining"]) - 1 == 598
    assert 0 < int(first["RateLimit-Reset"]) <= 60
    assert abs(int(first["X-RateLimit-Reset"]) - (time.time() + int(first["RateLimit-Reset"]))) <= 2
    anonymous = APIClient().get("/api/v1/zones/")
    assert anonymous.status_code == 401
    assert not any(anonymous.has_header(name) for name in RATE_HEADERS)


def test_a_throttled_request_says_when_to_retry(clients, world, monkeypatch):
    monkeypatch.setattr(ApiTokenRateThrottle, "THROTTLE_RATES", {"api_token": "2/minute"})
    client = clients["state_viewer"]
    responses = [client.get("/api/v1/metrics/") for _ in range(3)]
    assert [response.status_code for response in responses] == [200, 200, 429]
    assert [response["RateLimit-Remaining"] for response in responses] == ["1", "0", "0"]
    throttled = responses[-1]
    assert throttled["RateLimit-Limit"] == "2"
    assert 0 < int(throttled["RateLimit-Reset"]) <= 60
    assert int(throttled["Retry-After"]) > 0


def test_the_zones_list_is_gzipped_but_never_a_page(clients, client, memberships, world):
    """A page carries the CSRF token: compressing it next to reflected input leaks it (BREACH)."""
    client = clients["state_viewer"]
    plain = client.get("/api/v1/zones/")
    compressed = client.get("/api/v1/zones/", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert not plain.has_header("Content-Encoding")
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    assert gzip.decompress(compressed.content) == plain.content
    ratio = len(plain.content) / len(compressed.content)
    assert ratio > 2, f"{len(plain.content)} bytes gzipped to {len(compressed.content)}"
    client.force_login(memberships["state_viewer"].user)
    page = client.get("/portfolio/", HTTP_ACCEPT_ENCODING="gzip")
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert len(page.content) > 200  # long enough that gzip would have compressed it
    assert not page.has_header("Content-Encoding")


def test_csv_of_a_list_is_gzipped_too(clients, world):
    response = clients["state_viewer"].get("/api/v1/schools/", HTTP_ACCEPT="text/csv", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Encoding"] == "gzip"


def preflight(client, origin, path="/api/v1/zones/"):
    return client.options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PATCH",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type, if-match, idempotency-key",
    )


def test_cors_is_off_until_an_origin_is_listed(client, world):
    assert not preflight(client, BI).has_header("Access-Control-Allow-Origin")
    with override_settings(CORS_ALLOWED_ORIGINS=[BI]):
        response = preflight(client, BI)
        assert response.status_code == 200
        assert response["Access-Control-Allow-Origin"] == BI
        allowed = {name.strip() for name in response["Access-Control-Allow-Headers"].split(",")}
        assert {
            "authorization",
            "content-type",
            "if-match",
            "if-none-match",
            "idempotency-key",
            "x-request-id",
        } <= allowed
        assert "PATCH" in response["Access-Control-Allow-Methods"]
        assert not response.has_header("Access-Control-Allow-Credentials")  # token clients: no cookies


@override_settings(CORS_ALLOWED_ORIGINS=[BI])
def test_a_listed_origin_reads_the_convention_headers(clients, world):
    response = clients["state_viewer"].get("/api/v1/zones/", HTTP_ORIGIN=BI)
    assert response["Access-Control-Allow-Origin"] == BI
    exposed = {name.strip() for name in response["Access-Control-Expose-Headers"].split(",")}
    assert {"ETag", "Location", "Retry-After", "RateLimit-Remaining", "X-RateLimit-Reset", "X-Request-ID"} <= exposed


@override_settings(CORS_ALLOWED_ORIGINS=[BI])
def test_cors_is_refused_to_other_origins_and_outside_the_api(client, world):
    assert not preflight(client, "https://evil.example.com").has_header("Access-Control-Allow-Origin")
    assert not preflight(client, BI, path="/portfolio/").has_header("Access-Control-Allow-Origin")


def test_date_times_are_utc(clients, memberships, world):
    update = StatusUpdateFactory(school=world.schools[0])
    response = clients["state_viewer"].get(f"/api/v1/status-updates/{update.pk}/")
    created = response.json()["created_at"]  # a model field
    assert created.endswith("Z")
    assert datetime.datetime.fromisoformat(created) == update.created_at
    notification = NotificationFactory(recipient=memberships["state_viewer"].user, event__state=world.state)
    rows = clients["state_viewer"].get("/api/v1/notifications/").json()["results"]
    occurred = next(row["occurred_at"] for row in rows if row["id"] == notification.pk)  # a declared field
    assert occurred.endswith("Z")
    assert datetime.datetime.fromisoformat(occurred) == notification.event.occurred_at


@pytest.mark.parametrize(
    ("sent", "written"),
    [
        ("2026-03-01T09:00:00-05:00", "2026-03-01T14:00:00Z"),
        ("2026-03-01T09:00:00+09:00", "2026-03-01T00:00:00Z"),
        ("2026-03-01T14:00:00Z", "2026-03-01T14:00:00Z"),
    ],
)
def test_date_times_with_any_offset_are_read_and_written_in_utc(sent, written):
    field = UtcDateTimeField()
    assert field.to_representation(field.to_internal_value(sent)) == written


def test_a_gzipped_records_weak_etag_still_guards_an_edit(clients, world):
    """gzip makes a strong ETag weak (the bytes differ, RFC 9110); the version it names still
    matches an If-Match, and a stale one is still refused."""
    client = clients["state_lead"]
    url = f"/api/v1/zones/{world.zone.pk}/"
    read = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert read["Content-Encoding"] == "gzip"
    etag = read["ETag"]
    assert etag.startswith('W/"')
    assert client.patch(url, {"name": "Renamed Zone"}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    assert client.patch(url, {"name": "Lost Zone"}, format="json", HTTP_IF_MATCH=etag).status_code == 412
