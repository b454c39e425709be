"""The OpenAPI schema is valid, documents every API route, and the docs page works offline."""

import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from accounts.tokens import issue_token
from tests.factories import MembershipFactory
from web.rest import IdFilter


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
    assert {"state", "district", "status", "launch_school_year", "ordering", "page", "page_size"} <= names
    assert {"200", "400", "401", "403", "429"} <= set(zones["responses"])
    assert "404" in schema["paths"]["/api/v1/zones/{id}/"]["get"]["responses"]
    assert "409" in schema["paths"]["/api/v1/zones/{id}/"]["delete"]["responses"]
    assert schema["components"]["securitySchemes"]["apiToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A named API token (see 'API tokens' in the app); it carries one of your memberships.",
    }
    bulk = schema["paths"]["/api/v1/measurements/bulk/"]["post"]
    assert set(bulk["requestBody"]["content"]) == {"application/json"}
    upload = schema["paths"]["/api/v1/measurements/bulk-upload/"]["post"]
    assert set(upload["requestBody"]["content"]) == {"multipart/form-data"}


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


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method.upper(), operation


def test_bodies_are_json_except_uploads(schema):
    """A generated client writes JSON: only the file uploads take multipart."""
    media = {
        (path, method): set(op["requestBody"]["content"])
        for path, method, op in operations(schema)
        if "requestBody" in op
    }
    uploads = {
        ("/api/v1/imports/", "POST"),
        ("/api/v1/imports/ccd-directory/", "POST"),
        ("/api/v1/measurements/bulk-upload/", "POST"),
    }
    assert {key for key, types in media.items() if types != {"application/json"}} == uploads
    assert all(media[key] == {"multipart/form-data"} for key in uploads)


def test_every_error_is_problem_details_and_the_headers_are_documented(schema):
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        assert {"400", "401", "403", "404", "406", "429"} <= set(responses), (path, method)
        for code, response in responses.items():
            if code >= "400" and (path, code) not in {
                ("/api/v1/imports/", "400"),
                ("/api/v1/imports/{id}/apply/", "400"),
            }:
                # ...except an import's own 400: the failed import itself
                assert "application/problem+json" in response["content"], (path, method, code)
        headers = {parameter["name"] for parameter in operation.get("parameters", []) if parameter["in"] == "header"}
        if method == "POST":
            assert "Idempotency-Key" in headers and "422" in responses, (path, method)
            assert "Location" in responses.get("201", {"headers": {"Location": 1}})["headers"], path
        if method == "GET":
            assert "If-None-Match" in headers and "304" in responses, path
            assert "ETag" in responses["200"]["headers"], path
        if method in ("PUT", "PATCH", "DELETE"):
            assert "If-Match" in headers and {"412", "428"} <= set(responses), (path, method)
    problem = schema["components"]["schemas"]["ProblemDetails"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "code", "correlation_id"}


def test_ids_values_and_ordering_are_typed_precisely(schema):
    ids = [
        parameter["schema"]
        for path, _method, operation in operations(schema)
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path"
    ]
    assert ids and all(id_["type"] == "integer" and id_["minimum"] == 1 and id_["maximum"] >= 2**31 - 1 for id_ in ids)
    zones = {
        parameter["name"]: parameter["schema"] for parameter in schema["paths"]["/api/v1/zones/"]["get"]["parameters"]
    }
    # The bounds the filters enforce (a bigint id), so a value the schema allows is never refused.
    assert zones["state"]["minimum"] == 1 and zones["district"]["maximum"] == IdFilter().extra["max_value"]
    assert "fields" not in zones  # a subset would break the required fields a typed client reads
    key = next(
        parameter["schema"]
        for parameter in schema["paths"]["/api/v1/status-updates/"]["post"]["parameters"]
        if parameter["name"] == "Idempotency-Key"
    )
    assert (key["minLength"], key["maxLength"]) == (1, 255)
    assert re.match(key["pattern"], "9f1c-retry 2") and not re.match(key["pattern"], '""')
    assert zones["launch_school_year"]["pattern"] == r"^(\d{4})-(\d{2})$"
    assert set(zones["ordering"]["enum"]) == {"id", "-id", "name", "-name", "status", "-status"} | {
        "launch_school_year",
        "-launch_school_year",
    }
    components = schema["components"]["schemas"]
    assert components["MeasurementRequest"]["properties"]["school_year"]["pattern"] == r"^(\d{4})-(\d{2})$"
    runs = {
        parameter["name"]: parameter["schema"]
        for parameter in schema["paths"]["/api/v1/report-runs/"]["get"]["parameters"]
    }
    assert runs["period"]["pattern"] == r"^(\d{4})-(0[1-9]|1[0-2])$"
    decimals = [
        field["pattern"]
        for component in components.values()
        for field in component.get("properties", {}).values()
        if field.get("format") == "decimal" and "pattern" in field
    ]
    assert decimals
    for pattern in decimals:
        assert not re.match(pattern, "") and not re.match(pattern, "-") and not re.match(pattern, ".")
        assert re.match(pattern, "12.5") and re.match(pattern, "-3")


def test_responses_list_their_fields_as_required(schema):
    """A record's every field is in its response (``?fields=``, which returns a subset, is left out of the
    operations' parameters and described in the API's description only)."""
    zone = schema["components"]["schemas"]["Zone"]
    assert set(zone["required"]) == set(zone["properties"])
    responses = [
        name
        for name, component in schema["components"]["schemas"].items()
        if "properties" in component and not name.endswith("Request") and name != "ValidationError"
    ]
    assert [name for name in responses if not schema["components"]["schemas"][name].get("required")] == []


def test_operations_have_their_own_summaries_and_tags_per_resource(schema):
    summaries = Counter(operation.get("summary") for _path, _method, operation in operations(schema))
    assert None not in summaries and summaries.most_common(1)[0][1] == 1
    descriptions = Counter(operation.get("description") for _p, _m, operation in operations(schema))
    assert all(count < 40 for text, count in descriptions.items() if len(text or "") > 100)
    zones = schema["paths"]["/api/v1/zones/{id}/"]
    assert zones["get"]["summary"] == "Read one zone" and zones["delete"]["summary"] == "Delete a zone"
    assert schema["paths"]["/api/v1/status-updates/"]["get"]["tags"] == ["status-updates"]
    tags = {tag["name"]: tag["description"] for tag in schema["tags"]}
    assert tags["zones"].startswith("Zones with their schools")
    assert {tag for _p, _m, op in operations(schema) for tag in op["tags"]} == set(tags)


def test_main_operations_have_examples_and_downloads_their_media_types(schema):
    for path in ("/api/v1/zones/", "/api/v1/schools/", "/api/v1/status-updates/", "/api/v1/measurements/bulk/"):
        assert schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]["examples"], path
    download = schema["paths"]["/api/v1/report-runs/{id}/download/"]["get"]["responses"]["200"]["content"]
    assert set(download) == {"application/pdf", "text/csv"}
