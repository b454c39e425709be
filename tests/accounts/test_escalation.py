"""Issue 11, finding 1: a state lead cannot reach another state through any sequence of zone,
Lead Partner and invitation actions, and Lead Partner reach follows the current zones.

The chain: Arcadia's (tenant A's) lead plans a zone in Arcadia led by Borealis' (tenant B's) Lead
Partner, invites their own address as that partner's staff, and accepts. The membership is bound to
Arcadia, so it reaches the partner's work in Arcadia only, and only while the partner leads a zone
there."""

import json
import re

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from accountability.models import Measurement, StatusUpdate
from accounts.models import Invitation, Membership, Role, User
from accounts.scoping import scope_for_memberships
from accounts.tokens import issue_token
from core.tenancy import Scope
from reports.models import ReportRun
from schools.models import School
from tests.factories import ImportBatchFactory, LaunchedZoneFactory
from zones.models import Zone

from .test_invitations import invite
from .test_isolation_matrix import check_every_url

STATUS_UPDATE = {"reported_on": "2011-01-15", "rating": "on_track", "narrative": "Taken over."}
MEASUREMENT = {"school_year": "2010-11", "period": 2, "value": "99.00", "source": "Taken over"}


def accept_link_sent_to(email):
    message = next(message for message in reversed(mail.outbox) if message.to == [email])
    return re.search(r"http://testserver(/invitations/accept/\S+/)", message.body).group(1)


@pytest.fixture
def shared_partner_invitation(client, world):
    """Borealis' lead invites staff of their own Lead Partner (the partner the chain will borrow)."""
    client.force_login(User.objects.get(email="lead-b@example.org"))
    response = invite(
        client, email="b-staff@example.org", role="lead_partner_staff", lead_partner=world.b.lead_partner.pk
    )
    assert response.status_code == 302, response.context["form"].errors
    client.logout()
    return Invitation.objects.get(email="b-staff@example.org")


