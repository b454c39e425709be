"""A funder's kind fixes public vs private, and state funds stay in their state: on the page, in
the API and in the model (the admin's validation), because the rule lives in funding.models."""

from importlib import import_module

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.tokens import issue_token
from funding.forms import CommitmentForm
from funding.models import Commitment, Funder
from tests.factories import CommitmentFactory, FunderFactory, MembershipFactory, StateFactory, UserFactory
from tests.problems import field_errors
from tests.worlds import make_tenant, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant():
    return make_tenant("Colorado")


@pytest.fixture
def funders(tenant):
    delaware = StateFactory(name="Delaware", initiative=tenant.state.initiative)
    return {
        "gates": FunderFactory(name="Bill & Melinda Gates Foundation", kind=Funder.Kind.PRIVATE_FOUNDATION),
        "sig": FunderFactory(name="School Improvement Grants", kind=Funder.Kind.FEDERAL_FORMULA),
        "colorado": FunderFactory(name="Colorado state funds", kind=Funder.Kind.STATE, state=tenant.state),
        "delaware": FunderFactory(name="Delaware state funds", kind=Funder.Kind.STATE, state=delaware),
    }


def refused(obj) -> dict:
    """The messages by field of full_clean() refusing ``obj``."""
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


def commitment_data(tenant, funder, **changes):
    return {
        "funder": funder.pk,
        "recipient_level": "state",
        "amount": "250000",
        "status": "pledged",
        "pledged_on": "2011-01-10",
        "period_start": "2011-07-01",
        "period_end": "2013-06-30",
        **changes,
    }


def api_client(user_role, tenant) -> APIClient:
    membership = MembershipFactory(user=UserFactory(), role=user_role, state=tenant.state)
    _token, key = issue_token(membership, "truth rules")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def api_data(tenant, funder, **changes):
    data = commitment_data(tenant, funder, **changes)
    return {**data, "initiative": tenant.state.initiative_id, "state": tenant.state.pk}


# --- public or private follows the funder's kind ----------------------------------------------


def test_source_is_the_funders_whatever_was_stored():
    assert CommitmentFactory(funder=FunderFactory(kind=Funder.Kind.PRIVATE_FOUNDATION)).source == "private"
    assert CommitmentFactory(funder=FunderFactory(kind=Funder.Kind.FEDERAL_FORMULA)).source == "public"
    state_funds = FunderFactory(kind=Funder.Kind.STATE, state=StateFactory())
    assert CommitmentFactory(funder=state_funds, state=state_funds.state, source="private").source == "public"


def test_page_saves_a_foundation_commitment_as_private_even_if_public_is_posted(tenant, funders, client):
    client.force_login(member(Role.STATE_LEAD, tenant))
    url = reverse("funding:commitment_create", kwargs={"state_pk": tenant.state.pk})
    response = client.post(url, commitment_data(tenant, funders["gates"], source="public"))
    assert response.status_code == 302
    assert Commitment.objects.get(funder=funders["gates"]).source == "private"
    assert "source" not in client.get(url).context["form"].fields


def test_api_refuses_a_source_that_contradicts_the_funder(tenant, funders):
    client = api_client(Role.STATE_LEAD, tenant)
    response = client.post("/api/v1/commitments/", api_data(tenant, funders["gates"], source="public"), format="json")
    assert response.status_code == 400
    assert field_errors(response)["source"] == [
        "Bill & Melinda Gates Foundation is a private foundation: its money is private, not public."
    ]
    response = client.post("/api/v1/commitments/", api_data(tenant, funders["sig"], source="private"), format="json")
    assert response.status_code == 400
    assert "public funder" in field_errors(response)["source"][0]
    assert not Commitment.objects.filter(funder__in=[funders["gates"], funders["sig"]]).exists()


