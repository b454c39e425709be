"""Bodies Django refuses while the API parses them, and bodies in a wrong encoding: problem JSON or a
JSON 400, never Django's HTML 400 page (the refusals from Content-Length alone: test_limits.py)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import encode_multipart

PROBLEM = "application/problem+json"
STATUS_UPDATES = "/api/v1/status-updates/"
BULK_UPLOAD = "/api/v1/measurements/bulk-upload/"  # takes multipart bodies (an upload)


def test_a_form_field_over_the_limit_in_a_multipart_body_is_a_413_problem(clients, settings):
    """Within the multipart limit (a file may come along), beyond Django's limit for form fields."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    body = {"narrative": "x" * (65 * 1024)}

    response = clients["lead_partner_staff"].post(BULK_UPLOAD, body, format="multipart")

    assert response.status_code == 413 and response["Content-Type"] == PROBLEM
    assert {key: response.json()[key] for key in ("type", "title", "status", "code", "detail")} == {
        "type": "urn:zone-portfolio:problem:too_large",
        "title": "Request body too large",
        "status": 413,
        "code": "too_large",
        "detail": "The request body is larger than 0.0625 MB (uploaded files aside).",
    }


def test_too_many_form_fields_is_a_400_problem(clients, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    body = {f"field{i}": "1" for i in range(11)}

    response = clients["state_lead"].post(BULK_UPLOAD, body, format="multipart")

    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert response.json()["detail"] == "The request has more than 10 form fields."


def test_too_many_files_is_a_400_problem(clients, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    files = {f"file{i}": SimpleUploadedFile(f"{i}.csv", b"a,b\n") for i in range(3)}
    body = encode_multipart("BoUnDaRy", files)

    response = clients["state_lead"].post(BULK_UPLOAD, body, content_type="multipart/form-data; boundary=BoUnDaRy")

    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert response.json()["detail"] == "The request has more than 2 files."


def test_write_operations_take_json_only(clients):
    """A form body to a JSON operation is refused (415), not half-read."""
    client = clients["lead_partner_staff"]
    assert client.post(STATUS_UPDATES, {"narrative": "x"}, format="multipart").status_code == 415
    urlencoded = client.post(STATUS_UPDATES, "narrative=x", content_type="application/x-www-form-urlencoded")
    assert urlencoded.status_code == 415


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"narrative": "caf\xe9"}', "application/json"),
        ('{"narrative": "ok"}'.encode("utf-16"), "application/json"),
        (b'{"narrative": "ok"}', "application/json; charset=utf-16"),
        (b"\x00\x01", "application/json"),
    ],
    ids=["latin-1", "utf-16 body", "utf-16 declared", "binary"],
)
def test_a_body_in_a_wrong_encoding_is_a_400_problem(clients, body, content_type):
    response = clients["lead_partner_staff"].post(STATUS_UPDATES, body, content_type=content_type)

    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"].startswith("JSON parse error")
