"""The OpenAPI schema is valid, documents every API route, and the docs page works offline."""

import re

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from accounts.tokens import issue_token
from tests.factories import MembershipFactory


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def api_routes(patterns=None, prefix=""):
    """Every URL under /api/v1/ as an OpenAPI path (drf-spectacular names a ``pk`` ``{id}``)."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from api_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/v1/") and route != "api/v1/":
            yield "/" + route.replace("<str:pk>", "{id}")


def test_schema_is_valid_openapi(schema):
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")


def test_schema_command_passes_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_every_api_route_is_in_the_schema(schema):
    routes = set(api_routes())
    assert len(routes) >= 37  # 18 resources: list and detail each, plus bulk upload
    assert routes <= set(schema["paths"])


def test_operations_document_errors_parameters_and_token_auth(schema):
    zones = schema["paths"]["/api/v1/zones/"]["get"]
    names = {parameter["name"] for parameter in zones["parameters"]}
    assert {"state", "district", "status", "launch_school_year", "ordering", "page", "page_size", "fields"} <= names
    assert {"200", "400", "401", "403", "429"} <= set(zones["responses"])
    assert "404" in schema["paths"]["/api/v1/zones/{id}/"]["get"]["responses"]
    assert "409" in schema["paths"]["/api/v1/zones/{id}/"]["delete"]["responses"]
    assert schema["components"]["securitySchemes"]["apiToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A named API token (see 'API tokens' in the app); it carries one of your memberships.",
    }
    bulk = schema["paths"]["/api/v1/measurements/bulk/"]["post"]
    assert set(bulk["requestBody"]["content"]) == {"application/json", "multipart/form-data"}


def test_schema_and_docs_are_for_members_only(client, db):
    assert client.get("/api/schema/").status_code == 401
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith(reverse("account_login"))
    assert client.get("/api/docs/?script=").status_code == 302


def test_a_generated_client_fetches_the_schema_with_its_token(client, db):
    _token, key = issue_token(MembershipFactory(), "client generator")
    response = client.get("/api/schema/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200 and b"openapi" in response.content


def test_schema_and_docs_are_served_without_outside_resources(client, db):
    client.force_login(MembershipFactory().user)
    assert client.get("/api/schema/").status_code == 200
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, html
    assert all(source.startswith("/") for source in sources), sources
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert "/api/schema/" in script.content.decode()