def test_api_derives_the_source_when_left_out_or_agreeing(tenant, funders):
    client = api_client(Role.STATE_LEAD, tenant)
    response = client.post("/api/v1/commitments/", api_data(tenant, funders["gates"]), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["source"] == "private"
    pk = response.json()["id"]
    response = client.patch(f"/api/v1/commitments/{pk}/", {"funder": funders["sig"].pk}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["source"] == "public"
    agreeing = api_data(tenant, funders["sig"], source="public")
    assert client.post("/api/v1/commitments/", agreeing, format="json").status_code == 201


def test_a_funders_new_kind_changes_its_commitments_source(tenant):
    commitment = CommitmentFactory(funder=FunderFactory(kind=Funder.Kind.PRIVATE_FOUNDATION), state=tenant.state)
    funder = commitment.funder
    funder.kind = Funder.Kind.FEDERAL_COMPETITIVE
    funder.save()
    commitment.refresh_from_db()
    assert commitment.source == "public"


# --- state funds belong to their state --------------------------------------------------------


def test_state_funds_name_their_state_and_only_state_money_does():
    assert "choose it" in refused(FunderFactory.build(name="Nowhere state funds", kind=Funder.Kind.STATE))["state"][0]
    federal = FunderFactory.build(name="Federal", kind=Funder.Kind.FEDERAL_FORMULA, state=StateFactory())
    assert "leave the state empty" in refused(federal)["state"][0]
    FunderFactory.build(name="Denver funds", kind=Funder.Kind.DISTRICT, state=StateFactory()).full_clean()


def test_another_states_funds_cannot_be_committed(tenant, funders):
    commitment = CommitmentFactory.build(funder=funders["delaware"], state=tenant.state)
    assert refused(commitment) == {
        "funder": [
            "Delaware state funds are Delaware's own money: commit them to Delaware or its zones, not to Colorado."
        ]
    }
    national = CommitmentFactory.build(
        funder=funders["delaware"],
        state=None,
        initiative=tenant.state.initiative,
        recipient_level=Commitment.RecipientLevel.INITIATIVE,
    )
    assert "not to the whole initiative" in refused(national)["funder"][0]
    CommitmentFactory.build(funder=funders["colorado"], state=tenant.state).full_clean()


def test_the_page_offers_national_private_and_own_state_funds_only(tenant, funders, client):
    user = member(Role.STATE_LEAD, tenant)
    form = CommitmentForm(instance=Commitment(state=tenant.state), user=user, state=tenant.state)
    offered = set(form.fields["funder"].queryset)
    assert {funders["gates"], funders["sig"], funders["colorado"]} <= offered
    assert funders["delaware"] not in offered
    client.force_login(user)
    url = reverse("funding:commitment_create", kwargs={"state_pk": tenant.state.pk})
    response = client.post(url, commitment_data(tenant, funders["delaware"]))
    assert response.status_code == 400
    assert "funder" in response.context["form"].errors
    assert not Commitment.objects.filter(funder=funders["delaware"]).exists()


def test_api_refuses_another_states_funds_and_lists_the_funders_a_state_may_use(tenant, funders):
    client = api_client(Role.STATE_LEAD, tenant)
    response = client.post("/api/v1/commitments/", api_data(tenant, funders["delaware"]), format="json")
    assert response.status_code == 400
    assert "Delaware's own money" in field_errors(response)["funder"][0]
    listed = client.get("/api/v1/funders/", {"may_fund": tenant.state.pk, "page_size": 100}).json()["results"]
    names = {funder["name"] for funder in listed}
    assert names >= {"Bill & Melinda Gates Foundation", "School Improvement Grants", "Colorado state funds"}
    assert "Delaware state funds" not in names
    assert {funder["state"] for funder in listed if funder["name"] == "Colorado state funds"} == {tenant.state.pk}


def test_migration_links_state_funds_by_name_and_corrects_sources(tenant):
    migration = import_module("funding.migrations.0004_funder_state_and_derived_source")
    funds = FunderFactory(name="Colorado state funds", kind=Funder.Kind.STATE)
    unknown = FunderFactory(name="Atlantis state funds", kind=Funder.Kind.STATE)
    gates = FunderFactory(name="Gates", kind=Funder.Kind.PRIVATE_FOUNDATION)
    saved_public = CommitmentFactory(funder=gates, state=tenant.state)
    Commitment.objects.filter(pk=saved_public.pk).update(source="public")  # as the old form allowed
    migration.link_state_funds_and_derive_sources(apps, None)
    funds.refresh_from_db()
    unknown.refresh_from_db()
    saved_public.refresh_from_db()
    assert (funds.state, unknown.state, saved_public.source) == (tenant.state, None, "private")
