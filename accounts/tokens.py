"""Named API tokens: issuing, looking up a presented key, revoking.

A token carries exactly one of its holder's memberships: requests made with it see and change
what that membership allows, even when the holder has other (or wider) memberships.
"""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_scopes import scopes_disabled

from .models import ApiToken, Membership
from .scoping import scope_for_memberships

# last_used_at is written at most once per this interval per token (one UPDATE, no read).
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def memberships_that_may(user, permission: str):
    """The user's memberships through which the permission table lets them hold an integration
    (``accounts.add_apitoken``, ``webhooks.add_webhooksubscription``): the forms' choices."""
    memberships = user.memberships.select_related("state", "lead_partner", "collaborator")
    return memberships.filter(pk__in=[m.pk for m in memberships if user.has_perm(permission, m)])


def issue_token(membership: Membership, name: str, expires_at=None) -> tuple[ApiToken, str]:
    """Create a token for the membership; return it with its key (shown to the user once)."""
    token = ApiToken(membership=membership, name=name, expires_at=expires_at)
    key = token.issue_key()
    token.full_clean()
    token.save()
    return token, key


def active_token_for_key(key: str) -> ApiToken | None:
    """The usable token a presented key belongs to, or None (unknown, revoked or expired)."""
    if len(key) <= ApiToken.PREFIX_LENGTH:
        return None
    token = (
        ApiToken.objects.select_related("membership__user")
        .filter(key_prefix=key[: ApiToken.PREFIX_LENGTH], key_hash=ApiToken.hash_key(key))
        .first()
    )
    if token is None or not token.is_active or not token.membership.user.is_active:
        return None
    return token


def mark_used(token: ApiToken) -> None:
    """Record use, cheaply and without ever waiting: no write while the stored time is recent
    enough, and none while another transaction holds the token's row (the next use records it).

    Called after the request, outside its transaction (TokenUseMiddleware): the row is locked only
    for this one statement, so requests sharing a token never queue behind each other, and a use is
    recorded even when the request's own work was rolled back."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
    with transaction.atomic():
        free = ApiToken.objects.select_for_update(skip_locked=True).filter(stale, pk=token.pk)
        if ApiToken.objects.filter(pk__in=free.values("pk")).update(last_used_at=now):
            token.last_used_at = now


def user_for_token(token: ApiToken):
    """The token's holder, narrowed to the token's one membership for this request."""
    user = token.membership.user
    with scopes_disabled():  # a reach is decided from every engagement, outside the tenant wall
        user.scope = scope_for_memberships([token.membership], user_id=user.pk)
    # Superuser status would bypass the permission table; a token holds only its membership's role
    # (an initiative admin membership still grants everything through the table).
    user.is_superuser = False
    return user


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
