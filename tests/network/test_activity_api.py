"""Activity reports in the API: filed through the same use case and permission rules as the pages,
the collaborator, state and service area derived from the engagement, the list's filters."""

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from network.models import ActivityReport
from partners.models import ServiceArea
from tests.factories import ActivityReportFactory, CollaboratorEngagementFactory
from tests.problems import field_errors

pytestmark = pytest.mark.django_db
URL = "/api/v1/activity-reports/"


@pytest.fixture
def api(world):
    def as_user(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return as_user


def body(engagement, **changes) -> dict:
    data = {
        "engagement": engagement.pk,
        "date": "2011-05-02",
        "hours": "2.25",
        "participants": "State turnaround director",
        "topics": "Human capital plan",
        "outcome": "Hiring calendar agreed",
    }
    return {**data, **changes}


def test_a_collaborator_files_a_report(world, api):
    tenant = world.home
    user = tenant.users["collaborator"]
    made = api(user).post(URL, body(tenant.engagement, zone=tenant.zone.pk), format="json")
    assert made.status_code == 201, made.json()
    data = made.json()
    assert (data["collaborator"], data["state"], data["service_area"]) == (
        tenant.engagement.collaborator_id,
        tenant.state.pk,
        "planning",
    )
    report = ActivityReport.objects.get(pk=data["id"])
    assert (report.author, report.hours, data["author"]) == (user, Decimal("2.25"), user.pk)
    # Derived fields are read-only: sending them changes nothing.
    patched = api(user).patch(f"{URL}{report.pk}/", {"hours": "3", "state": world.away.state.pk}, format="json")
    assert patched.status_code == 200 and patched.json()["state"] == tenant.state.pk
    report.refresh_from_db()
    assert report.hours == Decimal("3.00")


def test_writes_follow_the_permission_rules(world, api, refused_engagements):
    tenant = world.home
    collaborator = api(tenant.users["collaborator"])
    someone_elses, proposed = refused_engagements.someone_elses, refused_engagements.proposed
    assert collaborator.post(URL, body(someone_elses), format="json").status_code == 403
    assert collaborator.post(URL, body(proposed), format="json").status_code == 403
    assert collaborator.post(URL, body(world.away.engagement), format="json").status_code == 400  # not readable
    assert api(tenant.users["state_viewer"]).post(URL, body(tenant.engagement), format="json").status_code == 403
    assert api(tenant.users["state_lead"]).post(URL, body(tenant.engagement), format="json").status_code == 403
    assert not ActivityReport.objects.exists()
    report = ActivityReportFactory(engagement=someone_elses)
    assert collaborator.delete(f"{URL}{report.pk}/").status_code == 403
    assert api(world.admin).delete(f"{URL}{report.pk}/").status_code == 204


def test_zone_school_and_date_are_validated_against_the_engagement(world, api):
    admin = api(world.admin)
    engagement = world.home.engagement
    zone = admin.post(URL, body(engagement, zone=world.away.zone.pk), format="json")
    assert zone.status_code == 400
    assert field_errors(zone)["zone"] == ["The zone is in another state than the engagement."]
    school = admin.post(URL, body(engagement, school=world.away.schools[0].pk), format="json")
    assert field_errors(school)["school"] == ["The school is in another state than the engagement."]
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    future = admin.post(URL, body(engagement, date=tomorrow.isoformat()), format="json")
    assert future.status_code == 400 and "date" in field_errors(future)
    assert not ActivityReport.objects.exists()


def test_the_list_is_scoped_and_filtered(world, api):
    home, away = world.home, world.away
    budget = CollaboratorEngagementFactory(
        collaborator=home.engagement.collaborator, state=home.state, service_area=ServiceArea.BUDGET_AUDITS
    )
    early = ActivityReportFactory(engagement=home.engagement, date=datetime.date(2011, 1, 5))
    late = ActivityReportFactory(engagement=budget, date=datetime.date(2011, 6, 5))
    elsewhere = ActivityReportFactory(engagement=away.engagement, date=datetime.date(2011, 3, 5))

    def ids(client, **query):
        response = client.get(URL, query)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    admin = api(world.admin)
    assert ids(admin) == {early.pk, late.pk, elsewhere.pk}
    assert ids(admin, state=away.state.pk) == {elsewhere.pk}
    assert ids(admin, collaborator=home.engagement.collaborator_id) == {early.pk, late.pk}
    assert ids(admin, service_area="budget_audits") == {late.pk}
    assert ids(admin, date_after="2011-02-01", date_before="2011-06-30") == {late.pk, elsewhere.pk}
    assert admin.get(URL, {"service_area": "astrology"}).status_code == 400
    assert ids(api(home.users["state_viewer"])) == {early.pk, late.pk}
    assert ids(api(home.users["lead_partner_staff"])) == set()
    assert api(home.users["lead_partner_staff"]).get(f"{URL}{early.pk}/").status_code == 404
    assert api(home.users["collaborator"]).get(f"{URL}{elsewhere.pk}/").status_code == 404
