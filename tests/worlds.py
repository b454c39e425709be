"""The test world every directory composes (registered from tests/conftest.py as a plugin).

Builders (plain functions) make the pieces: role users by name (``member``, ``membership``,
``login_member``), a state grown with launched zones and their results (``grow_state``), a tenant
(``make_tenant``). Fixtures put them together: ``world`` is built once per test module by
``world_builder`` (by default ``build_two_states``: two states with a user per role) and handed
to each test as its own copy; ``tenant`` and ``other_tenant`` are its two halves. A directory
whose tests need another world overrides ``world_builder`` in its conftest (accounts: marked
tenants; api: Colorado and Kansas; imports: schools with fixed NCES ids)."""

import copy
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from accounts.models import Membership, Role
from funding.models import Commitment
from tests.factories import (
    BaselineFactory,
    CollaboratorEngagementFactory,
    CommitmentFactory,
    ExpenditureFactory,
    LaunchedZoneFactory,
    MeasurementFactory,
    MembershipFactory,
    MetricFactory,
    ReportingPeriodFactory,
    StateFactory,
    StatusUpdateFactory,
    TargetFactory,
    UserFactory,
)

PASSWORD = "correct-horse-battery"  # every factory-made user's password
ROLES = [
    Role.INITIATIVE_ADMIN,
    Role.STATE_LEAD,
    Role.STATE_VIEWER,
    Role.COMMISSIONER,
    Role.LEAD_PARTNER_STAFF,
    Role.COLLABORATOR,
]
STATE_ROLES = (Role.STATE_LEAD, Role.STATE_VIEWER, Role.COMMISSIONER)


# --- Role users ---------------------------------------------------------------------------------


def membership(role, tenant=None, **scope) -> Membership:
    """A new user holding ``role``; over ``tenant``'s state, Lead Partner or collaborator when given
    (an explicit ``state=``/``lead_partner=``/``collaborator=`` wins). Admins get their TOTP."""
    if tenant is not None:
        if role in STATE_ROLES:
            scope.setdefault("state", tenant.state)
        elif role == Role.LEAD_PARTNER_STAFF:
            scope.setdefault("lead_partner", tenant.zone.lead_partner)
        elif role == Role.COLLABORATOR:
            scope.setdefault("collaborator", tenant.engagement.collaborator)
    return MembershipFactory(user=UserFactory(), role=role, **scope)


def member(role, tenant=None, **scope):
    """The user of a new ``membership``."""
    return membership(role, tenant, **scope).user


def login_member(email: str, role, **scope):
    """A user who can sign in through the login form (verified email, ``PASSWORD``) with one
    membership; an admin is staff (its TOTP is the caller's choice)."""
    user = UserFactory(email=email)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    Membership.objects.create(user=user, role=role, **scope)
    return user


# --- States, zones, tenants ----------------------------------------------------------------------


def grow_state(state, zones=1, metric=None):
    """Add ``zones`` launched zones to ``state``, each school with a baseline, target, measurements,
    a status update (the first school off track, the others on track), and the zone with a received
    zone-level commitment and an expenditure. Returns ``[(zone, schools, commitment, expenditure)]``."""
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


@dataclass
class Tenant:
    """One state's slice: a launched zone (with its Lead Partner) and its schools, money and results,
    an engaged collaborator, and a user per role over it by role name (``users["state_lead"]``)."""

    state: object
    zone: object
    schools: list
    commitment: object
    expenditure: object
    engagement: object
    users: dict = field(default_factory=dict)


def grow_with_another_state(state):
    """``state`` grows by a zone (``grow_state``), and another state appears with its own zone and
    reporting period: what a page's query count must not follow."""
    grow_state(state)
    other = StateFactory()
    grow_state(other)
    ReportingPeriodFactory(state=other)


def query_counts(client, urls, **headers) -> dict[str, int]:
    """{url: the queries its page costs} for ``urls`` (each must answer 200)."""
    found = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, **headers)
        assert response.status_code == 200, url
        found[url] = len(queries)
    return found


