"""Property-based fuzzing of the whole API with schemathesis, against the project's own schema, for
three roles (a state lead, a Lead Partner's staff, a state viewer): the checks the schemathesis CLI
runs, on every operation and in the stateful phase (sequences that follow the inferred links, e.g.
create → read → change → delete), at a small budget.

Checks: every response check of the CLI except ``positive_data_acceptance`` (schema-valid data is
not always acceptable here: a school id that exists but is another tenant's is a 404 by design, a
date after today a 400, a random If-Match a 412)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.generation.stateful import run_state_machine_as_test

from accounts.models import Role
from accounts.tokens import issue_token
from config.wsgi import application
from tests.api.conftest import build_world, member
from tests.factories import BaselineFactory, CommitmentFactory, MeasurementFactory, StatusUpdateFactory

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.negative_data_rejection,
    schemathesis.checks.ignored_auth,
    schemathesis.checks.use_after_free,
    schemathesis.checks.ensure_resource_availability,
]
ROLES = {
    "state_lead": lambda world: member(Role.STATE_LEAD, state=world.state),
    "lead_partner_staff": lambda world: member(Role.LEAD_PARTNER_STAFF, lead_partner=world.zone.lead_partner),
    "state_viewer": lambda world: member(Role.STATE_VIEWER, state=world.state),
}  # memberships: a token carries one
HYPOTHESIS = {"deadline": None, "database": None, "suppress_health_check": list(HealthCheck)}

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
# Random fuzzing and the stateful phase: the exhaustive "coverage" phase sends hundreds of requests per operation.
schema.config.phases.coverage.enabled = False
schema.app = application  # requests (also the checks' own follow-up requests) go to the WSGI app in-process


@pytest.fixture
def keep_test_connection():
    """Calling the WSGI app directly would close the database connection (and the test's
    transaction) at the end of each request; Django's test client prevents this the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def world_builder():
    """Colorado and Kansas (tests/api/conftest.py), with records to find and a member per role."""

    def build():
        world = build_world()
        school = world.schools[0]
        BaselineFactory(school=school, metric=world.metric)
        MeasurementFactory(school=school, metric=world.metric)
        StatusUpdateFactory(school=school)
        CommitmentFactory(state=world.state)
        world.members = {role: make(world) for role, make in ROLES.items()}
        return world

    return build


@pytest.fixture
def role_headers(world, keep_test_connection):
    """Each role's token headers. The app is called directly (WSGI), where nothing would undo the
    gzip the client's default Accept-Encoding asks for (tests/api/test_transport.py checks gzip)."""
    return {
        role: {"Authorization": f"Bearer {issue_token(user, 'fuzz')[1]}", "Accept-Encoding": "identity"}
        for role, user in world.members.items()
    }


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=1, **HYPOTHESIS)
def test_api_conforms_to_its_schema(case, role_headers):
    """Each generated request is sent as each role (one test per operation keeps the run short)."""
    for headers in role_headers.values():
        case.call_and_validate(headers=headers, checks=CHECKS)


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(ROLES))
def test_sequences_of_calls_conform_to_the_schema(role, role_headers):
    """The stateful phase: chains of operations linked by the ids they return."""
    headers = role_headers[role]

    class Machine(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, headers=headers)

    run_state_machine_as_test(Machine, settings=settings(max_examples=3, stateful_step_count=4, **HYPOTHESIS))
