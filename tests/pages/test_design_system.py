"""The page types that had no styling use the one design system: a page head, their tables as
``table.data`` in a keyboard-focusable scroll region, no stylesheet of their own (static/css/app.css)."""

import re

import pytest
from django.urls import reverse

from accounts.models import Role
from reports.models import ReportRun
from tests.worlds import member

pytestmark = pytest.mark.django_db


def pages(tenant):
    run, _ = ReportRun.prepare(ReportRun.Kind.STATE_PROGRESS, state=tenant.state).submit()
    return [
        reverse("imports:list"),
        reverse("imports:new"),
        reverse("tokens:list"),
        reverse("reports:run_detail", kwargs={"reportrun_pk": run.pk}),
        reverse("reports:state", kwargs={"state_pk": tenant.state.pk}),
        reverse("reports:zone", kwargs={"zone_pk": tenant.zone.pk}),
        reverse("portfolio:state_history", kwargs={"state_pk": tenant.state.pk}),
    ]


def test_the_formerly_unstyled_pages_use_the_design_system(tenant, login):
    client = login(member(Role.STATE_LEAD, tenant))
    for url in pages(tenant):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert 'class="page-head"' in body, url
        assert "reports.css" not in body, url  # a stylesheet that does not exist
        tables = re.findall(r"<table[^>]*>", body)
        assert all('class="data' in table for table in tables), (url, tables)
        wraps = re.findall(r'<div class="table-wrap"[^>]*>\s*<table', body)
        assert len(wraps) == len(tables), url
        assert all('tabindex="0"' in wrap for wrap in wraps), url
