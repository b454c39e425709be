"""The fail-closed tenant wall (accounts.scoping, django-scopes): a tenant-model query outside an
explicit scope raises, and inside a user's scope no other state's rows exist, so a forgotten
``visible_to`` cannot leak. Test bodies run with scopes disabled (tests/conftest.py); an empty
``contextvars.Context`` is "outside any scope", as a fresh thread or process is."""

import contextvars
from io import StringIO

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django_scopes import ScopeError
from rest_framework.test import APIClient

from accountability.models import StatusUpdate
from accounts.models import Membership, Role
from accounts.tokens import issue_token
from config.api_urls import router
from core.tenancy import TenantManager, TenantModel, reach_scope
from funding.models import Commitment
from reports.models import ReportRun
from reports.services import progress_report
from reports.tasks import generate_report
from schools.models import School
from tests.factories import LaunchedZoneFactory, StatusUpdateFactory
from web.rest import ScopedQuerysetMixin

from . import wall_urls  # noqa: F401  (imported outside any scope, as the middleware imports views)
from .conftest import ROLES, make_member

TENANT_MODELS = [model for model in apps.get_models() if hasattr(model, "TenantScope")]


def outside_any_scope(function, *args):
    return contextvars.Context().run(function, *args)


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda model: model.__name__)
def test_every_tenant_model_refuses_queries_outside_a_scope(model):
    assert issubclass(model, TenantModel) and isinstance(model._default_manager, TenantManager)
    for query in (
        lambda: list(model.objects.all()),
        lambda: model.objects.filter(pk=1).first(),
        lambda: model.objects.count(),
        lambda: model.objects.exists(),
        lambda: list(model.objects.visible_to(None)),
        lambda: list(School.objects.filter(pk__in=model.objects.values("pk"))),
    ):
        with pytest.raises(ScopeError):
            outside_any_scope(query)


@pytest.mark.django_db
@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda model: model.__name__)
@pytest.mark.parametrize("role", ROLES)
def test_no_other_state_rows_exist_in_a_users_scope(world, role, model):
    """Every role of the world holds over state A only: state B's rows are not there at all, even
    for a query that forgets ``visible_to`` (the initiative admin's scope is every state)."""
    path = model.TenantScope.state
    rows_of = {
        tenant: set(model._base_manager.filter(**{path: getattr(world, tenant).state.pk}).values_list("pk", flat=True))
        for tenant in ("a", "b")
    }
    assert rows_of["a"] and rows_of["b"]
    with reach_scope(world.users[role]):
        seen = set(model.objects.values_list("pk", flat=True))
    if role == Role.INITIATIVE_ADMIN:
        assert rows_of["a"] | rows_of["b"] <= seen
    else:
        assert not seen & rows_of["b"]


@pytest.mark.urls("tests.accounts.wall_urls")
def test_a_page_that_forgets_visible_to_still_cannot_read_another_state(client, world):
    client.force_login(world.users[Role.STATE_VIEWER])
    assert client.get(f"/walled/{world.a.school.pk}/").status_code == 200
    assert client.get(f"/walled/{world.b.school.pk}/").status_code == 404


@pytest.fixture
def shared_state(world):
    """State A also has a zone led by tenant B's Lead Partner, with a status update."""
    zone = LaunchedZoneFactory(state=world.a.state, lead_partner=world.b.lead_partner, name="Shared Zone")
    StatusUpdateFactory(school=zone.schools.first(), narrative="Northwind narrative in Arcadia")
    return zone


def rows_of(zone_filter):
    return {
        "schools": sorted(School.objects.filter(**zone_filter).values_list("pk", flat=True)),
        "status_updates": sorted(
            StatusUpdate.objects.filter(**{f"school__{k}": v for k, v in zone_filter.items()}).values_list(
                "pk", flat=True
            )
        ),
    }


@pytest.mark.urls("tests.accounts.wall_urls")
def test_a_page_that_forgets_visible_to_shows_lead_partner_staff_only_their_partners_rows(client, world, shared_state):
    """In a state where another Lead Partner also leads a zone, a page that forgets
    ``visible_to`` still shows partner A's staff only partner A's schools and updates."""
    client.force_login(world.users[Role.LEAD_PARTNER_STAFF])
    assert client.get("/walled/rows/").json() == rows_of({"zone__lead_partner": world.a.lead_partner})
    assert client.get(f"/walled/{shared_state.schools.first().pk}/").status_code == 404
    assert client.get(f"/walled/{world.a.school.pk}/").status_code == 200


