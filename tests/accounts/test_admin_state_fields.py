"""In the Django admin a state's initiative fields are read-only for staff who are not initiative
admins: the change form does not offer them and a tampered POST cannot change them."""

from django.urls import reverse

from accounts.models import Role
from zones.models import State


def state_url(state):
    return reverse("admin:zones_state_change", args=[state.pk])


def profile_data(state, **changes):
    """The state profile fields a state lead may change, as the change form posts them."""
    data = {
        "commissioner_name": state.commissioner_name,
        "commissioner_email": state.commissioner_email,
        "planned_launch_school_year": state.planned_launch_school_year,
        "policy_environment_notes": state.policy_environment_notes,
        **{name: getattr(state, name) for name in State.ACCOUNTABILITY_FIELDS},
    }
    return {**data, **changes}


def staff_lead(client, world):
    lead = world.users[Role.STATE_LEAD]
    lead.is_staff = True
    lead.save()
    client.force_login(lead)
    return lead


def test_a_staff_state_lead_sees_the_initiative_fields_read_only(client, world):
    staff_lead(client, world)
    state = world.a.state

    form = client.get(state_url(state)).context["adminform"].form
    assert not set(State.INITIATIVE_FIELDS) & set(form.fields)
    assert "commissioner_name" in form.fields

    tampered = {
        "initiative": state.initiative_id,
        "name": "Arcadia\n}}*{background:url(http://127.0.0.1:9111/x)}",
        "postal_code": "ZQ",
        "fips_code": "98",
        "network_status": "active",
        "framework_commitment": "met",
        "resource_commitment": "met",
        "leadership_alignment": "met",
        "framework_commitment_evidence": "Forged",
    }
    response = client.post(state_url(state), profile_data(state, commissioner_name="New Commissioner", **tampered))

    assert response.status_code == 302
    state.refresh_from_db()
    assert state.commissioner_name == "New Commissioner"
    assert (state.name, state.postal_code, state.fips_code) == ("Arcadia State", "AR", "05")
    assert (state.network_status, state.framework_commitment, state.framework_commitment_evidence) == (
        "network_member",
        "not_assessed",
        "",
    )


def test_a_superuser_changes_the_initiative_fields_in_the_admin(admin_client, world):
    state = world.a.state
    form = admin_client.get(state_url(state)).context["adminform"].form
    assert set(State.INITIATIVE_FIELDS) <= set(form.fields)

    data = {
        **profile_data(state),
        "initiative": state.initiative_id,
        "name": "Arcadia Commonwealth",
        "postal_code": "AR",
        "fips_code": "05",
        "network_status": "withdrawn",
        "framework_commitment": "met",
        "resource_commitment": "partial",
        "leadership_alignment": "met",
    }
    response = admin_client.post(state_url(state), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    state.refresh_from_db()
    assert (state.name, state.network_status) == ("Arcadia Commonwealth", "withdrawn")
    assert state.resource_commitment == "partial"


def test_a_staff_state_lead_cannot_revert_the_initiative_fields_to_an_older_version(client, world):
    state = world.a.state
    first_version = state.history.earliest()
    state.name, state.network_status = "Arcadia Commonwealth", "withdrawn"
    state.save()  # the initiative renamed the state and withdrew it
    staff_lead(client, world)

    url = reverse("admin:zones_state_simple_history", args=[state.pk, first_version.history_id])
    response = client.post(url, profile_data(state, commissioner_name="New Commissioner"))

    assert response.status_code == 403
    state.refresh_from_db()
    assert (state.name, state.network_status, state.commissioner_name) == (
        "Arcadia Commonwealth",
        "withdrawn",
        world.a.state.commissioner_name,
    )
