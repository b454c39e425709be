"""Forcing a fresh run renders the report again: once per user, report and month every few minutes."""

import pytest
from django.urls import reverse

from reports.models import ReportRun
from reports.requesting import FORCED_RENDER_INTERVAL

API = "/api/v1/report-runs/"
INTERVAL = int(FORCED_RENDER_INTERVAL.total_seconds())


@pytest.fixture
def brief(colorado):
    return {"kind": "commissioner_brief", "state": colorado.state.pk, "period": "2010-12"}


def test_the_api_refuses_a_second_forced_render_with_429(client, people, colorado, brief):
    client.force_login(people["viewer"])
    assert client.post(API, brief, content_type="application/json").status_code == 202  # queued
    forced = client.post(API, {**brief, "force": True}, content_type="application/json")
    assert forced.status_code == 202
    for _ in range(4):
        again = client.post(API, {**brief, "force": True}, content_type="application/json")
        assert again.status_code == 429
        assert 0 < int(again["Retry-After"]) <= INTERVAL
        assert "less than 10 minutes ago" in again.json()["detail"]
    assert ReportRun.objects.count() == 2  # the first run and the one forced render
    assert client.post(API, brief, content_type="application/json").status_code == 202  # reuse still answers

    other_month = client.post(API, {**brief, "period": "2010-11", "force": True}, content_type="application/json")
    assert other_month.status_code == 202  # another report (month) has its own allowance
    client.force_login(people["lead"])
    assert client.post(API, {**brief, "force": True}, content_type="application/json").status_code == 202  # per user


def test_the_page_refuses_a_second_forced_render_with_a_form_error(client, people, colorado, brief):
    client.force_login(people["commissioner"])
    url = reverse("reports:request")
    assert client.post(url, {**brief, "force": "on"}).status_code == 302
    again = client.post(url, {**brief, "force": "on"})
    assert again.status_code == 429 and 0 < int(again["Retry-After"]) <= INTERVAL
    assert "You made a fresh run of this report less than 10 minutes ago" in again.text
    assert ReportRun.objects.count() == 1
    assert client.post(url, brief)["Location"] == ReportRun.objects.get().get_absolute_url()  # no force: reused


def test_a_failed_run_is_made_again_without_forcing(client, people, colorado, brief):
    run, _ = ReportRun.prepare(ReportRun.Kind.COMMISSIONER_BRIEF, state=colorado.state, period="2010-12").submit()
    run.mark_failed("OSError: disk full")
    client.force_login(people["commissioner"])
    page = client.get(run.get_absolute_url())
    assert "Make a fresh one" in page.text and 'name="force"' not in page.text
    for _ in range(2):
        assert client.post(reverse("reports:request"), brief).status_code == 302
        ReportRun.objects.current().update(status=ReportRun.Status.FAILED)
    assert ReportRun.objects.count() == 3
