"""Fixtures for the REST API tests: two states with a launched zone each, a user per role, and
API clients authenticated with real tokens."""

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.tokens import issue_token
from tests.factories import CollaboratorEngagementFactory, LaunchedZoneFactory, MetricFactory, StateFactory
from tests.worlds import membership as member  # API tests hold memberships: a token belongs to one


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in the cache; start every test from zero."""
    cache.clear()
    yield
    cache.clear()


@dataclass
class World:
    state: object
    zone: object
    schools: list
    other_state: object
    other_zone: object
    other_schools: list
    metric: object
    # Made with the world by ``build_world_with_records`` (else by each test that asks for them).
    memberships: dict | None = None
    token_keys: dict | None = None
    records: dict | None = None


def build_world() -> World:
    state, other_state = StateFactory(name="Colorado"), StateFactory(name="Kansas")
    zone, other_zone = LaunchedZoneFactory(state=state), LaunchedZoneFactory(state=other_state)
    return World(
        state=state,
        zone=zone,
        schools=list(zone.schools.order_by("pk")),
        other_state=other_state,
        other_zone=other_zone,
        other_schools=list(other_zone.schools.order_by("pk")),
        metric=MetricFactory(code="reading", name="Reading proficiency"),
    )


@pytest.fixture(scope="module")
def world_builder():
    """``world`` (tests/worlds.py, built once per module): Colorado and Kansas."""
    return build_world


def role_memberships(world) -> dict:
    """One membership per role, all reaching ``world.state`` (or its zone's Lead Partner)."""
    collaborator = member(Role.COLLABORATOR)
    CollaboratorEngagementFactory(collaborator=collaborator.collaborator, state=world.state)
    return {
        "admin": member(Role.INITIATIVE_ADMIN),
        "state_lead": member(Role.STATE_LEAD, state=world.state),
        "state_viewer": member(Role.STATE_VIEWER, state=world.state),
        "commissioner": member(Role.COMMISSIONER, state=world.state),
        "lead_partner_staff": member(Role.LEAD_PARTNER_STAFF, lead_partner=world.zone.lead_partner),
        "collaborator": collaborator,
    }


def build_world_with_records() -> World:
    """``build_world`` with its role memberships, a token key each and ``paired_records``: a module
    whose tests all read these rows names it as its ``world_builder`` to make them once, not per test."""
    world = build_world()
    world.memberships = role_memberships(world)
    world.token_keys = {role: issue_token(held, "test client")[1] for role, held in world.memberships.items()}
    world.records = paired_records(world)
    return world


@pytest.fixture
def memberships(world):
    return role_memberships(world) if world.memberships is None else world.memberships


def key_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def token_client(membership, **token_kwargs) -> APIClient:
    _token, key = issue_token(membership, "test client", **token_kwargs)
    return key_client(key)


@pytest.fixture
def clients(memberships, world):
    """An API client per role, each authenticated with a token of that role's membership."""
    if world.token_keys is not None:
        return {role: key_client(key) for role, key in world.token_keys.items()}
    return {role: token_client(membership) for role, membership in memberships.items()}


@pytest.fixture
def records(world):
    return paired_records(world) if world.records is None else world.records


def paired_records(world) -> dict:
    """Per state: an engagement, a received commitment with an expenditure, a baseline, target,
    measurement and status update of the zone's first school. {name: (own, other)}."""
    from tests.factories import (
        BaselineFactory,
        CommitmentFactory,
        ExpenditureFactory,
        MeasurementFactory,
        StatusUpdateFactory,
        TargetFactory,
    )

    def for_state(state, zone, school):
        commitment = CommitmentFactory(state=state, status="received")
        return {
            "engagements": CollaboratorEngagementFactory(state=state, service_area="human_capital"),
            "commitments": commitment,
            "expenditures": ExpenditureFactory(commitment=commitment, zone=zone),
            "baselines": BaselineFactory(school=school, metric=world.metric),
            "targets": TargetFactory(school=school, metric=world.metric),
            "measurements": MeasurementFactory(school=school, metric=world.metric),
            "status-updates": StatusUpdateFactory(school=school),
        }

    own = for_state(world.state, world.zone, world.schools[0])
    other = for_state(world.other_state, world.other_zone, world.other_schools[0])
    pairs = {name: (own[name], other[name]) for name in own}
    pairs.update(
        {
            "states": (world.state, world.other_state),
            "districts": (world.zone.districts.get(), world.other_zone.districts.get()),
            "zones": (world.zone, world.other_zone),
            "schools": (world.schools[0], world.other_schools[0]),
            "state-funding": (world.state, world.other_state),
            "zone-funding": (world.zone, world.other_zone),
            "school-progress": (world.schools[0], world.other_schools[0]),
        }
    )
    return pairs
