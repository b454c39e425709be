"""Joining by invitation: who may invite whom, the emailed single-use expiring link, accepting it
as a newcomer or as an existing user."""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Membership, Role, User
from tests.factories import LaunchedZoneFactory

from .conftest import PASSWORD

NEW = reverse("accounts:invitation_create")


def invite(client, **fields):
    return client.post(NEW, {"email": "invitee@example.org", **fields})


def emailed_link():
    assert len(mail.outbox) == 1
    return re.search(r"http://testserver(/invitations/accept/\S+/)", mail.outbox[0].body).group(1)


class TestWhoMayInvite:
    @pytest.mark.parametrize("role", ["state_lead", "state_viewer", "commissioner", "initiative_admin"])
    def test_an_admin_invites_any_role(self, client, world, role):
        client.force_login(world.users["initiative_admin"])
        response = invite(client, role=role, state=world.b.state.pk if role != "initiative_admin" else "")
        assert response.status_code == 302, response.context["form"].errors
        invitation = Invitation.objects.get(email="invitee@example.org")
        assert invitation.role == role and invitation.invited_by == world.users["initiative_admin"]
        assert invitation.expires_at - timezone.now() > datetime.timedelta(days=6)
        assert emailed_link().split("/")[-2] not in invitation.token_hash  # only the hash is stored

    def test_an_admin_invites_collaborators_and_lead_partner_staff(self, client, world):
        client.force_login(world.users["initiative_admin"])
        assert invite(client, role="collaborator", collaborator=world.b.collaborator.pk).status_code == 302
        assert invite(client, email="x@example.org", role="lead_partner_staff", lead_partner=world.b.lead_partner.pk)
        assert Invitation.objects.count() == 4  # with the world's pending ones

    @pytest.mark.parametrize("role", ["state_lead", "state_viewer", "commissioner"])
    def test_a_state_lead_invites_staff_of_their_state(self, client, world, role):
        client.force_login(world.users["state_lead"])
        assert invite(client, role=role, state=world.a.state.pk).status_code == 302
        assert Invitation.objects.filter(email="invitee@example.org", role=role, state=world.a.state).exists()
        assert len(mail.outbox) == 1

    def test_a_state_lead_invites_staff_of_the_lead_partners_of_their_zones(self, client, world):
        client.force_login(world.users["state_lead"])
        assert invite(client, role="lead_partner_staff", lead_partner=world.a.lead_partner.pk).status_code == 302

    @pytest.mark.parametrize(
        "fields",
        [
            {"role": "state_viewer", "state": "b"},  # another state
            {"role": "state_lead", "state": "b"},  # a lead of another state
            {"role": "initiative_admin"},
            {"role": "lead_partner_staff", "lead_partner": "b"},  # a Lead Partner of another state
            {"role": "collaborator", "collaborator": "a"},
        ],
    )
    def test_a_state_lead_cannot_invite_beyond_their_state(self, client, world, fields):
        tenants = {"a": world.a, "b": world.b}
        data = {"role": fields["role"]}
        for field in ("state", "lead_partner", "collaborator"):
            if field in fields:
                data[field] = getattr(tenants[fields[field]], field).pk
        client.force_login(world.users["state_lead"])
        response = invite(client, **data)
        assert response.status_code == 200 and response.context["form"].errors
        assert not Invitation.objects.filter(email="invitee@example.org").exists()
        assert mail.outbox == []

    @pytest.mark.parametrize("role", ["state_viewer", "commissioner", "lead_partner_staff", "collaborator"])
    def test_other_roles_cannot_invite(self, client, world, role):
        client.force_login(world.users[role])
        assert client.get(NEW).status_code == 403
        assert invite(client, role="state_viewer", state=world.a.state.pk).status_code == 403
        assert client.get(reverse("accounts:invitation_list")).status_code == 403
        assert not Invitation.objects.filter(email="invitee@example.org").exists()

    def test_the_role_must_match_its_scope(self, client, world):
        client.force_login(world.users["initiative_admin"])
        response = invite(client, role="state_viewer", lead_partner=world.a.lead_partner.pk)
        assert set(response.context["form"].errors) == {"state", "lead_partner"}

    def test_a_pending_invitation_is_not_sent_twice(self, client, world):
        client.force_login(world.users["state_lead"])
        invite(client, role="state_viewer", state=world.a.state.pk)
        response = invite(client, role="state_viewer", state=world.a.state.pk)
        assert "already exists" in str(response.context["form"].errors)
        assert len(mail.outbox) == 1

    def test_the_list_shows_the_state_leads_invitations_only(self, client, world):
        client.force_login(world.users["initiative_admin"])
        invite(client, email="to-b@example.org", role="state_viewer", state=world.b.state.pk)
        client.logout()
        client.force_login(world.users["state_lead"])
        body = client.get(reverse("accounts:invitation_list")).content.decode()
        assert "newcomer@example.org" in body and "to-b@example.org" not in body


