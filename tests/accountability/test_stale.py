"""A school's status is stale after its state's ``stale_after_days`` without a status update; a
school never updated is stale once its zone has operated that long."""

import datetime

import pytest
from django_scopes import scopes_disabled

from accountability.models import StatusUpdate
from accountability.services import school_standings
from schools.models import School
from tests.factories import LaunchedZoneFactory, SchoolFactory, StateFactory, StatusUpdateFactory, ZoneFactory

pytestmark = pytest.mark.django_db

UPDATED = datetime.date(2011, 3, 1)


def standings(today, schools=None):
    with scopes_disabled():
        schools = schools if schools is not None else School.objects.order_by("pk")
        return {row.school.pk: row for row in school_standings(schools, StatusUpdate.objects.all(), today=today)}


@pytest.fixture
def strict_and_lenient():
    """A school in a state allowing 30 days, one in a state allowing 60, each updated on ``UPDATED``."""
    strict = LaunchedZoneFactory(state=StateFactory(stale_after_days=30), schools=3).schools.first()
    lenient = LaunchedZoneFactory(state=StateFactory(stale_after_days=60), schools=3).schools.first()
    for school in (strict, lenient):
        StatusUpdateFactory(school=school, reported_on=UPDATED - datetime.timedelta(days=10))
        StatusUpdateFactory(school=school, reported_on=UPDATED)
    return strict, lenient


def test_stale_after_the_schools_state_setting(strict_and_lenient):
    strict, lenient = strict_and_lenient

    on_the_day = standings(UPDATED + datetime.timedelta(days=30))
    day_after = standings(UPDATED + datetime.timedelta(days=31))

    assert (on_the_day[strict.pk].stale, day_after[strict.pk].stale) == (False, True)
    assert day_after[strict.pk].days_since_update == 31
    assert not day_after[lenient.pk].stale
    assert standings(UPDATED + datetime.timedelta(days=61))[lenient.pk].stale


def test_a_school_never_updated_is_stale_once_its_zone_has_operated_that_long():
    state = StateFactory(stale_after_days=45)
    operating = LaunchedZoneFactory(state=state, launch_school_year="2010-11").schools.first()  # since Jul 1, 2010
    planning = ZoneFactory(state=state)
    planned = SchoolFactory(district=operating.district, zone=planning)
    outside = SchoolFactory(district=operating.district, zone=None)

    within = standings(datetime.date(2010, 8, 15))  # 45 days
    beyond = standings(datetime.date(2010, 8, 16))

    assert within[operating.pk].days_since_update is None
    assert (within[operating.pk].stale, beyond[operating.pk].stale) == (False, True)
    assert not beyond[planned.pk].stale and not beyond[outside.pk].stale


def test_staleness_is_one_query_whatever_the_number_of_schools_and_states(django_assert_num_queries):
    for days in (20, 29, 30, 60):
        for school in LaunchedZoneFactory(state=StateFactory(stale_after_days=days)).schools.all():
            StatusUpdateFactory(school=school)
    with scopes_disabled():
        schools = list(School.objects.select_related("zone__state"))
        with django_assert_num_queries(3):  # stored progress, latest updates, staleness
            rows = school_standings(schools, StatusUpdate.objects.all(), today=datetime.date(2010, 12, 1))
        with django_assert_num_queries(0):
            flags = {row.school.zone.state.stale_after_days: row.stale for row in rows}
    assert flags == {20: True, 29: True, 30: False, 60: False}  # updated Nov 1, 2010: 30 days before
