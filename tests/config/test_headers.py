"""Security headers and cookies on real responses: CSP, framing, HSTS, sniffing, secure cookies."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from tests.factories import UserFactory


@pytest.fixture
def signed_in(client, db):
    client.force_login(UserFactory())
    return client


def csp_directives(response) -> dict:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("url", ["/", "/imports/", "/imports/new/", "/accounts/login/"])
def test_pages_send_a_strict_content_security_policy(client, signed_in, url):
    response = client.get(url, secure=True)

    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]  # charts are SVG data-URI images
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_framing_sniffing_and_https_headers(client, db):
    response = client.get(reverse("account_login"), secure=True)

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.parametrize(
    "url",
    [
        "/imports/",  # a page
        "/api/v1/states/",  # the API
        "/admin/",  # the Django admin
        "/no-such-page/",  # Django's 404
        "/static/css/app.css",  # static files, served by WhiteNoise before the other middleware
        "/static/img/favicon.svg",  # an SVG opened directly is a document that could run script
    ],
)
def test_every_kind_of_response_carries_the_security_headers(admin_client, url):
    response = admin_client.get(url, secure=True)

    assert response.status_code == (404 if url == "/no-such-page/" else 200)
    assert csp_directives(response)["default-src"] == ["'self'"]
    assert csp_directives(response)["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_session_and_csrf_cookies_are_secure(client, db):
    user = UserFactory()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    client.get(reverse("account_login"), secure=True)
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "correct-horse-battery"}, secure=True
    )

    session, csrf = response.cookies["sessionid"], client.cookies["csrftoken"]
    assert session["secure"] and session["httponly"] and not session["max-age"]  # gone when the browser closes
    assert csrf["secure"]
