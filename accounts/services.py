"""Invitations: sending one by email and accepting it (the only way to join)."""

import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Invitation, Membership, User


@transaction.atomic
def send_invitation(invitation: Invitation, invited_by: User, base_url: str) -> Invitation:
    """Save ``invitation`` with a fresh single-use token and email its link to the invitee.

    ``base_url`` is the site's address (scheme and host) the link is built on."""
    invitation.invited_by = invited_by
    _issue_and_mail(invitation, base_url)
    return invitation


def _issue_and_mail(invitation: Invitation, base_url: str) -> None:
    """A fresh token and expiry, saved (a previous link is dead: only the new hash is stored), and
    the link mailed."""
    raw_token = invitation.issue_token()
    invitation.expires_at = timezone.now() + datetime.timedelta(days=settings.INVITATION_VALID_DAYS)
    invitation.save()
    context = {
        "invitation": invitation,
        "accept_url": base_url.rstrip("/") + reverse("accounts:accept_invitation", args=[raw_token]),
        "valid_days": settings.INVITATION_VALID_DAYS,
    }
    send_mail(
        subject=render_to_string("accounts/email/invitation_subject.txt", context).strip(),
        message=render_to_string("accounts/email/invitation_message.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


def _locked_for(invitation: Invitation, user: User, action: str) -> Invitation:
    """The invitation's row, locked, if ``user`` may manage it and it was not accepted meanwhile."""
    if not user.has_perm("accounts.change_invitation", invitation):
        raise PermissionDenied(f"You may not {action} this invitation.")
    locked = Invitation._base_manager.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise ValidationError(
            f"{locked.email} accepted this invitation already; it cannot be {action}d.", code="wrong_step"
        )
    return locked


@transaction.atomic
def revoke_invitation(invitation: Invitation, *, user: User) -> Invitation:
    """Revoke a pending (or expired) invitation: its link no longer works. Kept in the list."""
    locked = _locked_for(invitation, user, "revoke")
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
    return locked


@transaction.atomic
def resend_invitation(invitation: Invitation, *, user: User, base_url: str) -> Invitation:
    """Send an invitation again with a new link and a new expiry (a revoked one is revived): the
    old link stops working. The resender becomes the inviter."""
    locked = _locked_for(invitation, user, "resend")
    locked.revoked_at = None
    locked.invited_by = user
    _issue_and_mail(locked, base_url)
    return locked


@transaction.atomic
def accept_invitation(invitation: Invitation, user: User) -> Membership:
    """Give ``user`` the invitation's membership and use the invitation up.

    The user proved they own the address by following the emailed link, so it becomes verified."""
    invitation = Invitation._base_manager.select_for_update().get(pk=invitation.pk)  # found by its token
    if not invitation.is_usable:
        raise ValidationError("This invitation has expired or has already been used.")
    if user.email.lower() != invitation.email.lower():
        raise ValidationError("This invitation was sent to another email address.")
    membership, _ = Membership.objects.get_or_create(
        user=user,
        role=invitation.role,
        state=invitation.state,
        lead_partner=invitation.lead_partner,
        collaborator=invitation.collaborator,
    )
    address, _ = EmailAddress.objects.get_or_create(
        user=user, email__iexact=invitation.email, defaults={"email": user.email}
    )
    if not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])
    if not EmailAddress.objects.filter(user=user, primary=True).exists():
        address.set_as_primary()
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership
