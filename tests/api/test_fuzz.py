"""Property-based fuzzing of the whole API with schemathesis, against the project's own schema, for
three roles (a state lead, a Lead Partner's staff, a state viewer): the checks the schemathesis CLI
runs, on every operation and in the stateful phase (sequences that follow the inferred links, e.g.
create → read → change → delete), at a small budget.

Checks: every response check of the CLI except ``positive_data_acceptance`` (schema-valid data is
not always acceptable here: a school id that exists but is another tenant's is a 404 by design, a
date after today a 400) — and ``response_schema_conformance`` is skipped for a response to ``?fields=``,
which the schema documents as returning a subset of the required fields."""

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
from tests.api.conftest import member
from tests.factories import BaselineFactory, CommitmentFactory, MeasurementFactory, StatusUpdateFactory


@schemathesis.check
def response_schema_conformance_unless_fields(ctx, response, case):
    """``response_schema_conformance``, except for ``?fields=`` (documented: a subset of the fields)."""
    if "fields" in (case.query or {}):
        return None
    return schemathesis.checks.response_schema_conformance(ctx, response, case)


CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    response_schema_conformance_unless_fields,
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
}
HYPOTHESIS = {"deadline": None, "database": None, "suppress_health_check": list(HealthCheck)}

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
# Random fuzzing and the stateful phase: the exhaustive "coverage" phase sends hundreds of requests per operation.
schema.config.phases.coverage.enabled = False


@pytest.fixture
def keep_test_connection():
    """Calling the WSGI app directly would close the database connection (and the test's
    transaction) at the end of each request; Django's test client prevents this the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=list(ROLES))
def role_headers(request, world, keep_test_connection):
    """A role's token over a state with a launched zone, records to find, and ids 1..n in use."""
    school = world.schools[0]
    BaselineFactory(school=school, metric=world.metric)
    MeasurementFactory(school=school, metric=world.metric)
    StatusUpdateFactory(school=school)
    CommitmentFactory(state=world.state)
    _token, key = issue_token(ROLES[request.param](world), "fuzz")
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=2, **HYPOTHESIS)
def test_api_conforms_to_its_schema(case, role_headers):
    case.call_and_validate(app=application, headers=role_headers, checks=CHECKS)


@pytest.mark.django_db
def test_sequences_of_calls_conform_to_the_schema(role_headers):
    """The stateful phase: chains of operations linked by the ids they return."""

    class Machine(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"app": application, "headers": role_headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, headers=role_headers)

    run_state_machine_as_test(Machine, settings=settings(max_examples=4, stateful_step_count=4, **HYPOTHESIS))
