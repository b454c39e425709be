import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from portfolio.services import portfolio
from tests.factories import StatusUpdateFactory
from tests.worlds import member

pytestmark = pytest.mark.django_db


def test_portfolio_summarises_each_state(tenant, other_tenant, superuser):
    # The latest update decides: the first school was off track, then reported on track.
    StatusUpdateFactory(school=tenant.schools[0], rating="on_track", reported_on=datetime.date(2011, 4, 1))
    rows = {row.state.name: row for row in portfolio(superuser)}
    colorado = rows["Colorado"]
    assert (colorado.zones, colorado.schools, colorado.launch_year) == (1, 3, "2010-11")
    assert colorado.ratings == {"on_track": 3}
    assert colorado.on_track_share == Decimal("1.000")
    assert colorado.last_update == datetime.date(2011, 4, 1)
    assert colorado.funding.received == Decimal("500000.00")
    assert colorado.funding.spent == Decimal("1200.00")
    louisiana = rows["Louisiana"]
    assert louisiana.ratings == {"on_track": 2, "off_track": 1}
    assert louisiana.off_track_share == Decimal("0.333")


def test_portfolio_sorts_and_filters(tenant, other_tenant, admin_client):
    StatusUpdateFactory(school=tenant.schools[0], rating="on_track", reported_on=datetime.date(2011, 4, 1))
    url = reverse("portfolio:portfolio")
    by_name = [row.state.name for row in admin_client.get(url, {"sort": "-name"}).context["rows"]]
    assert by_name == ["Louisiana", "Colorado"]
    by_share = [row.state.name for row in admin_client.get(url, {"sort": "-on_track"}).context["rows"]]
    assert by_share == ["Colorado", "Louisiana"]
    off_track = admin_client.get(url, {"off_track": "on"}).context["rows"]
    assert [row.state.name for row in off_track] == ["Louisiana"]
    searched = admin_client.get(url, {"q": "colo"}).context["rows"]
    assert [row.state.name for row in searched] == ["Colorado"]


def test_htmx_filter_answers_with_the_table_only(tenant, admin_client):
    response = admin_client.get(reverse("portfolio:portfolio"), {"q": "colo"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert "Colorado" in content
    assert "<html" not in content


def test_state_page_highlights_off_track_schools(tenant, login):
    client = login(member(Role.COMMISSIONER, tenant))
    response = client.get(reverse("portfolio:state_detail", kwargs={"state_pk": tenant.state.pk}))
    off_track = [row.school for row in response.context["off_track"]]
    assert off_track == [tenant.schools[0]]
    assert response.context["standings"][0].school == tenant.schools[0]  # listed first
    spending = {label: amount for label, amount, _teacher in response.context["spending"]}
    assert spending["Teacher compensation — extended learning time"] == Decimal("1200.00")
    assert spending["Teacher compensation — incentive pay"] == 0
