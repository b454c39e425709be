import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accountability.services import StandingCounts
from accounts.models import Role
from reports.rollups import state_rollups
from tests.factories import StatusUpdateFactory
from tests.worlds import member

pytestmark = pytest.mark.django_db


def test_portfolio_summarises_each_state(tenant, other_tenant, superuser):
    # The latest update decides: the first school was off track, then reported on track.
    StatusUpdateFactory(school=tenant.schools[0], rating="on_track", reported_on=datetime.date(2011, 4, 1))
    rows = {row.state.name: row for row in state_rollups(superuser)}
    colorado = rows["Colorado"]
    assert (len(colorado.zones), colorado.school_count, colorado.launch_year) == (1, 3, "2010-11")
    assert colorado.counts == StandingCounts(on_track=3)
    assert colorado.on_track_share == Decimal("1.000")
    assert colorado.last_update == datetime.date(2011, 4, 1)
    assert colorado.funding.received == Decimal("500000.00")
    assert colorado.funding.spent == Decimal("1200.00")
    louisiana = rows["Louisiana"]
    assert louisiana.counts == StandingCounts(on_track=2, off_track=1)
    assert louisiana.off_track_share == Decimal("0.333")


def test_portfolio_sorts_and_filters(tenant, other_tenant, admin_client):
    StatusUpdateFactory(school=tenant.schools[0], rating="on_track", reported_on=datetime.date(2011, 4, 1))
    url = reverse("portfolio:portfolio")
    by_name = [row.state.name for row in admin_client.get(url, {"sort": "-name"}).context["rows"]]
    assert by_name == ["Louisiana", "Colorado"]
    by_share = [row.state.name for row in admin_client.get(url, {"sort": "-on_track"}).context["rows"]]
    assert by_share == ["Colorado", "Louisiana"]
    # A bad figure sorts worst first on the first click; the next click reverses it.
    columns = {
        field: next_sort for field, _label, _direction, next_sort in admin_client.get(url).context["sort_columns"]
    }
    assert (columns["off_track"], columns["at_risk"], columns["on_track"]) == ("-off_track", "-at_risk", "on_track")
    worst_first = admin_client.get(url, {"sort": columns["off_track"]})
    assert [row.state.name for row in worst_first.context["rows"]] == ["Louisiana", "Colorado"]
    reversed_columns = {field: next_sort for field, _l, _d, next_sort in worst_first.context["sort_columns"]}
    assert reversed_columns["off_track"] == "off_track"
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


def test_a_collaborator_is_told_whose_targets_and_what_is_hidden(tenant, other_tenant, login):
    """A subset view says the targets are the initiative's, and an empty list of status updates
    says they are hidden rather than missing (without counting them)."""
    client = login(member(Role.COLLABORATOR, tenant))
    page = client.get(reverse("portfolio:portfolio")).content.decode()
    assert "against the initiative's targets for all its states" in page
    assert "Ratings are visible to state staff and the Lead Partner" in page
    zone = client.get(reverse("portfolio:zone_detail", kwargs={"zone_pk": tenant.zone.pk})).content.decode()
    assert "Status updates and their narratives are visible to state staff and the Lead Partner." in zone
    assert "No status updates yet." not in zone


def test_an_admin_sees_the_initiative_targets_as_its_own(tenant, admin_client):
    page = admin_client.get(reverse("portfolio:portfolio")).content.decode()
    assert "against the initiative's targets for all its states" not in page
    assert "Ratings are visible to state staff" not in page


def test_portfolio_api_shows_the_states_you_see_with_their_rollup(tenant, other_tenant, login):
    client = login(member(Role.STATE_VIEWER, tenant))
    body = client.get("/api/v1/portfolio/", HTTP_ACCEPT="application/json").json()
    [row] = body["results"]
    assert row["id"] == tenant.state.pk
    rollup = state_rollups(states=[tenant.state])[0]
    assert row["rollup"]["schools"] == rollup.school_count == 3
    assert row["rollup"]["standing_counts"] == rollup.counts.__dict__
    assert row["rollup"]["funding"]["spent"] == f"{rollup.funding.spent:.2f}"
