"""Fixtures for the browser pages: two states (tenants) with a launched zone each, and members."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from accounts.models import Membership, Role
from funding.models import Commitment
from tests.factories import (
    BaselineFactory,
    CollaboratorEngagementFactory,
    CommitmentFactory,
    ExpenditureFactory,
    LaunchedZoneFactory,
    MeasurementFactory,
    MetricFactory,
    StateFactory,
    StatusUpdateFactory,
    TargetFactory,
    UserFactory,
    enable_totp,
)


@dataclass
class Tenant:
    state: object
    zone: object
    schools: list
    commitment: object
    expenditure: object
    engagement: object


def grow_state(state, zones=1, metric=None):
    """Add ``zones`` launched zones to ``state``, each school with a baseline, target, measurements,
    a status update, and the zone with a commitment and an expenditure."""
    metric = metric or MetricFactory(code="ela", name="ELA proficiency")
    made = []
    for _ in range(zones):
        zone = LaunchedZoneFactory(state=state)
        schools = list(zone.schools.all())
        for index, school in enumerate(schools):
            BaselineFactory(school=school, metric=metric, value=Decimal("30"))
            TargetFactory(school=school, metric=metric, value=Decimal("50"))
            for period in (1, 4):
                MeasurementFactory(school=school, metric=metric, period=period, value=Decimal(32 + 6 * period))
            rating = "off_track" if index == 0 else "on_track"
            StatusUpdateFactory(school=school, rating=rating, reported_on=datetime.date(2011, 3, 1))
        commitment = CommitmentFactory(
            state=state,
            zone=zone,
            recipient_level=Commitment.RecipientLevel.ZONE,
            status=Commitment.Status.RECEIVED,
            amount=Decimal("500000.00"),
        )
        expenditure = ExpenditureFactory(commitment=commitment, zone=zone, amount=Decimal("1200.00"))
        made.append((zone, schools, commitment, expenditure))
    return made


def make_tenant(name) -> Tenant:
    state = StateFactory(name=name)
    ((zone, schools, commitment, expenditure),) = grow_state(state)
    engagement = CollaboratorEngagementFactory(state=state)
    return Tenant(state, zone, schools, commitment, expenditure, engagement)


@pytest.fixture
def tenant(db):
    return make_tenant("Colorado")


@pytest.fixture
def other_tenant(db):
    return make_tenant("Louisiana")


def member(role, tenant=None, **scope):
    """A user holding ``role`` over ``tenant``'s state, Lead Partner or collaborator."""
    user = UserFactory()
    if role in (Role.STATE_LEAD, Role.STATE_VIEWER, Role.COMMISSIONER):
        scope.setdefault("state", tenant.state)
    elif role == Role.LEAD_PARTNER_STAFF:
        scope.setdefault("lead_partner", tenant.zone.lead_partner)
    elif role == Role.COLLABORATOR:
        scope.setdefault("collaborator", tenant.engagement.collaborator)
    Membership.objects.create(user=user, role=role, **scope)
    if role == Role.INITIATIVE_ADMIN:
        enable_totp(user)
    return user


ROLES = [
    Role.INITIATIVE_ADMIN,
    Role.STATE_LEAD,
    Role.STATE_VIEWER,
    Role.COMMISSIONER,
    Role.LEAD_PARTNER_STAFF,
    Role.COLLABORATOR,
]


@pytest.fixture
def login(client):
    def login_as(user):
        client.force_login(user)
        return client

    return login_as
