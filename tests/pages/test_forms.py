import datetime

import pytest
from django.urls import reverse

from accountability.models import Measurement, StatusUpdate
from accounts.models import Role
from funding.forms import CommitmentForm
from funding.models import Commitment
from schools.forms import ZoneForm
from schools.models import School
from tests.factories import AutonomyTermFactory, DistrictFactory, FunderFactory, LaunchedZoneFactory, SchoolFactory
from tests.worlds import member, school_form_data
from zones.models import Zone

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(tenant, login):
    return login(member(Role.STATE_LEAD, tenant))


@pytest.fixture
def free_schools(tenant):
    """Four schools of one district of the state that are in no zone yet."""
    district = DistrictFactory(state=tenant.state)
    return district, SchoolFactory.create_batch(4, district=district)


def zone_data(district, schools, **changes):
    data = {
        "name": "Mountain Zone",
        "status": Zone.Status.LAUNCHED,
        "lead_partner": "",
        "launch_school_year": "2011-12",
        "districts": [district.pk],
        "schools": [school.pk for school in schools],
    }
    return {**data, **changes}


def test_launching_a_zone_with_two_schools_is_refused_on_the_schools_field(tenant, lead, free_schools):
    district, schools = free_schools
    url = reverse("schools:zone_create", kwargs={"state_pk": tenant.state.pk})
    response = lead.post(url, zone_data(district, schools[:2], lead_partner=tenant.zone.lead_partner.pk))
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["schools"] == ["A launched zone holds 3 to 5 schools; you chose 2."]
    assert 'aria-invalid="true"' in response.content.decode()
    assert form["name"].value() == "Mountain Zone"  # the input is kept
    assert not Zone.objects.filter(name="Mountain Zone").exists()


def test_launching_a_zone_without_lead_partner_rolls_back_everything(tenant, lead, free_schools):
    district, schools = free_schools
    url = reverse("schools:zone_create", kwargs={"state_pk": tenant.state.pk})
    response = lead.post(url, zone_data(district, schools[:3]))
    assert response.status_code == 400
    assert "Lead Partner" in response.context["form"].errors["lead_partner"][0]
    assert not Zone.objects.filter(name="Mountain Zone").exists()
    assert School.objects.filter(pk__in=[school.pk for school in schools], zone__isnull=False).count() == 0


def test_state_lead_creates_a_launched_zone_with_its_schools(tenant, lead, free_schools):
    district, schools = free_schools
    url = reverse("schools:zone_create", kwargs={"state_pk": tenant.state.pk})
    response = lead.post(url, zone_data(district, schools[:3], lead_partner=tenant.zone.lead_partner.pk))
    zone = Zone.objects.get(name="Mountain Zone")
    assert response.status_code == 302
    assert response["Location"] == reverse("portfolio:zone_detail", kwargs={"zone_pk": zone.pk})
    assert zone.status == Zone.Status.LAUNCHED
    assert set(zone.schools.all()) == set(schools[:3])
    assert list(zone.districts.all()) == [district]


def test_editing_a_zone_swaps_schools_and_checks_the_result(tenant, lead):
    zone = tenant.zone
    kept = tenant.schools[:2]
    zone_district = zone.districts.get()
    newcomer = SchoolFactory(district=zone_district)
    url = reverse("schools:zone_edit", kwargs={"zone_pk": zone.pk})
    data = zone_data(
        zone_district,
        [*kept, newcomer],
        name=zone.name,
        lead_partner=zone.lead_partner.pk,
        launch_school_year=zone.launch_school_year,
    )
    assert lead.post(url, data).status_code == 302
    assert set(zone.schools.all()) == {*kept, newcomer}
    response = lead.post(url, {**data, "schools": [kept[0].pk, kept[1].pk]})
    assert response.status_code == 400
    assert set(zone.schools.all()) == {*kept, newcomer}


def test_a_zone_needs_one_or_two_districts(tenant, lead, free_schools):
    district, schools = free_schools
    others = DistrictFactory.create_batch(2, state=tenant.state)
    url = reverse("schools:zone_create", kwargs={"state_pk": tenant.state.pk})
    data = zone_data(district, schools[:3], districts=[district.pk, *[d.pk for d in others]], status="planning")
    response = lead.post(url, data)
    assert response.context["form"].errors["districts"] == ["A zone is established in one or two districts."]


