"""Oversized request bodies are refused from their Content-Length, before a byte of them is read:
413 as problem JSON (RFC 9457) from the API, as a short page elsewhere."""

import json

import pytest
from django.conf import settings

from imports.reading import MAX_UPLOAD_BYTES

MULTIPART = "multipart/form-data; boundary=tripwire"


class Tripwire:
    """A request body that fails the test when anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def post_declaring(client, path, length, content_type):
    return client.generic(
        "POST", path, content_type=content_type, CONTENT_LENGTH=str(length), **{"wsgi.input": Tripwire()}
    )


@pytest.mark.parametrize(
    ("path", "content_type", "length"),
    [
        ("/imports/new/", MULTIPART, 40 * 1024 * 1024),
        ("/imports/new/", MULTIPART, MAX_UPLOAD_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
        ("/accounts/login/", "application/x-www-form-urlencoded", settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
    ],
)
def test_a_page_refuses_an_oversized_body_unread(admin_client, path, content_type, length):
    response = post_declaring(admin_client, path, length, content_type)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "the limit is" in response.content.decode()
    assert response["Content-Security-Policy"] and response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("path", "content_type", "length"),
    [
        ("/api/v1/imports/", MULTIPART, 40 * 1024 * 1024),
        ("/api/v1/measurements/bulk/", MULTIPART, 40 * 1024 * 1024),
        ("/api/v1/measurements/bulk/", "application/json", settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
    ],
)
def test_the_api_refuses_an_oversized_body_unread_with_a_problem(admin_client, path, content_type, length):
    response = post_declaring(admin_client, path, length, content_type)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    problem = json.loads(response.content)
    assert problem["status"] == 413 and problem["type"] and problem["title"]
    assert f"{length / 1024 / 1024:.1f} MB" in problem["detail"]


def test_anonymous_visitors_are_refused_before_anything_else(client, db):
    assert post_declaring(client, "/imports/new/", 40 * 1024 * 1024, MULTIPART).status_code == 413
