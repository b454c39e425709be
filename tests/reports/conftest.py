"""A hand-computed state for the report tests (numbers worked out in the comments).

Colorado, as of 2010-12-31 (launch 2010-11, baselines 2009-10, targets 2011-12):

Aurora Zone (launched): North MS, East MS, West MS.   Denver Zone (planning): Park MS, Lake MS.
Reading (higher is better), Absence (lower is better). Timeline: baseline at 2010, target at 2012.

North/Reading  30 → 35 (2010-11 fall, t=2010.25) → 40 (end of year, t=2011): least-squares slope 9.23,
               projected 49.62 (80% band 34.88–64.35), target 50: at risk (the band reaches it).
North/Absence  20 → 18 (2010-11 winter, t=2010.5): slope -4, projected 12, needs 10, gets 8: at risk.
East/Reading   40 → 42 (t=2011): projected 44, needs 20, gets 4: off track.
West/Reading   25, target 35, no measurement: no data.
Park/Reading   50 → 60 (t=2011): projected 70, target 60: on track.
Lake: nothing yet.

Money (Colorado): Foundation (private) 300,000 state-level received + 60,000 Aurora pledged
(expected 2010-09-01: overdue); State DoE (public) 450,000 Aurora committed (expected
2010-06-30: overdue) + 150,000 Denver pledged (expected 2011-06-30: not yet due).
Spent 100,000 teacher compensation (ELT) in Aurora and 50,000 partner services in Denver.
Ohio's 999,000 must never appear.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.cache import cache

from accountability.models import Measurement, Metric
from accounts.models import Role
from funding.models import Commitment, Expenditure, Funder
from tests.factories import (
    BaselineFactory,
    CollaboratorEngagementFactory,
    CommitmentFactory,
    DistrictFactory,
    ExpenditureFactory,
    FunderFactory,
    LaunchedZoneFactory,
    LeadPartnerFactory,
    MeasurementFactory,
    MetricFactory,
    SchoolFactory,
    StateFactory,
    StatusUpdateFactory,
    TargetFactory,
    ZoneFactory,
)
from tests.worlds import member
from zones.models import Zone

AS_OF = datetime.date(2010, 12, 31)
OFF, ON, RISK = "off_track", "on_track", "at_risk"


@pytest.fixture(autouse=True)
def file_roots(settings, tmp_path):
    """Each test stores report files in its own folders (private, and the web-served media of old),
    and starts with no forced re-render counted against anyone."""
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield tmp_path
    cache.clear()


@pytest.fixture
def colorado(db):
    return build_colorado()


def build_colorado() -> SimpleNamespace:
    state = StateFactory(name="Colorado", postal_code="CO", fips_code="08", commissioner_name="Dwight Jones")
    district = DistrictFactory(state=state, name="Aurora Public Schools")
    partner = LeadPartnerFactory(name="Turnaround Partners")
    aurora = ZoneFactory(state=state, name="Aurora Zone", districts=[district], lead_partner=partner)
    north, east, west = (
        SchoolFactory(district=district, zone=aurora, name=name, enrollment=enrollment)
        for name, enrollment in (("North MS", 400), ("East MS", 500), ("West MS", 600))
    )
    aurora.status = Zone.Status.LAUNCHED
    aurora._change_reason = "Launched"
    aurora.save()
    denver = ZoneFactory(state=state, name="Denver Zone", lead_partner=LeadPartnerFactory(name="Mile High Partners"))
    denver_district = denver.districts.get()
    park = SchoolFactory(district=denver_district, zone=denver, name="Park MS", enrollment=300)
    lake = SchoolFactory(district=denver_district, zone=denver, name="Lake MS", enrollment=200)

    reading = MetricFactory(code="reading", name="Reading proficiency")
    absence = MetricFactory(code="absence", name="Chronic absence", direction=Metric.Direction.LOWER)
    for school, metric, baseline, target in (
        (north, reading, "30", "50"),
        (north, absence, "20", "10"),
        (east, reading, "40", "60"),
        (west, reading, "25", "35"),
        (park, reading, "50", "60"),
    ):
        BaselineFactory(school=school, metric=metric, value=Decimal(baseline))
        TargetFactory(school=school, metric=metric, value=Decimal(target))
    end, winter = Measurement.Period.END_OF_YEAR, Measurement.Period.WINTER
    MeasurementFactory(school=north, metric=reading, value=Decimal("35"), period=Measurement.Period.FALL)
    MeasurementFactory(school=north, metric=reading, value=Decimal("40"), period=end)
    MeasurementFactory(school=north, metric=absence, value=Decimal("18"), period=winter)
    MeasurementFactory(school=east, metric=reading, value=Decimal("42"), period=end)
    MeasurementFactory(school=park, metric=reading, value=Decimal("60"), period=end)

    StatusUpdateFactory(school=east, rating=ON, reported_on=datetime.date(2010, 9, 1), narrative="East began well.")
    StatusUpdateFactory(school=east, rating=OFF, reported_on=datetime.date(2010, 10, 1), narrative="East slipped.")
    StatusUpdateFactory(
        school=east, rating=OFF, reported_on=datetime.date(2010, 12, 1), narrative="East needs a new principal."
    )
    StatusUpdateFactory(school=north, rating=RISK, reported_on=datetime.date(2010, 11, 20), narrative="North holds.")
    StatusUpdateFactory(school=west, rating=OFF, reported_on=datetime.date(2010, 11, 15), narrative="West one off.")
    StatusUpdateFactory(
        school=park, rating=ON, reported_on=datetime.date(2010, 11, 5), narrative="Park is planning its launch."
    )

    foundation = FunderFactory(name="Summit Foundation", kind=Funder.Kind.PRIVATE_FOUNDATION)
    state_doe = FunderFactory(name="Colorado Department of Education", kind=Funder.Kind.STATE)
    received = CommitmentFactory(funder=foundation, state=state, amount=Decimal("300000"), status="received")
    zone_level = {"recipient_level": Commitment.RecipientLevel.ZONE, "state": state}
    CommitmentFactory(
        funder=foundation, zone=aurora, amount=Decimal("60000"), expected_by=datetime.date(2010, 9, 1), **zone_level
    )
    CommitmentFactory(
        funder=state_doe,
        zone=aurora,
        amount=Decimal("450000"),
        status="committed",
        expected_by=datetime.date(2010, 6, 30),
        **zone_level,
    )
    CommitmentFactory(
        funder=state_doe, zone=denver, amount=Decimal("150000"), expected_by=datetime.date(2011, 6, 30), **zone_level
    )
    ExpenditureFactory(
        commitment=received, zone=aurora, amount=Decimal("100000"), category=Expenditure.Category.ELT_COMPENSATION
    )
    ExpenditureFactory(
        commitment=received, zone=denver, amount=Decimal("50000"), category=Expenditure.Category.PARTNER_SERVICES
    )

    ohio = LaunchedZoneFactory(state=StateFactory(name="Ohio", postal_code="OH", fips_code="39"), name="Ohio Zone")
    CommitmentFactory(funder=foundation, state=ohio.state, amount=Decimal("999000"), status="received")
    return SimpleNamespace(
        state=state,
        aurora=aurora,
        denver=denver,
        north=north,
        east=east,
        west=west,
        park=park,
        lake=lake,
        reading=reading,
        absence=absence,
        foundation=foundation,
        state_doe=state_doe,
        ohio=ohio,
    )


@pytest.fixture
def people(colorado):
    return role_people(colorado)


def role_people(colorado) -> dict:
    """One user per role around Colorado, plus Ohio's state lead (another tenant)."""
    co = colorado.state
    return {
        "admin": member(Role.INITIATIVE_ADMIN),
        "lead": member(Role.STATE_LEAD, state=co),
        "viewer": member(Role.STATE_VIEWER, state=co),
        "commissioner": member(Role.COMMISSIONER, state=co),
        "aurora_partner": member(Role.LEAD_PARTNER_STAFF, lead_partner=colorado.aurora.lead_partner),
        "denver_partner": member(Role.LEAD_PARTNER_STAFF, lead_partner=colorado.denver.lead_partner),
        "collaborator": member(Role.COLLABORATOR, collaborator=CollaboratorEngagementFactory(state=co).collaborator),
        "ohio_lead": member(Role.STATE_LEAD, state=colorado.ohio.state),
    }


def build_colorado_with_people() -> SimpleNamespace:
    """``colorado`` and its ``people`` in one world: a module whose tests only read them names this
    its ``world_builder`` (tests/worlds.py) and takes both from ``world``, made once instead of per test."""
    colorado = build_colorado()
    return SimpleNamespace(colorado=colorado, people=role_people(colorado))