def test_lead_partner_posts_a_status_update_and_stays_on_the_workspace(tenant, login):
    AutonomyTermFactory(zone=tenant.zone, area="time", power="schedule")  # its scheduling notes are offered
    client = login(member(Role.LEAD_PARTNER_STAFF, tenant))
    school = tenant.schools[1]
    data = {
        "school": school.pk,
        "reported_on": "2011-05-02",
        "rating": "at_risk",
        "narrative": "Attendance dipped after the schedule change.",
        "scheduling_notes": "Extended day starts in May.",
    }
    response = client.post(reverse("accountability:post_status_update"), data, follow=True)
    update = StatusUpdate.objects.get(narrative=data["narrative"])
    assert update.author.scope.lead_partner_ids == {tenant.zone.lead_partner_id}
    assert response.redirect_chain[-1][0].startswith(reverse("accountability:workspace"))
    zone_page = client.get(reverse("portfolio:zone_detail", kwargs={"zone_pk": tenant.zone.pk})).content.decode()
    assert data["narrative"] in zone_page and data["scheduling_notes"] in zone_page


def test_failed_status_update_keeps_the_input_and_ties_errors_to_fields(tenant, login):
    client = login(member(Role.LEAD_PARTNER_STAFF, tenant))
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    data = {"school": tenant.schools[0].pk, "reported_on": tomorrow.isoformat(), "narrative": "Kept text"}
    response = client.post(reverse("accountability:post_status_update"), data)
    assert response.status_code == 400
    form = response.context["status_form"]
    assert set(form.errors) == {"rating", "reported_on"}
    content = response.content.decode()
    assert "Kept text" in content
    assert 'id="id_reported_on_error"' in content and 'aria-describedby="id_reported_on_error"' in content
    assert not StatusUpdate.objects.filter(narrative="Kept text").exists()


def test_status_update_for_a_school_of_another_lead_partner_is_refused(tenant, other_tenant, login):
    client = login(member(Role.LEAD_PARTNER_STAFF, tenant))
    data = {"school": other_tenant.schools[0].pk, "reported_on": "2011-05-02", "rating": "on_track", "narrative": "x"}
    response = client.post(reverse("accountability:post_status_update"), data)
    assert response.status_code == 400
    assert "school" in response.context["status_form"].errors


def test_measurement_entry_records_who_entered_it_and_reports_duplicates(tenant, login):
    user = member(Role.LEAD_PARTNER_STAFF, tenant)
    client = login(user)
    school = tenant.schools[0]
    metric = school.baselines.get().metric
    data = {"school": school.pk, "metric": metric.pk, "school_year": "2011-12", "period": 1, "value": "44.5"}
    assert client.post(reverse("accountability:post_measurement"), data).status_code == 302
    assert Measurement.objects.get(school=school, school_year="2011-12").recorded_by == user
    again = client.post(reverse("accountability:post_measurement"), data)
    assert again.status_code == 400
    assert again.context["measurement_form"].non_field_errors()


