"""A state's initiative fields (its identity, selection criteria and network status) are the
initiative's decisions: a state lead's PATCH that changes one is refused and changes nothing;
the rest of the state profile stays theirs."""

import pytest

from tests.factories import InitiativeFactory
from zones.models import State


@pytest.fixture
def assessed(world):
    """The state with its three selection criteria met, so every status is a valid choice."""
    State.objects.filter(pk=world.state.pk).update(
        framework_commitment="met", resource_commitment="met", leadership_alignment="met"
    )
    world.state.refresh_from_db()
    return world.state


def changed_values(state) -> dict:
    """A valid new value for every initiative field."""
    return {
        "initiative": InitiativeFactory(name="Another initiative").pk,
        "name": "Colorado Springs",
        "postal_code": "ZY" if state.postal_code == "ZQ" else "ZQ",
        "fips_code": "97" if state.fips_code == "98" else "98",  # factories' codes may reach these
        "network_status": "active",
        "framework_commitment": "partial",
        "framework_commitment_evidence": "Rewritten by the state",
        "resource_commitment": "partial",
        "resource_commitment_evidence": "Rewritten by the state",
        "leadership_alignment": "partial",
        "leadership_alignment_evidence": "Rewritten by the state",
    }


def stored(state) -> dict:
    return State.objects.filter(pk=state.pk).values(*State.INITIATIVE_FIELDS).get()


def test_every_initiative_field_has_a_changed_value_here(assessed):
    assert {name.removesuffix("_id") for name in changed_values(assessed)} == set(State.INITIATIVE_FIELDS)


@pytest.mark.parametrize("field", State.INITIATIVE_FIELDS)
def test_state_lead_cannot_change_an_initiative_field(clients, assessed, field):
    before = stored(assessed)
    value = changed_values(assessed)[field]

    response = clients["state_lead"].patch(f"/api/v1/states/{assessed.pk}/", {field: value}, format="json")

    assert response.status_code == 403, response.content
    assert field in response.json()["detail"]
    assert stored(assessed) == before


def test_state_lead_changes_the_rest_of_the_profile_and_may_resend_unchanged_initiative_fields(clients, assessed):
    body = {
        "commissioner_name": "Robert Hammond",
        "policy_environment_notes": "New turnaround law passed.",
        "planned_launch_school_year": "2011-12",
        "name": assessed.name,
        "network_status": assessed.network_status,
        "postal_code": assessed.postal_code,
        "leadership_alignment": assessed.leadership_alignment,
    }

    response = clients["state_lead"].patch(f"/api/v1/states/{assessed.pk}/", body, format="json")

    assert response.status_code == 200, response.content
    assessed.refresh_from_db()
    assert assessed.commissioner_name == "Robert Hammond"
    assert assessed.planned_launch_school_year == "2011-12"


def test_initiative_admin_changes_the_initiative_fields(clients, assessed):
    body = {name: value for name, value in changed_values(assessed).items() if name != "initiative"}
    body["network_status"] = "withdrawn"  # criteria become partial: a selected state needs them assessed

    response = clients["admin"].patch(f"/api/v1/states/{assessed.pk}/", body, format="json")

    assert response.status_code == 200, response.content
    assessed.refresh_from_db()
    assert (assessed.name, assessed.postal_code, assessed.fips_code) == ("Colorado Springs", "ZQ", "98")
    assert (assessed.network_status, assessed.framework_commitment) == ("withdrawn", "partial")