class TestRevokeAndResend:
    """A pending invitation is revoked (its link dies) or sent again (a new link; the old one dies)."""

    def pending(self, world):
        return Invitation.objects.get(email="newcomer@example.org")

    def url(self, action, invitation):
        return reverse(f"accounts:invitation_{action}", kwargs={"invitation_pk": invitation.pk})

    def test_the_state_lead_revokes_after_confirming(self, client, world):
        invitation = self.pending(world)
        client.force_login(world.users["state_lead"])
        assert client.get(self.url("revoke", invitation)).status_code == 200
        assert Invitation.objects.get(pk=invitation.pk).revoked_at is None  # the GET only asks
        response = client.post(self.url("revoke", invitation), follow=True)
        assert "Revoked the invitation for newcomer@example.org" in response.content.decode()
        assert "Revoked" in response.content.decode()  # the list's badge
        client.logout()
        assert client.get(reverse("accounts:accept_invitation", args=[world.invitation_token])).status_code == 404
        assert not Invitation.objects.pending().filter(pk=invitation.pk).exists()

    def test_resending_mails_a_new_link_and_kills_the_old_one(self, client, world):
        invitation = self.pending(world)
        invitation.expires_at = timezone.now() - datetime.timedelta(days=1)
        invitation.save()
        client.force_login(world.users["state_lead"])
        assert client.post(self.url("resend", invitation)).status_code == 302
        link = emailed_link()
        resent = Invitation.objects.get(pk=invitation.pk)
        assert resent.is_usable and resent.expires_at > timezone.now() + datetime.timedelta(days=6)
        client.logout()
        assert client.get(reverse("accounts:accept_invitation", args=[world.invitation_token])).status_code == 404
        assert client.get(link).status_code == 200

    def test_an_accepted_invitation_is_neither_revoked_nor_resent(self, client, world):
        invitation = self.pending(world)
        invitation.accepted_at = timezone.now()
        invitation.save()
        client.force_login(world.users["state_lead"])
        for action in ("revoke", "resend"):
            response = client.post(self.url(action, invitation))
            assert response.status_code == 409 and "accepted this invitation already" in response.content.decode()
        assert Invitation.objects.get(pk=invitation.pk).revoked_at is None and mail.outbox == []

    @pytest.mark.parametrize("role", ["state_viewer", "commissioner", "lead_partner_staff", "collaborator"])
    def test_other_roles_find_no_invitation(self, client, world, role):
        client.force_login(world.users[role])
        for action in ("revoke", "resend"):
            assert client.post(self.url(action, self.pending(world))).status_code == 404
        assert self.pending(world).is_usable and mail.outbox == []

    def test_another_states_lead_finds_no_invitation(self, client, world):
        other_lead = User.objects.get(email="lead-b@example.org")
        client.force_login(other_lead)
        assert client.post(self.url("revoke", self.pending(world))).status_code == 404
        assert self.pending(world).is_usable

    def test_the_invite_form_leaves_validation_to_the_server(self, client, world):
        client.force_login(world.users["state_lead"])
        page = client.get(NEW).content.decode()
        assert "novalidate" in page and 'name="email"' in page and 'name="role"' in page
        response = invite(client, email="not-an-address", role="state_viewer", state=world.a.state.pk)
        assert 'class="form-errors"' in response.content.decode()