def make_tenant(name, *, with_users=False) -> Tenant:
    state = StateFactory(name=name)
    ((zone, schools, commitment, expenditure),) = grow_state(state)
    engagement = CollaboratorEngagementFactory(state=state)
    tenant = Tenant(state, zone, schools, commitment, expenditure, engagement)
    if with_users:
        tenant.users = {str(role): member(role, tenant) for role in ROLES if role != Role.INITIATIVE_ADMIN}
    return tenant


@dataclass
class TwoStates:
    """Colorado (``home``) and Louisiana (``away``), each a ``Tenant`` with its role users, and the
    initiative admin."""

    home: Tenant
    away: Tenant
    admin: object


def build_two_states() -> TwoStates:
    return TwoStates(
        home=make_tenant("Colorado", with_users=True),
        away=make_tenant("Louisiana", with_users=True),
        admin=member(Role.INITIATIVE_ADMIN),
    )


# --- Built once ----------------------------------------------------------------------------------


def built_once(builder, django_db_blocker):
    """Make ``builder()``'s world once, for the module-scoped ``_world_built`` to yield, inside a
    transaction rolled back when the module ends (as Django's ``setUpTestData``). ``world`` hands
    each test a deep copy, so what one test changes (in the database or on the objects) never
    reaches the next. Only for tests on the ``db`` fixture: a transactional test would flush the
    rows away."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with scopes_disabled():
                world = builder()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield world
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def uses_a_world_built_once(item) -> bool:
    """A world built once, or the seeded demo (tests/testdb.py): either stays until the module ends."""
    return bool({"_world_built", "demo_database"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Within each module, run the tests that use a world built once last: its rows stay in the
    database until the module ends, and a test that did not ask for them must not see them."""
    ordered, run = [], []
    for item in items:
        if run and getattr(item, "module", None) is not getattr(run[0], "module", None):
            ordered += sorted(run, key=uses_a_world_built_once)
            run = []
        run.append(item)
    ordered += sorted(run, key=uses_a_world_built_once)
    items[:] = ordered


@pytest.fixture(scope="module")
def world_builder():
    """What ``world`` is made of; a directory's conftest overrides it with its own builder."""
    return build_two_states


@pytest.fixture(scope="module")
def _world_built(world_builder, django_db_setup, django_db_blocker):
    yield from built_once(world_builder, django_db_blocker)


@pytest.fixture
def world(_world_built, db, request):
    """This test's copy of the module's world (by default ``TwoStates``)."""
    return own_copy(_world_built, request)


def own_copy(world, request):
    """This test's copy of a world made by ``built_once``."""
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        pytest.fail("A world built once lives in a transaction; a transactional test must build its own.")
    return copy.deepcopy(world)


@pytest.fixture
def tenant(world):
    return world.home


@pytest.fixture
def other_tenant(world):
    return world.away


# --- Clients and checks --------------------------------------------------------------------------


@pytest.fixture
def login(client):
    """``login(user)`` → the test client signed in as ``user``."""

    def login_as(user):
        client.force_login(user)
        return client

    return login_as


@pytest.fixture
def invalid():
    """Assert that full_clean() refuses an object for exactly the given fields; returns the messages."""

    def check(obj, *fields):
        with pytest.raises(ValidationError) as caught:
            obj.full_clean()
        errors = caught.value.message_dict
        assert set(errors) == set(fields), errors
        return errors

    return check


# --- Form data -----------------------------------------------------------------------------------


def school_form_data(district, name="Sunrise Academy", **changes) -> dict:
    """What the school form posts for a new elementary school of ``district``."""
    data = {
        "name": name,
        "nces_id": f"{district.nces_lea_id}99999",
        "district": district.pk,
        "lowest_grade": "K",
        "highest_grade": "5",
        "enrollment": "300",
        "improvement_tier": "I",
        "turnaround_status": "planning",
    }
    return {**data, **changes}
