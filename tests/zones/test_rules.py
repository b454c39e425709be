"""A zone holds 3-5 schools once launched, in one or two districts of its state."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from partners.models import LeadPartner
from tests.factories import (
    DistrictFactory,
    LaunchedZoneFactory,
    LeadPartnerFactory,
    SchoolFactory,
    StateFactory,
    ZoneFactory,
)
from zones.admin import ZoneAdminForm
from zones.models import State, Zone

pytestmark = pytest.mark.django_db


def zone_with_schools(count, **kwargs):
    zone = ZoneFactory(**kwargs)
    district = zone.districts.get()
    for _ in range(count):
        SchoolFactory(district=district, zone=zone)
    return zone


def test_a_zone_in_planning_may_hold_fewer_than_three_schools():
    zone_with_schools(2).full_clean()


@pytest.mark.parametrize("count", [3, 4, 5])
def test_launching_a_zone_of_three_to_five_schools(count):
    zone = zone_with_schools(count)
    zone.status = Zone.Status.LAUNCHED
    zone.full_clean()


@pytest.mark.parametrize("status", [Zone.Status.LAUNCHED, Zone.Status.EXTENDED])
def test_launching_a_zone_of_two_schools_is_refused(invalid, status):
    zone = zone_with_schools(2)
    zone.status = status
    errors = invalid(zone, "status")
    assert "3 to 5 schools" in errors["status"][0]
    assert "has 2" in errors["status"][0]


def test_a_new_zone_cannot_be_created_launched(invalid):
    zone = Zone(
        state=StateFactory(), name="Instant Zone", lead_partner=LeadPartnerFactory(), launch_school_year="2010-11"
    )
    zone.status = Zone.Status.LAUNCHED
    invalid(zone, "status")


def test_a_launched_zone_needs_its_lead_partner_and_launch_year(invalid):
    zone = zone_with_schools(3, lead_partner=None, launch_school_year="")
    zone.status = Zone.Status.LAUNCHED
    invalid(zone, "lead_partner", "launch_school_year")


def test_adding_a_sixth_school_is_refused(invalid):
    zone = LaunchedZoneFactory(schools=5)
    sixth = SchoolFactory.build(district=zone.districts.get(), zone=zone)
    errors = invalid(sixth, "zone")
    assert "already holds 5 schools" in errors["zone"][0]


def test_a_school_may_leave_a_launched_zone_of_four():
    zone = LaunchedZoneFactory(schools=4)
    school = zone.schools.first()
    school.zone = None
    school.full_clean()


def test_leaving_a_launched_zone_below_three_schools_is_refused(invalid):
    zone = LaunchedZoneFactory(schools=3)
    school = zone.schools.first()
    school.zone = None
    errors = invalid(school, "zone")
    assert "at least 3 schools" in errors["zone"][0]


def test_moving_a_school_between_zones_checks_the_zone_it_leaves(invalid):
    zone = LaunchedZoneFactory(schools=3)
    other = ZoneFactory(state=zone.state, districts=[zone.districts.get()])
    school = zone.schools.first()
    school.zone = other
    invalid(school, "zone")


def test_a_school_joins_only_a_zone_of_its_state(invalid):
    zone = ZoneFactory()
    school = SchoolFactory.build(district=DistrictFactory(), zone=zone)
    errors = invalid(school, "zone")
    assert str(zone.state) in errors["zone"][0]


def test_a_school_joins_only_a_zone_established_in_its_district(invalid):
    zone = ZoneFactory()
    other_district = DistrictFactory(state=zone.state)
    school = SchoolFactory.build(district=other_district, zone=zone)
    errors = invalid(school, "zone")
    assert "add the district to the zone first" in errors["zone"][0]


def refused_districts(zone, add, match):
    """The m2m guard raises inside Django's own atomic block; a savepoint keeps the test's transaction usable."""
    with pytest.raises(ValidationError, match=match), transaction.atomic():
        add()


def test_a_zone_spans_one_or_two_districts_of_its_state():
    zone = ZoneFactory()
    zone.districts.add(DistrictFactory(state=zone.state))
    assert zone.districts.count() == 2
    third = DistrictFactory(state=zone.state)
    refused_districts(zone, lambda: zone.districts.add(third), "one or two districts")
    refused_districts(zone, lambda: zone.districts.set([*zone.districts.all(), third]), "one or two districts")
    assert zone.districts.count() == 2


def test_a_zone_may_not_take_a_district_of_another_state():
    zone = ZoneFactory()
    outsider = DistrictFactory()
    refused_districts(zone, lambda: zone.districts.add(outsider), "zone's state")
    assert not zone.districts.filter(pk=outsider.pk).exists()


def test_the_zone_admin_form_checks_districts():
    zone = ZoneFactory()
    districts = [DistrictFactory(state=zone.state) for _ in range(3)]
    data = {"state": zone.state.pk, "name": zone.name, "status": "planning", "districts": [d.pk for d in districts]}
    form = ZoneAdminForm(data=data, instance=zone)
    assert not form.is_valid()
    assert "one or two districts" in str(form.errors)


def test_a_district_autonomous_unit_leads_zones_only_in_its_own_state(invalid):
    unit = LeadPartnerFactory(kind=LeadPartner.Kind.DISTRICT_UNIT, district=DistrictFactory())
    zone = ZoneFactory(lead_partner=unit)
    invalid(zone, "lead_partner")
    zone.state = unit.district.state
    zone.full_clean()


def test_lead_partner_kind_and_services(invalid):
    invalid(LeadPartnerFactory.build(kind=LeadPartner.Kind.DISTRICT_UNIT, district=None), "district")
    invalid(LeadPartnerFactory.build(kind=LeadPartner.Kind.INDEPENDENT, district=DistrictFactory()), "district")
    invalid(LeadPartnerFactory.build(provides_academic_services=False), "__all__")


def test_nces_ids_start_with_their_parent_prefix(invalid):
    state = StateFactory(fips_code="08")
    invalid(DistrictFactory.build(state=state, nces_lea_id="1700001"), "nces_lea_id")
    district = DistrictFactory(state=state, nces_lea_id="0800001")
    invalid(SchoolFactory.build(district=district, nces_id="080000200001"), "nces_id")
    SchoolFactory.build(district=district, nces_id="080000100001").full_clean()


def test_school_grade_span_runs_upward(invalid):
    district = DistrictFactory()
    invalid(SchoolFactory.build(district=district, lowest_grade="9", highest_grade="6"), "highest_grade")
    school = SchoolFactory.build(district=district, lowest_grade="PK", highest_grade="5")
    school.full_clean()
    assert school.grade_span == "PK–5"


def test_a_state_is_selected_only_after_all_criteria_are_assessed(invalid):
    state = StateFactory.build(initiative=StateFactory().initiative, network_status=State.NetworkStatus.SELECTED)
    invalid(state, "network_status")
    state.framework_commitment = state.resource_commitment = state.leadership_alignment = "met"
    state.full_clean()


def test_initiative_terms_run_forward(invalid):
    initiative = StateFactory().initiative
    initiative.extension_term_end = initiative.initial_term_end
    invalid(initiative, "extension_term_end")
    initiative.initial_term_end = initiative.initial_term_start
    invalid(initiative, "initial_term_end")


def test_school_year_fields_are_validated(invalid):
    invalid(ZoneFactory.build(state=StateFactory(), launch_school_year="2010-2011"), "launch_school_year")
    invalid(
        StateFactory.build(initiative=StateFactory().initiative, planned_launch_school_year="2010-12"),
        "planned_launch_school_year",
    )
