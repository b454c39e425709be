"""The Lead Partner workspace as the issue measured it: where a posted update lands, double posts,
how long ago an update was posted, which school comes first, where a duplicate value is corrected."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accountability.models import Measurement, StatusUpdate
from accounts.models import Role
from accounts.tokens import issue_token
from tests.factories import ReportingPeriodFactory, StatusUpdateFactory
from tests.worlds import member, membership
from web.templatetags.ui import relative_time

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(tenant, login):
    return login(member(Role.LEAD_PARTNER_STAFF, tenant))


def update_data(school, **changes):
    return {
        "school": school.pk,
        "reported_on": timezone.localdate().isoformat(),
        "rating": "at_risk",
        "narrative": "Attendance dipped after the schedule change.",
        **changes,
    }


def test_posting_a_status_update_stays_on_the_workspace_with_the_school_kept(tenant, partner):
    school = tenant.schools[1]
    response = partner.post(reverse("accountability:post_status_update"), update_data(school), follow=True)
    url, _status = response.redirect_chain[-1]
    assert url.startswith(reverse("accountability:workspace"))
    assert f"school={school.pk}" in url
    assert response.context["status_form"]["school"].value() == str(school.pk)
    assert f"Status update for {school} posted" in response.content.decode()


def test_the_same_update_twice_the_same_day_is_refused_with_a_clear_error(tenant, partner):
    school = tenant.schools[1]
    data = update_data(school)
    assert partner.post(reverse("accountability:post_status_update"), data).status_code == 302
    again = partner.post(reverse("accountability:post_status_update"), data)
    assert again.status_code == 400
    assert "already has this status update" in again.content.decode()
    assert StatusUpdate.objects.filter(school=school, narrative=data["narrative"]).count() == 1
    changed = partner.post(reverse("accountability:post_status_update"), {**data, "rating": "off_track"})
    assert changed.status_code == 302  # another rating the same day is news


def test_the_api_refuses_the_same_update_twice(tenant):
    _token, key = issue_token(membership(Role.LEAD_PARTNER_STAFF, tenant), "test client")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    body = {**update_data(tenant.schools[1]), "reported_on": "2011-01-15"}
    assert client.post("/api/v1/status-updates/", body, format="json").status_code == 201
    again = client.post("/api/v1/status-updates/", body, format="json")
    assert again.status_code == 400
    assert "already has this status update" in again.content.decode()


def test_an_update_posted_today_shows_minutes_not_hours_since_midnight(tenant, partner):
    school = tenant.schools[1]
    StatusUpdateFactory(school=school, reported_on=timezone.localdate(), rating="on_track")
    StatusUpdate.objects.filter(school=school, reported_on=timezone.localdate()).update(
        created_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    content = partner.get(reverse("accountability:workspace")).content.decode()
    assert re.search(r'posted <time datetime="[^"]+" title="[^"]+">1\xa0minute ago</time>', content)
    assert "hours ago" not in content


def test_an_update_of_yesterday_reads_yesterday_with_its_date_in_the_title(tenant, partner):
    school = tenant.schools[1]
    StatusUpdate.objects.filter(school=school).delete()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    StatusUpdateFactory(school=school, reported_on=yesterday, rating="on_track")
    content = partner.get(reverse("accountability:workspace")).content.decode()
    assert re.search(
        f'<time datetime="{yesterday.isoformat()}" title="{yesterday:%A}, [^"]+">yesterday</time>', content
    )


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (datetime.datetime(2026, 3, 10, 11, 59, 30), "just now"),
        (datetime.datetime(2026, 3, 10, 11, 59), "1\xa0minute ago"),
        (datetime.datetime(2026, 3, 10, 0, 30), "11\xa0hours ago"),
        (datetime.datetime(2026, 3, 9, 23, 0), "yesterday"),
        (datetime.date(2026, 3, 10), "today"),  # a day, not its midnight: never "12 hours ago"
        (datetime.date(2026, 3, 9), "yesterday"),
        (datetime.date(2026, 2, 1), "Feb 1, 2026"),
    ],
)
def test_relative_times_count_dates_as_days_and_moments_in_the_time_zone(value, words):
    now = timezone.make_aware(datetime.datetime(2026, 3, 10, 12, 0))
    if isinstance(value, datetime.datetime):
        value = timezone.make_aware(value)
    assert relative_time(value, now) == words


def test_the_off_track_school_is_listed_first(tenant, partner):
    # grow_state rates the first school off track; name it last so the old (zone, name) order puts it last
    off_track = tenant.schools[0]
    off_track.name = "Zebra Elementary"
    off_track.save()
    rows = partner.get(reverse("accountability:workspace")).context["standings"]
    assert rows[0].school == off_track
    severities = [row.standing.severity for row in rows]
    assert severities == sorted(severities)


def test_a_duplicate_measurement_links_to_the_grid_of_its_period(tenant, partner):
    school = tenant.schools[0]
    metric = school.baselines.get().metric
    existing = Measurement.objects.get(school=school, metric=metric, period=1)
    period = ReportingPeriodFactory(
        state=tenant.state, school_year=existing.school_year, period=1, due_on=datetime.date(2010, 11, 15)
    )
    data = {"school": school.pk, "metric": metric.pk, "school_year": existing.school_year, "period": 1, "value": "50"}
    response = partner.post(reverse("accountability:post_measurement"), data)
    assert response.status_code == 400
    grid = f"{reverse('accountability:period_form')}?school={school.pk}&amp;period={period.pk}#period"
    assert f'<a href="{grid}">' in response.content.decode()


def test_worst_first_holds_across_pages_not_only_within_one(tenant, partner, monkeypatch):
    """Pages of one school each: the off-track school named last is on the first page, and the pages
    together list every school once, worst standing first (the order comes from the stored read model)."""
    from web import tables

    monkeypatch.setattr(tables.paginate, "__defaults__", ("page", 1))
    off_track = tenant.schools[0]
    off_track.name = "Zebra Elementary"
    off_track.save()
    pages = [
        partner.get(reverse("accountability:workspace"), {"page": n}).context["standings"]
        for n in range(1, len(tenant.schools) + 1)
    ]
    rows = [row for page in pages for row in page]
    assert rows[0].school == off_track
    assert sorted(row.school.pk for row in rows) == sorted(school.pk for school in tenant.schools)
    assert [row.standing.severity for row in rows] == sorted(row.standing.severity for row in rows)
