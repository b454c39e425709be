"""Removing a Lead Partner or a national collaborator from the directory: only while nothing names
it (a zone, a contract, an engagement, a membership); the refusal says what does."""

from django.core.exceptions import PermissionDenied

from core.deletion import delete_unused

from .models import LeadPartner, NationalCollaborator


def delete_partner(partner: LeadPartner | NationalCollaborator, *, user) -> None:
    """Delete a Lead Partner or collaborator entered by mistake, while nothing refers to it."""
    if not user.has_perm(f"partners.delete_{partner._meta.model_name}", partner):
        raise PermissionDenied(f"You may not delete {partner}.")
    delete_unused(partner, history_user=user)
