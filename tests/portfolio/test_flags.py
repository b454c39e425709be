"""Late submissions and stale statuses are flagged on the portfolio (per state), the state page
(per zone and per school), the zone and school pages and the workspace (per school), and counted in
the portfolio's CSV and API, all from the one rollup."""

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.choices import Submission
from accounts.models import Role
from tests.factories import PeriodSubmissionFactory, ReportingPeriodFactory, StatusUpdateFactory
from tests.worlds import grow_with_another_state, make_tenant, member, query_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(world):
    """Colorado's spring 2010-11 period (long past due): its first school approved, the other two
    late; its first school updated today, the other two not since 2011 (stale)."""
    home = world.home
    period = ReportingPeriodFactory(state=home.state)
    PeriodSubmissionFactory(school=home.schools[0], reporting_period=period, status=Submission.APPROVED)
    StatusUpdateFactory(school=home.schools[0], reported_on=timezone.localdate())
    return world


def flags_of(markup: str) -> list[tuple[str, str]]:
    return re.findall(r'data-flag="(\w+)" data-value="(\d+)"', markup)


def row_of(markup: str, attribute: str, pk) -> str:
    return re.search(rf'<tr[^>]*{attribute}="{pk}"[^>]*>(.*?)</tr>', markup, re.S)[1]


def figure(markup: str, name: str) -> int:
    return int(re.search(rf'data-figure="{name}" data-value="(\d+)"', markup)[1])


def test_the_portfolio_flags_each_states_late_requirements_and_stale_schools(flagged, login):
    home, away = flagged.home, flagged.away
    client = login(flagged.admin)

    page = client.get(reverse("portfolio:portfolio")).content.decode()

    colorado, louisiana = row_of(page, "data-state", home.state.pk), row_of(page, "data-state", away.state.pk)
    assert (figure(colorado, "late"), figure(colorado, "stale")) == (2, 2)
    assert ("late", "2") in flags_of(colorado) and ("stale", "2") in flags_of(colorado)
    assert (figure(louisiana, "late"), figure(louisiana, "stale")) == (0, 3)  # no period: nothing due

    rows = {
        row["State"]: row
        for row in csv.DictReader(io.StringIO(client.get("/portfolio/?export=portfolio").content.decode()))
    }
    assert (rows["Colorado"]["Late requirements"], rows["Colorado"]["Stale schools"]) == ("2", "2")
    api = {
        row["id"]: row["rollup"]
        for row in client.get("/api/v1/portfolio/", HTTP_ACCEPT="application/json").json()["results"]
    }
    assert (api[home.state.pk]["late"], api[home.state.pk]["stale"]) == (2, 2)


def test_the_state_page_flags_late_and_stale_per_zone_and_per_school(flagged, login):
    home = flagged.home
    page = (
        login(home.users[Role.STATE_LEAD]).get(reverse("portfolio:state_detail", args=[home.state.pk])).content.decode()
    )

    zone = row_of(page, "data-zone", home.zone.pk)
    assert (figure(zone, "late"), figure(zone, "stale")) == (2, 2)
    schools = page[page.index('id="schools-heading"') :]
    current, *behind = home.schools
    for school in behind:
        row = re.search(rf"<tr[^>]*>\s*<th[^>]*>\s*<a[^>]*>{school.name}</a>(.*?)</tr>", schools, re.S)[1]
        assert ("late", "1") in flags_of(row) and ("stale", "1") in flags_of(row)
    row = re.search(rf"<tr[^>]*>\s*<th[^>]*>\s*<a[^>]*>{current.name}</a>(.*?)</tr>", schools, re.S)[1]
    assert not flags_of(row)


def test_the_workspace_flags_the_lead_partners_late_and_stale_schools(flagged, login):
    home = flagged.home
    page = login(home.users[Role.LEAD_PARTNER_STAFF]).get(reverse("accountability:workspace")).content.decode()

    for school in home.schools[1:]:
        row = re.search(rf"<tr[^>]*>\s*<th[^>]*>\s*<a[^>]*>{school.name}</a>(.*?)</tr>", page, re.S)[1]
        assert ("late", "1") in flags_of(row) and ("stale", "1") in flags_of(row)
    assert not any(school.name in page for school in flagged.away.schools)


def test_the_zone_and_school_pages_flag_late_and_stale_schools(flagged, login):
    home = flagged.home
    client = login(home.users[Role.STATE_LEAD])
    zone_page = client.get(reverse("portfolio:zone_detail", args=[home.zone.pk])).content.decode()
    current, *behind = home.schools
    for school in behind:
        heading = re.search(rf"<h3><a[^>]*>{school.name}</a>(.*?)</h3>", zone_page, re.S)[1]
        assert ("late", "1") in flags_of(heading) and ("stale", "1") in flags_of(heading)
        school_page = client.get(reverse("portfolio:school_detail", args=[school.pk])).content.decode()
        assert {("late", "1"), ("stale", "1")} <= set(flags_of(school_page))
    assert not flags_of(re.search(rf"<h3><a[^>]*>{current.name}</a>(.*?)</h3>", zone_page, re.S)[1])
    assert not flags_of(client.get(reverse("portfolio:school_detail", args=[current.pk])).content.decode())


def test_another_states_staff_see_no_flags_of_it(flagged, login):
    away = flagged.away
    page = (
        login(away.users[Role.STATE_LEAD]).get(reverse("portfolio:state_detail", args=[away.state.pk])).content.decode()
    )

    zone = row_of(page, "data-zone", away.zone.pk)
    assert figure(zone, "late") == 0


def test_the_flags_cost_the_same_queries_whatever_the_number_of_late_and_stale_schools(login):
    tenant = make_tenant("Colorado")
    ReportingPeriodFactory(state=tenant.state)
    client = login(member(Role.INITIATIVE_ADMIN))
    urls = [
        reverse("portfolio:portfolio"),
        reverse("portfolio:portfolio") + "?export=portfolio",
        reverse("portfolio:state_detail", args=[tenant.state.pk]),
        "/api/v1/portfolio/",
    ]

    small = query_counts(client, urls, HTTP_ACCEPT="application/json")
    for _ in range(2):
        grow_with_another_state(tenant.state)
    assert query_counts(client, urls, HTTP_ACCEPT="application/json") == small
