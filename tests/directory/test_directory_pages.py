"""The directory in the app (funders, metrics, Lead Partners, collaborators): initiative admins
list, add, edit and delete them; a record that others name is kept and the page says what names it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accountability.models import Metric
from funding.models import Funder
from partners.models import LeadPartner, NationalCollaborator
from tests.factories import (
    DistrictFactory,
    FunderFactory,
    LeadPartnerFactory,
    MetricFactory,
    NationalCollaboratorFactory,
)

pytestmark = pytest.mark.django_db
NON_ADMINS = ["state_lead", "state_viewer", "commissioner", "lead_partner_staff", "collaborator"]
LISTS = [
    "funding:funder_list",
    "accountability:metric_list",
    "partners:lead_partner_list",
    "partners:collaborator_list",
]


def test_the_admin_reaches_the_directory_from_the_nav(client, world):
    client.force_login(world.admin)
    home = client.get(reverse("portfolio:portfolio")).content.decode()
    assert f'href="{reverse("portfolio:directory")}"' in home
    page = client.get(reverse("portfolio:directory")).content.decode()
    for name in LISTS:
        assert reverse(name) in page
        assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("role", NON_ADMINS)
def test_other_roles_have_no_directory(client, world, role):
    client.force_login(world.home.users[role])
    assert f'href="{reverse("portfolio:directory")}"' not in client.get("/").content.decode()
    assert client.get(reverse("portfolio:directory")).status_code == 403
    for name in LISTS:
        assert client.get(reverse(name)).status_code == 403
    funder = world.home.commitment.funder
    for action in ("edit", "delete"):
        url = reverse(f"funding:funder_{action}", kwargs={"funder_pk": funder.pk})
        assert client.post(url, {"name": "Renamed", "kind": funder.kind}).status_code == 403
    assert (
        client.post(reverse("funding:funder_create"), {"name": "Mine", "kind": "private_foundation"}).status_code == 403
    )
    assert not Funder.objects.filter(name__in=["Renamed", "Mine"]).exists()


def test_the_admin_adds_and_edits_a_funder_through_model_validation(client, world):
    client.force_login(world.admin)
    response = client.post(reverse("funding:funder_create"), {"name": "State funds", "kind": "state"})
    assert response.status_code == 400 and "State funds belong to one state" in response.content.decode()
    response = client.post(reverse("funding:funder_create"), {"name": "Gates", "kind": "private_foundation"})
    assert response.status_code == 302
    funder = Funder.objects.get(name="Gates")
    edit = reverse("funding:funder_edit", kwargs={"funder_pk": funder.pk})
    client.post(edit, {"name": "Gates Foundation", "kind": "private_foundation", "website": "https://gates.example"})
    assert Funder.objects.get(pk=funder.pk).name == "Gates Foundation"


def test_a_funder_nothing_names_is_deleted_after_confirming(client, world):
    funder = FunderFactory(name="Typo Fund")
    client.force_login(world.admin)
    url = reverse("funding:funder_delete", kwargs={"funder_pk": funder.pk})
    assert client.get(url).status_code == 200 and Funder.objects.filter(pk=funder.pk).exists()
    response = client.post(url, follow=True)
    assert "Deleted funder Typo Fund." in response.content.decode()
    assert not Funder.objects.filter(pk=funder.pk).exists()


def test_a_funder_commitments_name_is_kept_and_the_page_says_why(client, world):
    funder = world.home.commitment.funder
    client.force_login(world.admin)
    url = reverse("funding:funder_delete", kwargs={"funder_pk": funder.pk})
    page = client.get(url).content.decode()
    assert "1 commitment names this funder, so it cannot be deleted." in page
    assert 'class="button primary">Delete<' not in page
    response = client.post(url)
    assert response.status_code == 409 and "1 commitment names this funder" in response.content.decode()
    assert Funder.objects.filter(pk=funder.pk).exists()


def test_the_admin_adds_a_catalog_metric_and_cannot_delete_one_in_use(client, world):
    client.force_login(world.admin)
    data = {
        "code": "attendance",
        "name": "Attendance rate",
        "kind": "leading",
        "unit": "percent",
        "direction": "higher",
        "min_value": "0",
        "max_value": "100",
        "lowest_grade": "K",
        "highest_grade": "12",
    }
    response = client.post(reverse("accountability:metric_create"), data)
    assert response.status_code == 302, response.context["form"].errors
    assert Metric.objects.get(code="attendance").state is None
    used = Metric.objects.get(code="ela")
    response = client.post(reverse("accountability:metric_delete", kwargs={"metric_pk": used.pk}))
    assert response.status_code == 409
    assert "baselines" in response.content.decode() and "name this metric" in response.content.decode()


def test_a_state_lead_deletes_their_states_own_indicator_only(client, world):
    own = MetricFactory(code="co-own", state=world.home.state)
    theirs = MetricFactory(code="la-own", state=world.away.state)
    client.force_login(world.home.users["state_lead"])
    catalog = Metric.objects.get(code="ela")
    assert client.post(reverse("accountability:metric_delete", kwargs={"metric_pk": catalog.pk})).status_code == 403
    assert client.post(reverse("accountability:metric_delete", kwargs={"metric_pk": theirs.pk})).status_code == 404
    indicators = client.get(reverse("accountability:state_indicators", kwargs={"state_pk": world.home.state.pk}))
    assert reverse("accountability:metric_delete", kwargs={"metric_pk": own.pk}) in indicators.content.decode()
    response = client.post(reverse("accountability:metric_delete", kwargs={"metric_pk": own.pk}))
    assert response.status_code == 302 and not Metric.objects.filter(pk=own.pk).exists()
    assert Metric.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize(
    ("kind", "factory", "model", "data"),
    [
        ("lead_partner", LeadPartnerFactory, LeadPartner, {"name": "Blueprint", "kind": "independent"}),
        ("collaborator", NationalCollaboratorFactory, NationalCollaborator, {"name": "Policy Lab"}),
    ],
)
def test_the_admin_manages_partners(client, world, kind, factory, model, data):
    client.force_login(world.admin)
    response = client.post(reverse(f"partners:{kind}_create"), {**data, "provides_academic_services": "on"})
    assert response.status_code == 302
    created = model.objects.get(name=data["name"])
    assert created.name in client.get(reverse(f"partners:{kind}_list")).content.decode()
    response = client.post(reverse(f"partners:{kind}_delete", kwargs={f"{model._meta.model_name}_pk": created.pk}))
    assert response.status_code == 302 and not model.objects.filter(pk=created.pk).exists()


def test_a_lead_partner_that_runs_a_zone_is_kept(client, world):
    partner = world.home.zone.lead_partner
    client.force_login(world.admin)
    response = client.post(reverse("partners:lead_partner_delete", kwargs={"leadpartner_pk": partner.pk}))
    assert response.status_code == 409 and "1 zone names this lead partner" in response.content.decode()
    assert LeadPartner.objects.filter(pk=partner.pk).exists()


def test_a_lead_partner_without_a_service_is_refused_by_the_model(client, world):
    client.force_login(world.admin)
    response = client.post(reverse("partners:lead_partner_create"), {"name": "Nothing", "kind": "independent"})
    assert response.status_code == 400 and "at least one service" in response.content.decode()


def test_the_lead_partner_form_costs_the_same_queries_whatever_the_districts(client, world):
    """Its district choices name their state: read with them, not one query per district."""
    client.force_login(world.admin)
    url = reverse("partners:lead_partner_create")
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    DistrictFactory.create_batch(5)
    with CaptureQueriesContext(connection) as after:
        assert client.get(url).status_code == 200
    assert len(after) == len(before)