@pytest.mark.urls("tests.accounts.wall_urls")
def test_a_page_that_forgets_visible_to_shows_a_collaborator_no_narratives(client, world, shared_state):
    client.force_login(world.users[Role.COLLABORATOR])
    rows = client.get("/walled/rows/").json()
    assert rows["schools"] == rows_of({"district__state": world.a.state})["schools"]
    assert rows["status_updates"] == []


@pytest.mark.urls("tests.accounts.wall_urls")
def test_a_lead_partner_token_reads_only_its_partners_rows(world, shared_state):
    """API token requests get the same fine wall as pages."""
    _token, key = issue_token(world.users[Role.LEAD_PARTNER_STAFF].memberships.get(), "partner")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    names = School.objects.filter(zone__lead_partner=world.a.lead_partner).values_list("name", flat=True)
    assert api.get("/walled-api/").json() == sorted(names)


@pytest.mark.urls("tests.accounts.wall_urls")
def test_an_api_token_request_runs_in_the_tokens_scope(world):
    """The token is authenticated inside the view: the view enters the token's scope (state A),
    not the session's (none) nor the holder's wider reach (A and B)."""

    user = world.users[Role.STATE_VIEWER]
    Membership.objects.create(user=user, role=Role.STATE_VIEWER, state=world.b.state)
    _token, key = issue_token(user.memberships.get(state=world.a.state), "one state")
    schools_of = {
        tenant: sorted(School.objects.filter(district__state=state).values_list("name", flat=True))
        for tenant, state in (("a", world.a.state), ("b", world.b.state))
    }

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/walled-api/").json() == schools_of["a"]
    session = APIClient()
    session.force_login(user)
    assert session.get("/walled-api/").json() == sorted(schools_of["a"] + schools_of["b"])


def test_every_api_viewset_enters_its_users_scope():
    assert all(issubclass(viewset, ScopedQuerysetMixin) for _prefix, viewset, _name in router.registry)


def test_uniqueness_is_checked_against_every_state(world):
    """Inside state A's scope, another state's NCES id is still a validation error (not a 500)."""
    school = School(district=world.a.district, name="Copy", nces_id=world.b.school.nces_id)
    with reach_scope(world.users[Role.STATE_LEAD]), pytest.raises(ValidationError, match="already exists"):
        school.validate_unique()


def test_the_report_task_enters_its_runs_scope_outside_any_request(world):
    run = ReportRun.objects.create(kind=ReportRun.Kind.STATE_PROGRESS, state=world.b.state, period="2010-12")
    outside_any_scope(generate_report.apply, (run.pk,))
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error
    content = run.file.read()
    assert world.b.school.name.encode() in content and world.a.school.name.encode() not in content


def test_a_collaborator_token_reaches_its_engaged_states(world):
    """Computing a token's reach reads engagements outside the wall (inside the anonymous scope the
    middleware entered, it would find none)."""
    collaborator = make_member("c2@example.org", Role.COLLABORATOR, collaborator=world.a.collaborator)

    _token, key = issue_token(collaborator.memberships.get(), "collaborator")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    names = [row["name"] for row in api.get("/api/v1/schools/").json()["results"]]
    assert world.a.school.name in names and world.b.school.name not in names


@pytest.mark.django_db
def test_management_commands_turn_the_wall_off_explicitly():
    """seed_demo builds every state's data; run outside any scope (as from a shell) it still works."""
    outside_any_scope(lambda: call_command("seed_demo", stdout=StringIO()))
    assert School.objects.exists()


def test_a_report_page_reads_like_its_pdf_whoever_may_request_it(client, world):
    """A live report is the state's, not one viewer's rows: Lead Partner staff see their zone's
    spending on its report page (as in the PDF), though the money is not theirs to browse."""
    commitment = world.a.commitment  # the zone's own money (zone-level), which its staff may not browse
    commitment.recipient_level, commitment.zone = Commitment.RecipientLevel.ZONE, world.a.zone
    commitment.full_clean()
    commitment.save()
    client.force_login(world.users[Role.LEAD_PARTNER_STAFF])
    response = client.get(reverse("reports:zone", kwargs={"zone_pk": world.a.zone.pk}))
    assert response.status_code == 200
    expected = progress_report(zone=world.a.zone).funding
    assert expected.by_funder, "the zone's report shows money the staff may not browse"
    assert response.context["report"].funding.totals == expected.totals
    assert response.context["report"].funding.by_funder == expected.by_funder