@pytest.fixture
def decoy(client, world, shared_partner_invitation):
    """Run the chain as Arcadia's lead; return the decoy zone (the lead stays signed in)."""
    lead = world.users["state_lead"]
    client.force_login(lead)
    body = {
        "state": world.a.state.pk,
        "districts": [world.a.district.pk],
        "name": "Decoy Zone",
        "lead_partner": world.b.lead_partner.pk,
    }
    response = client.post("/api/v1/zones/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    zone = Zone.objects.get(pk=response.json()["id"])
    response = invite(client, email=lead.email, role="lead_partner_staff", lead_partner=world.b.lead_partner.pk)
    assert response.status_code == 302, response.context["form"].errors
    assert client.post(accept_link_sent_to(lead.email)).status_code == 302
    assert lead.memberships.filter(role=Role.LEAD_PARTNER_STAFF, lead_partner=world.b.lead_partner).exists()
    return zone


@pytest.fixture
def partner_token_client(world, decoy):
    """An API client acting with the borrowed partner membership alone (a token carries one)."""
    membership = world.users["state_lead"].memberships.get(role=Role.LEAD_PARTNER_STAFF)
    _token, key = issue_token(membership, "borrowed")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return api


def test_the_borrowed_membership_is_bound_to_the_inviters_state(world, decoy):
    membership = world.users["state_lead"].memberships.get(role=Role.LEAD_PARTNER_STAFF)
    assert (membership.lead_partner, membership.state) == (world.b.lead_partner, world.a.state)
    assert membership.scope_label() == f"{world.b.lead_partner} in {world.a.state}"


def test_after_the_chain_nothing_of_the_other_state_is_readable(client, world, decoy, partner_token_client):
    b = world.b
    for api in (client, partner_token_client):
        for url in (
            f"/api/v1/schools/{b.school.pk}/",
            f"/api/v1/measurements/{b.measurement.pk}/",
            f"/api/v1/status-updates/{b.status_update.pk}/",
            f"/api/v1/zones/{b.zone.pk}/",
            f"/api/v1/report-runs/{b.report_run.pk}/",
        ):
            assert api.get(url).status_code == 404, url
        listed = api.get("/api/v1/status-updates/").json()["results"]
        assert b.status_update.pk not in {row["id"] for row in listed}
    for url in (
        reverse("portfolio:school_detail", kwargs={"school_pk": b.school.pk}),
        reverse("portfolio:zone_detail", kwargs={"zone_pk": b.zone.pk}),
        reverse("reports:zone", kwargs={"zone_pk": b.zone.pk}),
        reverse("reports:run_detail", kwargs={"reportrun_pk": b.report_run.pk}),
    ):
        assert client.get(url).status_code == 404, url
    assert b.marker not in client.get(reverse("accountability:workspace")).content.decode()


def test_after_the_chain_nothing_of_the_other_state_is_writable(client, world, decoy, partner_token_client):
    b = world.b
    counts = (StatusUpdate.objects.count(), Measurement.objects.count(), ReportRun.objects.count())
    bodies = {
        "/api/v1/status-updates/": {**STATUS_UPDATE, "school": b.school.pk},
        "/api/v1/measurements/": {**MEASUREMENT, "school": b.school.pk, "metric": b.metric.pk},
        "/api/v1/report-runs/": {"kind": "zone_progress", "zone": b.zone.pk, "period": "2010-12"},
    }
    for api in (client, partner_token_client):  # the session's browser client and the token's API client
        update, measurement, report = (
            api.post(url, json.dumps(body), content_type="application/json") for url, body in bodies.items()
        )
        for response in (update, measurement, report):
            assert response.status_code in (400, 403, 404), response.content
    page = client.post(reverse("accountability:post_status_update"), {**STATUS_UPDATE, "school": b.school.pk})
    assert page.status_code in (400, 403, 404)
    assert (StatusUpdate.objects.count(), Measurement.objects.count(), ReportRun.objects.count()) == counts


def test_after_the_chain_the_other_states_invitations_stay_hidden(client, world, shared_partner_invitation, decoy):
    body = client.get(reverse("accounts:invitation_list")).content.decode()
    assert shared_partner_invitation.email not in body
    assert shared_partner_invitation not in Invitation.objects.visible_to(world.users["state_lead"])
    assert shared_partner_invitation.state == world.b.state  # bound to the state of the lead who sent it


def test_every_url_after_the_chain(client, world, decoy):
    """The isolation matrix, as the state lead holding the borrowed membership too."""
    client.logout()
    check_every_url(client, world, "state_lead")


@pytest.fixture
def own_state_reach(world, decoy, partner_token_client):
    """What the borrowed membership reaches in Arcadia while the decoy zone stands: the state's
    district (through the zone) and an import the partner's staff made there."""
    batch = ImportBatchFactory(state=world.a.state, lead_partner=world.b.lead_partner)
    urls = [f"/api/v1/districts/{world.a.district.pk}/", f"/api/v1/imports/{batch.pk}/"]
    assert [partner_token_client.get(url).status_code for url in urls] == [200, 200]
    return urls


def test_deleting_the_decoy_zone_removes_the_access(client, world, decoy, partner_token_client, own_state_reach):
    assert client.delete(f"/api/v1/zones/{decoy.pk}/").status_code == 204
    assert [partner_token_client.get(url).status_code for url in own_state_reach] == [404, 404]
    membership = world.users["state_lead"].memberships.get(role=Role.LEAD_PARTNER_STAFF)
    assert scope_for_memberships([membership]) == Scope()


def test_changing_the_decoy_zones_lead_partner_removes_the_access(
    client, world, decoy, partner_token_client, own_state_reach
):
    body = {"lead_partner": world.a.lead_partner.pk}
    assert client.patch(f"/api/v1/zones/{decoy.pk}/", body, content_type="application/json").status_code == 200
    assert [partner_token_client.get(url).status_code for url in own_state_reach] == [404, 404]


class TestBoundMemberships:
    """The rules behind the chain, one at a time."""

    def test_a_state_lead_cannot_bind_partner_staff_to_another_state(self, client, world):
        client.force_login(world.users["state_lead"])
        fields = {"role": "lead_partner_staff", "lead_partner": world.b.lead_partner.pk, "state": world.b.state.pk}
        response = invite(client, **fields)
        assert response.status_code == 200 and "state" in response.context["form"].errors
        assert not Invitation.objects.filter(email="invitee@example.org").exists()

    def test_a_lead_of_two_states_chooses_the_partners_state(self, client, world):
        lead = world.users["state_lead"]
        Membership.objects.create(user=lead, role=Role.STATE_LEAD, state=world.b.state)
        LaunchedZoneFactory(state=world.b.state, lead_partner=world.a.lead_partner)
        client.force_login(lead)
        response = invite(client, role="lead_partner_staff", lead_partner=world.a.lead_partner.pk)
        assert "Choose the state" in str(response.context["form"].errors["state"])
        response = invite(
            client, role="lead_partner_staff", lead_partner=world.a.lead_partner.pk, state=world.b.state.pk
        )
        assert response.status_code == 302
        assert Invitation.objects.get(email="invitee@example.org").state == world.b.state

    def test_an_admin_grants_a_partners_staff_every_state(self, client, world):
        client.force_login(world.users["initiative_admin"])
        assert invite(client, role="lead_partner_staff", lead_partner=world.b.lead_partner.pk).status_code == 302
        assert Invitation.objects.get(email="invitee@example.org").state is None

    def test_a_bound_membership_reaches_its_partners_schools_in_its_state_only(self, world):
        shared = world.b.lead_partner
        LaunchedZoneFactory(state=world.a.state, lead_partner=shared)
        bound = Membership(role=Role.LEAD_PARTNER_STAFF, lead_partner=shared, state=world.a.state)
        scope = scope_for_memberships([bound])
        in_a = set(School.objects.filter(zone__lead_partner=shared, district__state=world.a.state))
        assert set(School.objects.visible_to(scope)) == in_a and in_a
        assert scope.reaches_partner_in(shared.pk, world.a.state.pk)
        assert not scope.reaches_partner_in(shared.pk, world.b.state.pk)
        everywhere = scope_for_memberships([Membership(role=Role.LEAD_PARTNER_STAFF, lead_partner=shared)])
        assert School.objects.visible_to(everywhere).filter(pk=world.b.school.pk).exists()


def test_a_staff_state_lead_sees_only_their_states_invitations_in_the_admin(client, world, shared_partner_invitation):
    lead = world.users["state_lead"]
    lead.is_staff = True
    lead.save()
    client.force_login(lead)
    body = client.get(reverse("admin:accounts_invitation_changelist")).content.decode()
    assert "newcomer@example.org" in body and shared_partner_invitation.email not in body
    change = client.get(reverse("admin:accounts_invitation_change", args=[shared_partner_invitation.pk]))
    assert change.status_code in (302, 404) and shared_partner_invitation.email not in change.content.decode()
