"""Filing and reading activity reports on the pages: who may file under which engagement (asked
before the input is validated), the form's errors, who reads a report, the navigation link."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from network.models import ActivityReport
from partners.models import ServiceArea
from tests.factories import ActivityReportFactory, CollaboratorEngagementFactory

pytestmark = pytest.mark.django_db
CREATE = "/network/activity/new/"


def report_data(engagement, **changes) -> dict:
    data = {
        "engagement": engagement.pk,
        "date": "2011-05-02",
        "hours": "3.5",
        "participants": "State turnaround director",
        "topics": "Zone budget",
        "outcome": "Reallocation agreed",
        "next_steps": "",
    }
    return {**data, **changes}


def detail_url(report) -> str:
    return reverse("network:activity_detail", kwargs={"activityreport_pk": report.pk})


def test_the_contract_urls():
    assert reverse("network:activity_list") == "/network/activity/"
    assert reverse("network:activity_create") == CREATE
    assert reverse("network:activity_csv") == "/network/activity.csv"
    assert reverse("network:activity_edit", kwargs={"activityreport_pk": 7}) == "/network/activity/7/edit/"


def test_a_collaborator_files_under_its_own_engagement(world, login):
    tenant = world.home
    user = tenant.users["collaborator"]
    client = login(user)
    page = client.get(CREATE)
    assert page.status_code == 200
    assert list(page.context["form"].fields["engagement"].queryset) == [tenant.engagement]
    response = client.post(CREATE, report_data(tenant.engagement, zone=tenant.zone.pk, school=tenant.schools[0].pk))
    report = ActivityReport.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(report)
    assert (report.author, report.hours, report.zone, report.school) == (
        user,
        Decimal("3.50"),
        tenant.zone,
        tenant.schools[0],
    )
    shown = client.get(detail_url(report))
    assert shown.status_code == 200 and shown.context["can_edit"]
    assert "Reallocation agreed" in shown.content.decode()


def test_only_engagements_granting_access_now_are_offered(world, login):
    tenant = world.home
    ended = CollaboratorEngagementFactory(
        collaborator=tenant.engagement.collaborator,
        state=tenant.state,
        service_area=ServiceArea.HUMAN_CAPITAL,
        end_date=datetime.date(2010, 12, 31),
    )
    page = login(tenant.users["collaborator"]).get(CREATE)
    assert ended not in page.context["form"].fields["engagement"].queryset


def test_another_collaborators_or_a_non_granting_engagement_is_refused_before_validation(
    world, login, refused_engagements
):
    tenant = world.home
    client = login(tenant.users["collaborator"])
    someone_elses, proposed = refused_engagements.someone_elses, refused_engagements.proposed
    # Invalid input too: refused for who files it, before anything is validated.
    assert client.post(CREATE, report_data(someone_elses, hours="")).status_code == 403
    assert client.post(CREATE, report_data(proposed)).status_code == 403
    assert client.post(CREATE, report_data(world.away.engagement)).status_code == 404  # another state's
    assert not ActivityReport.objects.exists()


def test_a_state_viewer_cannot_file_a_report(world, login):
    client = login(world.home.users["state_viewer"])
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, report_data(world.home.engagement)).status_code == 403
    assert not ActivityReport.objects.exists()
    page = client.get(reverse("network:activity_list"))
    assert page.status_code == 200 and not page.context["can_add"]


def test_lead_partner_staff_read_no_report(world, login):
    report = ActivityReportFactory(engagement=world.home.engagement)
    client = login(world.home.users["lead_partner_staff"])
    assert client.get(detail_url(report)).status_code == 404
    assert client.get(reverse("network:activity_edit", kwargs={"activityreport_pk": report.pk})).status_code == 404
    assert client.get(reverse("network:activity_list")).status_code == 403
    assert client.get(reverse("network:activity_csv")).status_code == 403
    assert 'href="/network/activity/"' not in client.get(reverse("accountability:workspace")).content.decode()


def test_readers_see_the_navigation_link(world, login):
    for role in ("state_viewer", "collaborator"):
        body = login(world.home.users[role]).get(reverse("network:activity_list")).content.decode()
        assert 'href="/network/activity/" aria-current="page">Activity</a>' in body


def test_another_states_zone_or_school_is_a_form_error(world, login):
    client = login(world.admin)
    away = world.away
    zone = client.post(CREATE, report_data(world.home.engagement, zone=away.zone.pk))
    assert zone.status_code == 400
    assert zone.context["form"].errors["zone"] == ["The zone is in another state than the engagement."]
    school = client.post(CREATE, report_data(world.home.engagement, school=away.schools[0].pk))
    assert school.context["form"].errors["school"] == ["The school is in another state than the engagement."]
    # A collaborator is offered no zone outside its engagements' states.
    collaborator = login(world.home.users["collaborator"]).post(
        CREATE, report_data(world.home.engagement, zone=away.zone.pk)
    )
    assert collaborator.status_code == 400 and "zone" in collaborator.context["form"].errors
    assert not ActivityReport.objects.exists()


def test_a_future_date_is_a_form_error(world, login):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = login(world.home.users["collaborator"]).post(
        CREATE, report_data(world.home.engagement, date=tomorrow.isoformat())
    )
    assert response.status_code == 400
    assert response.context["form"].errors["date"] == ["An activity is reported once it has happened."]
    assert not ActivityReport.objects.exists()


def test_the_collaborator_or_an_admin_edits_a_report(world, login, refused_engagements):
    report = ActivityReportFactory(engagement=world.home.engagement)
    url = reverse("network:activity_edit", kwargs={"activityreport_pk": report.pk})
    assert login(world.home.users["state_lead"]).get(url).status_code == 403
    other = refused_engagements.someone_elses
    client = login(world.home.users["collaborator"])
    assert client.post(url, report_data(other)).status_code == 403  # moving it under someone else's
    assert client.post(url, report_data(world.home.engagement, hours="7.25")).status_code == 302
    report.refresh_from_db()
    assert report.hours == Decimal("7.25")
    assert login(world.admin).post(url, report_data(other, hours="1")).status_code == 302
    report.refresh_from_db()
    assert (report.engagement, report.author) == (other, None)  # the author is who filed it
