"""The error pages a reader meets (403, 404, 500, an expired form) are the app's own pages: a main
landmark, a title, the reason in plain words and where to go; nothing of the internals. The API
keeps its problem JSON."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from tests.factories import InvitationFactory
from tests.worlds import member

pytestmark = pytest.mark.django_db

INTERNALS = ("Traceback", "matches the given query", "RuntimeError", "hunter2", "django", "csrf_token")


def assert_branded(response, status: int, template: str, title: str):
    body = response.content.decode()
    assert response.status_code == status
    assert template in [t.name for t in response.templates]
    assert '<main id="main"' in body and f"<title>{title} · Zone Portfolio</title>" in body
    assert 'href="/"' in body  # the way home
    for internal in INTERNALS:
        assert internal not in body, internal
    return body


def without_csrf_token(response) -> str:
    """The page, its log-out form's token (masked afresh on every page) aside."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_a_page_that_does_not_exist(client, tenant, login):
    login(tenant.users["state_viewer"])
    body = assert_branded(client.get("/no-such-page/"), 404, "404.html", "Page not found")
    assert "There is no page at this address that your account can open." in body
    assert 'aria-label="Main"' in body  # the signed-in reader keeps the navigation


def test_another_tenants_record_reads_like_one_that_does_not_exist(client, tenant, other_tenant, login):
    login(tenant.users["state_viewer"])
    theirs = client.get(reverse("portfolio:school_detail", kwargs={"school_pk": other_tenant.schools[0].pk}))
    nobodys = client.get(reverse("portfolio:school_detail", kwargs={"school_pk": 10**9}))
    assert_branded(theirs, 404, "404.html", "Page not found")
    assert without_csrf_token(theirs) == without_csrf_token(nobodys)


def test_a_used_invitation_link_says_so_and_offers_sign_in(client, db):
    invitation = InvitationFactory(accepted_at=timezone.now())
    token = invitation.issue_token()
    invitation.save()
    response = client.get(reverse("accounts:accept_invitation", args=[token]))
    body = assert_branded(response, 404, "404.html", "Page not found")
    assert "This invitation link is invalid, has expired or has already been used." in body
    assert f'href="{reverse("account_login")}"' in body


def test_a_state_viewer_is_not_offered_the_workspace_and_is_refused_with_a_way_back(client, tenant, login):
    login(tenant.users["state_viewer"])
    state_page = reverse("portfolio:state_detail", kwargs={"state_pk": tenant.state.pk})
    assert reverse("accountability:workspace") not in client.get(state_page).content.decode()
    response = client.get(reverse("accountability:workspace"), HTTP_REFERER=f"http://testserver{state_page}")
    body = assert_branded(response, 403, "403.html", "You cannot open this page")
    assert "The workspace is where Lead Partner staff and state leads post updates and results." in body
    assert f'href="http://testserver{state_page}">Back to the page you came from' in body
    assert tenant.users["state_viewer"].email in body


def test_a_back_link_never_leads_off_the_site(client, tenant, login):
    login(tenant.users["state_viewer"])
    response = client.get(reverse("accountability:workspace"), HTTP_REFERER="https://evil.example.com/phish")
    assert "evil.example.com" not in assert_branded(response, 403, "403.html", "You cannot open this page")


def test_a_form_sent_without_its_csrf_token_gets_the_expired_form_page(tenant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member(Role.STATE_LEAD, tenant))
    response = client.post(reverse("network:action_item_create"), {"title": "x"})
    body = assert_branded(response, 403, "403_csrf.html", "This form has expired")
    assert "Nothing was saved. Go back, reload the page and send the form again." in body


@pytest.mark.urls("tests.pages.error_urls")
def test_a_failing_page_gets_the_500_page_without_internals(client, settings, tenant, login):
    settings.DEBUG = False
    client.raise_request_exception = False
    login(tenant.users["state_lead"])
    response = client.get("/broken/")
    body = assert_branded(response, 500, "500.html", "Something went wrong")
    assert "The fault is ours, not yours" in body
    assert f"<code>{response['X-Request-ID']}</code>" in body  # the reference the log carries too
    assert 'aria-label="Main"' not in body  # made without the request: no query can fail it again


def test_the_api_keeps_its_problem_json(client, tenant, login):
    login(tenant.users["state_viewer"])
    unknown = client.get("/api/v1/no-such-resource/")
    assert unknown.status_code == 404 and unknown["Content-Type"] == "application/problem+json"
    refused = client.post("/api/v1/schools/", {}, content_type="application/json")
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "permission_denied"
