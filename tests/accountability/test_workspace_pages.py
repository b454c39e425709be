"""A Lead Partner leading many zones: the workspace shows a page of its schools at a time, filtered
by state, zone and name; its dropdowns offer the page's schools, the server still accepts any school
the partner reports on; what a page costs does not grow with the partner's schools."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accountability.models import StatusUpdate
from accountability.views import reportable_schools
from accounts.models import Role
from core.tenancy import reach_scope
from schools.models import School
from tests.factories import LaunchedZoneFactory
from tests.worlds import member
from web.tables import PAGE_SIZE

pytestmark = pytest.mark.django_db
WORKSPACE = "accountability:workspace"


@pytest.fixture
def partner(tenant, login):
    return login(member(Role.LEAD_PARTNER_STAFF, tenant))


def more_zones(tenant, count):
    """``count`` more launched zones of five schools led by the tenant's Lead Partner."""
    return [
        LaunchedZoneFactory(state=tenant.state, lead_partner=tenant.zone.lead_partner, schools=5) for _ in range(count)
    ]


def reportable_count(tenant):
    return tenant.zone.lead_partner.zones.filter(state=tenant.state).values("schools").count()


def school_options(response) -> list[str]:
    return [str(value) for value, _label in response.context["status_form"].fields["school"].choices if value]


def test_the_workspace_pages_its_schools_and_the_dropdowns_offer_the_page(tenant, partner):
    more_zones(tenant, 6)
    total = reportable_count(tenant)
    first = partner.get(reverse(WORKSPACE))
    assert first.status_code == 200
    page = first.context["standings"]
    assert len(page.object_list) == PAGE_SIZE and page.paginator.count == total
    assert len(school_options(first)) == PAGE_SIZE
    second = partner.get(reverse(WORKSPACE), {"page": 2}).context["standings"]
    assert len(second.object_list) == total - PAGE_SIZE
    shown = {row.school.pk for row in page.object_list} | {row.school.pk for row in second.object_list}
    assert len(shown) == total


def test_a_school_off_the_page_is_still_accepted_and_another_partners_refused(tenant, other_tenant, partner):
    more_zones(tenant, 6)
    first_page = {int(pk) for pk in school_options(partner.get(reverse(WORKSPACE)))}
    off_page = tenant.zone.lead_partner.zones.exclude(schools__pk__in=first_page).first().schools.first()
    data = {"reported_on": timezone.localdate().isoformat(), "rating": "at_risk", "narrative": "Attendance dipped."}
    response = partner.post(reverse("accountability:post_status_update"), {**data, "school": off_page.pk})
    assert response.status_code == 302
    assert StatusUpdate.objects.filter(school=off_page, narrative="Attendance dipped.").exists()
    other = other_tenant.schools[0]
    refused = partner.post(reverse("accountability:post_status_update"), {**data, "school": other.pk})
    assert refused.status_code == 400 and "school" in refused.context["status_form"].errors


def test_filters_by_state_zone_and_name(tenant, partner):
    zone = more_zones(tenant, 2)[0]
    school = zone.schools.first()
    by_zone = partner.get(reverse(WORKSPACE), {"zone": zone.pk}).context["standings"]
    assert {row.school.pk for row in by_zone.object_list} == set(zone.schools.values_list("pk", flat=True))
    by_name = partner.get(reverse(WORKSPACE), {"q": school.name.upper()}).context["standings"]
    assert [row.school for row in by_name.object_list] == [school]
    by_state = partner.get(reverse(WORKSPACE), {"state": tenant.state.pk}).context["standings"]
    assert by_state.paginator.count == reportable_count(tenant)


def test_a_bad_filter_is_an_error_on_the_form_not_a_500(other_tenant, partner):
    response = partner.get(reverse(WORKSPACE), {"zone": other_tenant.zone.pk, "state": "x"})
    assert response.status_code == 200
    assert set(response.context["filters"].errors) == {"zone", "state"}


def test_the_csv_has_every_filtered_school(tenant, partner):
    more_zones(tenant, 6)
    response = partner.get(reverse(WORKSPACE), {"export": "schools"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) - 1 == reportable_count(tenant) > PAGE_SIZE
    zone = tenant.zone.lead_partner.zones.last()
    filtered = partner.get(reverse(WORKSPACE), {"export": "schools", "zone": zone.pk})
    assert len(list(csv.reader(io.StringIO(filtered.content.decode())))) - 1 == zone.schools.count()


def test_a_page_costs_the_same_queries_however_many_schools_the_partner_leads(tenant, partner):
    more_zones(tenant, 6)
    with CaptureQueriesContext(connection) as fewer:
        partner.get(reverse(WORKSPACE))
    more_zones(tenant, 6)
    with CaptureQueriesContext(connection) as more:
        partner.get(reverse(WORKSPACE))
    assert len(more) == len(fewer)


@pytest.mark.parametrize("role", [Role.LEAD_PARTNER_STAFF, Role.STATE_LEAD, Role.STATE_VIEWER, Role.COMMISSIONER])
def test_the_schools_reported_on_are_those_the_permission_table_allows(tenant, other_tenant, role):
    """The one filter (no check per school) lists exactly the schools the permission table allows."""
    more_zones(tenant, 1)
    user = member(role, tenant)
    with reach_scope(user):
        listed = set(reportable_schools(user))
        allowed = {
            school
            for school in School.objects.filter(zone__isnull=False)
            if user.has_perm("accountability.add_statusupdate", StatusUpdate(school=school))
        }
    assert listed == allowed
    assert bool(listed) == (role in {Role.LEAD_PARTNER_STAFF, Role.STATE_LEAD})


def test_a_refused_form_offers_the_page_and_the_school_posted(tenant, partner):
    more_zones(tenant, 6)
    first_page = set(school_options(partner.get(reverse(WORKSPACE))))
    off_page = tenant.zone.lead_partner.zones.exclude(schools__pk__in=first_page).first().schools.first()
    response = partner.post(reverse("accountability:post_status_update"), {"school": off_page.pk, "rating": "x"})
    assert response.status_code == 400
    assert set(school_options(response)) == first_page | {str(off_page.pk)}