def test_duplicate_baseline_is_a_form_error_not_a_crash(tenant, lead):
    school = tenant.schools[0]
    metric = school.baselines.get().metric
    url = reverse("accountability:baseline_create", kwargs={"school_pk": school.pk})
    response = lead.post(url, {"metric": metric.pk, "value": "20", "school_year": "2008-09"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()


def test_state_lead_records_a_commitment_to_a_zone(tenant, lead):
    funder = FunderFactory()
    url = reverse("funding:commitment_create", kwargs={"state_pk": tenant.state.pk})
    data = {
        "funder": funder.pk,
        "recipient_level": "zone",
        "zone": tenant.zone.pk,
        "amount": "250000",
        "status": "pledged",
        "pledged_on": "2011-01-10",
        "period_start": "2011-07-01",
        "period_end": "2013-06-30",
    }
    response = lead.post(url, data)
    assert response.status_code == 302
    commitment = Commitment.objects.get(funder=funder)
    assert commitment.state == tenant.state and commitment.zone == tenant.zone
    assert commitment.source == "private"


def test_commitment_cannot_move_backwards(tenant, lead):
    commitment = tenant.commitment
    url = reverse("funding:commitment_edit", kwargs={"commitment_pk": commitment.pk})
    response = lead.get(url)
    data = {name: value for name, value in response.context["form"].initial.items() if value is not None}
    data.update(status="pledged", funder=commitment.funder_id, zone=commitment.zone_id)
    response = lead.post(url, data)
    assert response.status_code == 400
    assert "forward only" in response.context["form"].errors["status"][0]


def test_form_choices_come_from_the_state_in_scope(tenant, other_tenant, lead, free_schools):
    district, schools = free_schools
    foreign = other_tenant.schools[0]
    url = reverse("schools:zone_create", kwargs={"state_pk": tenant.state.pk})
    data = zone_data(district, [*schools[:2], foreign], districts=[district.pk, foreign.district_id])
    errors = lead.post(url, data).context["form"].errors
    assert "Select a valid choice" in errors["districts"][0]
    assert "Select a valid choice" in errors["schools"][0]
    foreign.refresh_from_db()
    assert foreign.zone == other_tenant.zone


def test_state_lead_adds_a_school_to_a_district_of_the_state(tenant, other_tenant, lead):
    district = tenant.schools[0].district
    url = reverse("schools:school_create", kwargs={"state_pk": tenant.state.pk})
    data = school_form_data(district)
    assert lead.post(url, data).status_code == 302
    assert School.objects.get(name="Sunrise Academy").district == district
    elsewhere = lead.post(url, {**data, "name": "Elsewhere", "district": other_tenant.schools[0].district_id})
    assert "district" in elsewhere.context["form"].errors
    assert not School.objects.filter(name="Elsewhere").exists()


@pytest.mark.parametrize("form_class", [ZoneForm, CommitmentForm])
def test_fieldsets_show_every_field_once(form_class, tenant):
    user = member(Role.STATE_LEAD, tenant)
    instance = form_class._meta.model(state=tenant.state)
    form = form_class(instance=instance, user=user, **({} if form_class is ZoneForm else {"state": tenant.state}))
    shown = [field.name for _legend, fields in form.field_groups() for field in fields]
    assert sorted(shown) == sorted(form.fields)


def test_the_new_zone_form_says_why_no_school_can_be_chosen_and_links_to_add_one(tenant, lead):
    url = reverse("schools:zone_create", kwargs={"state_pk": tenant.state.pk})
    School.objects.filter(district__state=tenant.state, zone__isnull=True).update(zone=tenant.zone)
    body = lead.get(url).content.decode()
    assert "Every school of the state is already in a zone" in body
    assert (
        f'<a href="{reverse("schools:school_create", kwargs={"state_pk": tenant.state.pk})}">Add a school</a>' in body
    )


def test_a_duplicate_nces_id_names_and_links_the_school_that_has_it(tenant, lead):
    existing = tenant.schools[0]
    url = reverse("schools:school_create", kwargs={"state_pk": tenant.state.pk})
    response = lead.post(url, school_form_data(existing.district, nces_id=existing.nces_id))
    assert response.status_code == 400
    body = response.content.decode()
    message = f"{existing.name} already has NCES school id {existing.nces_id}."
    assert body.count(message) == 2  # in the summary and at the field, as every error
    school_url = reverse("portfolio:school_detail", kwargs={"school_pk": existing.pk})
    assert body.count(f'<a href="{school_url}">Open {existing.name}</a>') == 1


def test_autonomy_notes_are_offered_only_for_the_autonomies_the_zones_hold(tenant, login):
    AutonomyTermFactory(zone=tenant.zone, area="people", power="hiring")
    AutonomyTermFactory(zone=tenant.zone, area="money", power="budget", status="revoked")
    client = login(member(Role.LEAD_PARTNER_STAFF, tenant))
    form = client.get(reverse("accountability:workspace")).context["status_form"]
    assert [name for name in form.fields if name.endswith("_notes")] == ["staffing_notes"]

    other = LaunchedZoneFactory(state=tenant.state, lead_partner=tenant.zone.lead_partner)  # holds none
    school = other.schools.first()
    data = {"school": school.pk, "reported_on": "2011-05-02", "rating": "at_risk", "narrative": "Dip."}
    response = client.post(reverse("accountability:post_status_update"), {**data, "staffing_notes": "New hires."})
    assert response.status_code == 400
    assert response.context["status_form"].errors["staffing_notes"] == [f"{other} holds no autonomy in this area."]
    assert not StatusUpdate.objects.filter(school=school, narrative="Dip.").exists()
