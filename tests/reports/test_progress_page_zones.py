"""The live progress report page shows a few zones' tables per page (the PDF has them all): a
state's thousands of rows are not rendered on every request."""

import pytest
from django.urls import reverse

from accounts.models import Role
from reports.views import ZONES_PER_PAGE
from tests.factories import LaunchedZoneFactory
from tests.worlds import member

pytestmark = pytest.mark.django_db


def test_the_state_report_pages_its_zones(tenant, login):
    for _ in range(ZONES_PER_PAGE + 1):
        LaunchedZoneFactory(state=tenant.state)
    client = login(member(Role.STATE_LEAD, tenant))
    url = reverse("reports:state", kwargs={"state_pk": tenant.state.pk})
    first = client.get(url)
    assert first.status_code == 200
    zones = first.context["zones"]
    assert len(zones.object_list) == ZONES_PER_PAGE
    assert zones.paginator.count == len(first.context["report"].zones) > ZONES_PER_PAGE
    rest = client.get(url, {"zones_page": 2}).context["zones"].object_list
    shown = [row.zone.pk for row in [*zones.object_list, *rest]]
    assert sorted(shown) == sorted(row.zone.pk for row in first.context["report"].zones)
