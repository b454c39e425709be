"""A metric applies to the grades it measures, and a duplicate points to the record to edit: the
rules live in accountability.models, so the pages, the API and imports refuse alike."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from accountability.models import Baseline, Measurement, Target
from accounts.models import Role
from accounts.tokens import issue_token
from imports.models import ImportScope
from imports.services import preview_import
from tests.factories import MembershipFactory, MetricFactory, SchoolFactory, UserFactory
from tests.imports.conftest import upload
from tests.problems import field_errors
from tests.worlds import make_tenant, member

pytestmark = pytest.mark.django_db

GRADES_6_8 = "Graduation rate applies to schools with grade 12; {school} has grades 6–8."


@pytest.fixture
def tenant():
    """Colorado with a launched zone of three grades 6–8 schools, each with an ELA baseline,
    target and fall and end-of-year measurements (2010-11)."""
    return make_tenant("Colorado")


@pytest.fixture
def graduation():
    return MetricFactory(code="graduation-rate", name="Graduation rate", lowest_grade="12", highest_grade="12")


@pytest.fixture
def high_school(tenant):
    school = tenant.schools[1]
    school.lowest_grade, school.highest_grade = "9", "12"
    school.save()
    return school


def api_client(role, tenant) -> APIClient:
    scope = {"lead_partner": tenant.zone.lead_partner} if role == Role.LEAD_PARTNER_STAFF else {"state": tenant.state}
    _token, key = issue_token(MembershipFactory(user=UserFactory(), role=role, **scope), "truth rules")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


# --- the grades a metric measures -------------------------------------------------------------


def test_a_metric_measures_schools_teaching_one_of_its_grades(tenant, graduation, high_school):
    middle = tenant.schools[0]
    assert graduation.grade_error(middle) == GRADES_6_8.format(school=middle)
    assert graduation.grade_error(high_school) is None
    assert MetricFactory(code="tested", lowest_grade="3", highest_grade="12").grade_error(middle) is None
    k2 = SchoolFactory(lowest_grade="K", highest_grade="2")
    assert "schools with grades 3–12; " in MetricFactory(code="tested").grade_error(k2)
    with pytest.raises(ValidationError) as caught:
        MetricFactory.build(code="upside-down", lowest_grade="12", highest_grade="9").full_clean()
    assert set(caught.value.message_dict) == {"highest_grade"}


@pytest.mark.parametrize("model", [Baseline, Target, Measurement])
def test_no_value_for_a_school_outside_the_metrics_grades(tenant, graduation, model):
    school = tenant.schools[0]
    values = {
        Baseline: {"school_year": "2009-10"},
        Target: {"target_school_year": "2011-12"},
        Measurement: {"school_year": "2010-11", "period": 4},
    }[model]
    with pytest.raises(ValidationError) as caught:
        model(school=school, metric=graduation, value=Decimal("60"), **values).full_clean()
    assert caught.value.message_dict == {"metric": [GRADES_6_8.format(school=school)]}


def test_page_refuses_a_graduation_rate_baseline_for_a_middle_school(tenant, graduation, client):
    school = tenant.schools[0]
    client.force_login(member(Role.STATE_LEAD, tenant))
    url = reverse("accountability:baseline_create", kwargs={"school_pk": school.pk})
    response = client.post(url, {"metric": graduation.pk, "value": "55", "school_year": "2009-10"})
    assert response.status_code == 400
    assert response.context["form"].errors["metric"] == [GRADES_6_8.format(school=school)]
    assert not Baseline.objects.filter(metric=graduation).exists()


def test_page_refuses_a_graduation_rate_measurement_for_a_middle_school(tenant, graduation, client):
    school = tenant.schools[0]
    client.force_login(member(Role.LEAD_PARTNER_STAFF, tenant))
    data = {"school": school.pk, "metric": graduation.pk, "school_year": "2010-11", "period": 4, "value": "55"}
    response = client.post(reverse("accountability:post_measurement"), data)
    assert response.status_code == 400
    assert response.context["measurement_form"].errors["metric"] == [GRADES_6_8.format(school=school)]


def test_api_refuses_values_outside_the_metrics_grades(tenant, graduation, high_school):
    school = tenant.schools[0]
    client = api_client(Role.STATE_LEAD, tenant)
    baseline = {"school": school.pk, "metric": graduation.pk, "value": "55", "school_year": "2009-10"}
    response = client.post("/api/v1/baselines/", baseline, format="json")
    assert response.status_code == 400
    assert field_errors(response) == {"metric": [GRADES_6_8.format(school=school)]}
    assert client.post("/api/v1/baselines/", {**baseline, "school": high_school.pk}, format="json").status_code == 201
    measurement = {"school": school.pk, "metric": graduation.pk, "school_year": "2010-11", "period": 4, "value": "5"}
    response = api_client(Role.LEAD_PARTNER_STAFF, tenant).post("/api/v1/measurements/", measurement, format="json")
    assert response.status_code == 400
    assert field_errors(response) == {"metric": [GRADES_6_8.format(school=school)]}


def test_import_reports_the_row_outside_the_metrics_grades(tenant, graduation, high_school):
    middle = tenant.schools[0]
    rows = [
        "nces_id,metric,school_year,value",
        f"{high_school.nces_id},graduation-rate,2009-10,55",
        f"{middle.nces_id},graduation-rate,2009-10,50",
    ]
    batch = preview_import(
        user=member(Role.STATE_LEAD, tenant),
        scope=ImportScope(tenant.state),
        kind="baselines",
        upload=upload("baselines.csv", "\n".join(rows).encode()),
    )
    assert batch.summary["errors"] == [{"row": 3, "column": "metric", "message": GRADES_6_8.format(school=middle)}]


# --- a duplicate points to the record to edit -------------------------------------------------


@pytest.mark.parametrize(
    ("create", "model", "data", "edit"),
    [
        ("baseline_create", Baseline, {"value": "20", "school_year": "2008-09"}, "baseline_edit"),
        ("target_create", Target, {"value": "60", "target_school_year": "2011-12"}, "target_edit"),
    ],
)
def test_page_duplicate_links_to_the_existing_record(tenant, client, create, model, data, edit):
    school = tenant.schools[0]
    existing = model.objects.get(school=school)
    client.force_login(member(Role.STATE_LEAD, tenant))
    url = reverse(f"accountability:{create}", kwargs={"school_pk": school.pk})
    response = client.post(url, {"metric": existing.metric_id, **data})
    assert response.status_code == 400
    edit_url = reverse(f"accountability:{edit}", kwargs={f"{model._meta.model_name}_pk": existing.pk})
    assert f'<a href="{edit_url}">' in response.content.decode()
    assert f"already has a ELA proficiency {model._meta.verbose_name}" in response.content.decode()


def test_page_duplicate_measurement_links_to_the_schools_measurements(tenant, client):
    existing = Measurement.objects.filter(school=tenant.schools[0], period=4).get()
    client.force_login(member(Role.LEAD_PARTNER_STAFF, tenant))
    data = {"school": existing.school_id, "metric": existing.metric_id, "school_year": "2010-11", "period": 4}
    response = client.post(reverse("accountability:post_measurement"), {**data, "value": "41"})
    assert response.status_code == 400
    school_url = reverse("portfolio:school_detail", kwargs={"school_pk": existing.school_id}) + "#measurements"
    assert f'<a href="{school_url}">' in response.content.decode()


def test_api_duplicate_names_the_existing_record(tenant):
    existing = Baseline.objects.get(school=tenant.schools[0])
    data = {"school": existing.school_id, "metric": existing.metric_id, "value": "20", "school_year": "2008-09"}
    response = api_client(Role.STATE_LEAD, tenant).post("/api/v1/baselines/", data, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["existing"] == {"id": existing.pk, "url": f"http://testserver/api/v1/baselines/{existing.pk}/"}
    assert field_errors(response)[""] == [
        f"{existing.school} already has a ELA proficiency baseline for 2009-10 (30.00): "
        "edit that one instead of adding another."
    ]
