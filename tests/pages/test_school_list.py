"""The cross-portfolio school list: every school of every state the reader sees, searchable,
filterable (off track, late submissions, stale updates, renewal due, state), sortable, as CSV,
in the same number of queries whatever the number of schools."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.choices import Submission
from accounts.models import Role
from tests.factories import (
    PeriodSubmissionFactory,
    RenewalDecisionFactory,
    ReportingPeriodFactory,
    StatusUpdateFactory,
)
from tests.worlds import grow_with_another_state, make_tenant, member, query_counts

pytestmark = pytest.mark.django_db

URL = reverse("portfolio:school_list")


def listed(client, query="") -> list[int]:
    """The school ids the list shows, in order (first page)."""
    response = client.get(URL + query)
    assert response.status_code == 200
    return [int(pk) for pk in re.findall(r'<tr data-school="(\d+)"', response.content.decode())]


def ids(schools) -> list[int]:
    return [school.pk for school in schools]


def test_admins_see_every_state_and_state_staff_only_theirs(world, login):
    home, away = world.home, world.away
    everyone = ids(home.schools + away.schools)

    assert sorted(listed(login(world.admin))) == sorted(everyone)
    lead = login(home.users[Role.STATE_LEAD])
    assert sorted(listed(lead)) == sorted(ids(home.schools))
    assert not set(listed(lead, f"?state={away.state.pk}")) & set(ids(away.schools))  # not theirs: not a choice
    assert not set(listed(lead, f"?q={away.schools[0].name}")) & set(ids(away.schools))
    body = lead.get(URL + "?export=schools").content.decode()
    assert not any(school.nces_id in body for school in away.schools)


@pytest.mark.parametrize("role", [Role.LEAD_PARTNER_STAFF, Role.COLLABORATOR])
def test_the_list_is_for_admins_and_state_staff(world, login, role):
    client = login(world.home.users[role])
    assert client.get(URL).status_code == 403
    assert f'href="{URL}"' not in client.get(reverse("portfolio:home"), follow=True).content.decode()
    assert f'href="{URL}"' in login(world.home.users[Role.STATE_VIEWER]).get(URL).content.decode()


def test_search_by_school_name_nces_id_or_district(world, login):
    client = login(world.admin)
    school = world.away.schools[1]

    assert listed(client, f"?q={school.name}") == [school.pk]
    assert listed(client, f"?q={school.nces_id}") == [school.pk]
    assert sorted(listed(client, f"?q={school.district.name}")) == sorted(ids(world.away.schools))
    assert listed(client, f"?state={world.home.state.pk}&q={school.name}") == []


def test_filters_off_track_late_stale_and_renewal_due(world, login):
    home, away = world.home, world.away
    today = timezone.localdate()
    period = ReportingPeriodFactory(state=home.state)  # long past due
    PeriodSubmissionFactory(school=home.schools[0], reporting_period=period, status=Submission.APPROVED)
    PeriodSubmissionFactory(school=home.schools[1], reporting_period=period, status=Submission.RETURNED)
    for school in (home.schools[2], away.schools[2]):
        StatusUpdateFactory(school=school, rating="on_track", reported_on=today)
    home.zone.renewal_on = today + datetime.timedelta(days=30)
    home.zone.save()
    away.zone.renewal_on = today - datetime.timedelta(days=10)
    away.zone.save()
    client = login(world.admin)

    assert sorted(listed(client, "?off_track=on")) == sorted(ids([home.schools[0], away.schools[0]]))
    assert listed(client, "?late=on") == [home.schools[2].pk]  # approved and returned are not late
    assert sorted(listed(client, "?stale=on")) == sorted(ids(home.schools[:2] + away.schools[:2]))
    assert sorted(listed(client, "?renewal_due=on")) == sorted(ids(home.schools + away.schools))  # past, undecided
    RenewalDecisionFactory(zone=away.zone, decided_on=today - datetime.timedelta(days=5))
    assert sorted(listed(client, "?renewal_due=on")) == sorted(ids(home.schools))
    assert listed(client, "?late=on&stale=on") == []
    assert sorted(listed(client, f"?stale=on&state={away.state.pk}")) == sorted(ids(away.schools[:2]))


def test_sorted_by_any_column_and_the_csv_holds_the_filtered_rows(world, login):
    home = world.home
    period = ReportingPeriodFactory(state=home.state)
    PeriodSubmissionFactory(school=home.schools[0], reporting_period=period, status=Submission.SUBMITTED)
    client = login(world.admin)
    everyone = home.schools + world.away.schools

    by_name = sorted(everyone, key=lambda school: school.name.lower())
    assert listed(client, "?sort=name") == ids(by_name)
    assert listed(client, "?sort=-name") == ids(reversed(by_name))
    assert listed(client, "?sort=-late")[:2] == sorted(ids(home.schools[1:]), key=lambda pk: ids(by_name).index(pk))
    off_track_first = listed(client)  # by standing, worst first
    assert set(off_track_first[:2]) == {home.schools[0].pk, world.away.schools[0].pk}

    rows = list(csv.DictReader(io.StringIO(client.get(URL + "?late=on&sort=name&export=schools").content.decode())))
    assert [row["School"] for row in rows] == [
        school.name for school in sorted(home.schools[1:], key=lambda s: s.name.lower())
    ]
    assert {row["State"] for row in rows} == {"Colorado"}
    assert {(row["Late requirements"], row["Stale"]) for row in rows} == {("1", "yes")}
    assert rows[0]["NCES id"] == min(home.schools[1:], key=lambda s: s.name.lower()).nces_id


@pytest.mark.parametrize("role", [Role.INITIATIVE_ADMIN, Role.STATE_LEAD])
def test_constant_queries_at_two_sizes(role, login):
    tenant = make_tenant("Colorado")
    ReportingPeriodFactory(state=tenant.state)
    client = login(member(role, tenant))
    urls = [URL, URL + "?late=on&stale=on&renewal_due=on&sort=-late", URL + "?q=Demo&export=schools"]
    small = query_counts(client, urls)
    for _ in range(2):
        grow_with_another_state(tenant.state)
    for zone in tenant.state.zones.all():
        RenewalDecisionFactory(zone=zone)
    assert query_counts(client, urls) == small


@pytest.mark.parametrize("sort", ["standing", "-standing", "name", "-name", "state", "zone", "-lead_partner"])
def test_the_database_sorts_as_the_computed_rows_would_and_pages_compute_only_their_rows(world, login, sort):
    """A sort the database makes (the standing from the stored read model) lists the schools in the
    order of the computed rows' sort (``sort_rows``, the path of the flag filters), page after page."""
    from portfolio.school_list import listed as with_related
    from portfolio.school_list import school_rows
    from portfolio.views import SCHOOL_SORTS, sort_rows
    from schools.models import School
    from web import tables

    client = login(world.admin)
    rows = sort_rows(school_rows(with_related(School.objects.order_by("name", "pk"))), sort, SCHOOL_SORTS)
    _heading, key = SCHOOL_SORTS[sort.lstrip("-")]
    expected = [key(row) for row in rows]
    count = len(rows)
    old = tables.paginate.__defaults__
    tables.paginate.__defaults__ = ("page", 2)
    try:
        shown = [pk for n in range(1, count // 2 + 2) for pk in listed(client, f"?sort={sort}&page={n}")][:count]
    finally:
        tables.paginate.__defaults__ = old
    by_pk = {row.school.pk: row for row in rows}
    assert sorted(shown) == sorted(by_pk)
    assert [key(by_pk[pk]) for pk in shown] == expected
