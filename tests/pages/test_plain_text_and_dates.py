"""The pages apply the models' rules: names are single-line plain text, a status update is dated
today or earlier and a measurement belongs to a school year that has begun."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.models import Measurement, StatusUpdate
from accounts.models import Role
from core.validators import current_school_year, school_year_from_start, school_year_start
from schools.models import School
from tests.worlds import member, school_form_data
from zones.models import Zone

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["Sunrise\nAcademy", "Sunrise Academy}", "Sunrise <i>Academy</i>"])
def test_the_school_form_refuses_a_name_that_is_not_single_line_plain_text(tenant, login, name):
    client = login(member(Role.STATE_LEAD, tenant))
    district = tenant.schools[0].district

    response = client.post(
        reverse("schools:school_create", kwargs={"state_pk": tenant.state.pk}), school_form_data(district, name)
    )

    assert response.status_code == 400
    assert "single line of plain text" in response.context["form"].errors["name"][0]
    assert not School.objects.filter(nces_id=f"{district.nces_lea_id}99999").exists()


def test_the_zone_form_refuses_a_name_with_css(tenant, login):
    client = login(member(Role.STATE_LEAD, tenant))
    zone = tenant.zone
    data = {
        "name": "Zone}*{display:none",
        "status": zone.status,
        "lead_partner": zone.lead_partner_id,
        "launch_school_year": zone.launch_school_year,
        "districts": [district.pk for district in zone.districts.all()],
        "schools": [school.pk for school in zone.schools.all()],
    }

    response = client.post(reverse("schools:zone_edit", kwargs={"zone_pk": zone.pk}), data)

    assert response.status_code == 400
    assert "name" in response.context["form"].errors
    assert Zone.objects.get(pk=zone.pk).name == zone.name


def test_the_status_update_form_refuses_tomorrow(tenant, login):
    client = login(member(Role.LEAD_PARTNER_STAFF, tenant))
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    data = {"school": tenant.schools[0].pk, "reported_on": tomorrow, "rating": "on_track", "narrative": "Future"}

    response = client.post(reverse("accountability:post_status_update"), data)

    assert response.status_code == 400
    assert "after today" in response.context["status_form"].errors["reported_on"][0]
    assert not StatusUpdate.objects.filter(narrative="Future").exists()


def test_the_measurement_form_refuses_a_school_year_that_has_not_begun(tenant, login):
    client = login(member(Role.LEAD_PARTNER_STAFF, tenant))
    school = tenant.schools[0]
    next_year = school_year_from_start(school_year_start(current_school_year()) + 1)
    data = {"school": school.pk, "metric": school.baselines.get().metric_id, "school_year": next_year, "period": 1}

    response = client.post(reverse("accountability:post_measurement"), {**data, "value": "44.5"})

    assert response.status_code == 400
    assert "has not begun" in response.context["measurement_form"].errors["school_year"][0]
    assert not Measurement.objects.filter(school_year=next_year).exists()