class TestAccepting:
    def send(self, client, world, email="invitee@example.org", **fields):
        client.force_login(world.users["state_lead"])
        invite(client, email=email, role="state_viewer", state=world.a.state.pk, **fields)
        client.logout()
        return emailed_link()

    def join(self, client, link, password="a-long-passphrase-42"):
        return client.post(
            link, {"first_name": "Ada", "last_name": "Byron", "password1": password, "password2": password}
        )

    def test_a_newcomer_sets_a_password_and_is_signed_in_with_the_membership(self, client, world):
        link = self.send(client, world)
        assert client.get(link).status_code == 200
        response = self.join(client, link)
        assert response.status_code == 302 and response["Location"] == "/"
        user = User.objects.get(email="invitee@example.org")
        assert user.check_password("a-long-passphrase-42") and user.first_name == "Ada"
        assert Membership.objects.filter(user=user, role=Role.STATE_VIEWER, state=world.a.state).exists()
        assert EmailAddress.objects.get(user=user).verified
        assert int(client.session["_auth_user_id"]) == user.pk
        invitation = Invitation.objects.get(email="invitee@example.org")
        assert invitation.accepted_by == user and invitation.accepted_at is not None
        assert "Arcadia" in client.get("/", follow=True).content.decode()

    def test_the_link_works_once(self, client, world):
        link = self.send(client, world)
        self.join(client, link)
        client.logout()
        assert client.get(link).status_code == 404
        assert self.join(client, link, "another-passphrase-7").status_code == 404
        assert User.objects.get(email="invitee@example.org").check_password("a-long-passphrase-42")

    def test_an_expired_link_creates_nothing(self, client, world):
        link = self.send(client, world)
        Invitation.objects.filter(email="invitee@example.org").update(expires_at=timezone.now())
        assert client.get(link).status_code == 404
        assert self.join(client, link).status_code == 404
        assert not User.objects.filter(email="invitee@example.org").exists()

    def test_a_forged_token_is_not_found(self, client, world):
        assert client.get(reverse("accounts:accept_invitation", args=["forged"])).status_code == 404

    def test_a_weak_password_is_refused(self, client, world):
        link = self.send(client, world)
        response = self.join(client, link, "password")
        assert response.status_code == 200 and "password1" in response.context["form"].errors
        assert not User.objects.filter(email="invitee@example.org").exists()
        assert Invitation.objects.get(email="invitee@example.org").is_usable

    def test_an_existing_user_logs_in_then_accepts(self, client, world):
        lead_partner_staff = world.users["lead_partner_staff"]
        other_zone = LaunchedZoneFactory(state=world.a.state)
        client.force_login(world.users["state_lead"])
        invite(
            client, email=lead_partner_staff.email, role="lead_partner_staff", lead_partner=other_zone.lead_partner.pk
        )
        client.logout()
        link = emailed_link()
        assert "Log in to accept" in client.get(link).content.decode()
        assert client.post(link).status_code == 200  # not signed in: nothing happens
        client.post(reverse("account_login"), {"login": lead_partner_staff.email, "password": PASSWORD})
        response = client.post(link)
        assert response.status_code == 302
        assert set(lead_partner_staff.memberships.values_list("lead_partner", flat=True)) == {
            world.a.lead_partner.pk,
            other_zone.lead_partner.pk,
        }

    def test_someone_else_signed_in_cannot_accept(self, client, world):
        link = self.send(client, world, email=world.users["state_viewer"].email, **{})
        client.force_login(world.users["commissioner"])
        assert client.post(link).status_code == 200
        assert not Invitation.objects.get(email=world.users["state_viewer"].email).accepted_at
        assert not world.users["commissioner"].memberships.filter(role=Role.STATE_VIEWER).exists()


class TestInvitePermission:
    """The ``accounts.add_invitation`` rule itself, on unsaved invitations."""

    def test_table(self, world):
        a_state, a_partner, b_state, b_partner = (
            world.a.state,
            world.a.lead_partner,
            world.b.state,
            world.b.lead_partner,
        )
        cases = [
            ("state_lead", Invitation(role=Role.STATE_VIEWER, state=world.a.state), True),
            ("state_lead", Invitation(role=Role.COMMISSIONER, state=world.a.state), True),
            ("state_lead", Invitation(role=Role.STATE_VIEWER, state=world.b.state), False),
            ("state_lead", Invitation(role=Role.STATE_LEAD, state=world.a.state), True),  # a co-lead
            ("state_lead", Invitation(role=Role.STATE_LEAD, state=world.b.state), False),
            ("state_lead", Invitation(role=Role.LEAD_PARTNER_STAFF, lead_partner=a_partner, state=a_state), True),
            ("state_lead", Invitation(role=Role.LEAD_PARTNER_STAFF, lead_partner=a_partner), False),  # every state
            ("state_lead", Invitation(role=Role.LEAD_PARTNER_STAFF, lead_partner=b_partner, state=a_state), False),
            ("state_lead", Invitation(role=Role.LEAD_PARTNER_STAFF, lead_partner=b_partner, state=b_state), False),
            ("initiative_admin", Invitation(role=Role.LEAD_PARTNER_STAFF, lead_partner=b_partner), True),
            ("state_lead", Invitation(role=Role.COLLABORATOR, collaborator=world.a.collaborator), False),
            ("state_lead", Invitation(role=Role.INITIATIVE_ADMIN), False),
            ("initiative_admin", Invitation(role=Role.INITIATIVE_ADMIN), True),
            ("initiative_admin", Invitation(role=Role.STATE_LEAD, state=world.b.state), True),
            ("state_viewer", Invitation(role=Role.STATE_VIEWER, state=world.a.state), False),
            ("commissioner", Invitation(role=Role.STATE_VIEWER, state=world.a.state), False),
            ("lead_partner_staff", Invitation(role=Role.LEAD_PARTNER_STAFF, lead_partner=world.a.lead_partner), False),
            ("collaborator", Invitation(role=Role.COLLABORATOR, collaborator=world.a.collaborator), False),
        ]
        for role, invitation, expected in cases:
            assert world.users[role].has_perm("accounts.add_invitation", invitation) is expected, (role, invitation)
