"""Mentions in a comment: ``@<email>`` names a user (``@jane.doe@example.org``), who is told of
the comment if they read it (``comments.services``; ``notifications.events.emit`` checks that)."""

import re

from django.db.models.functions import Lower

from accounts.models import User

# An @ not glued to a word, then an address; a trailing full stop or comma is not part of it.
MENTION = re.compile(r"(?<![\w@.+-])@([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")


def mentioned_emails(body: str) -> set[str]:
    """The addresses mentioned in ``body``, lower-cased."""
    return {match.lower() for match in MENTION.findall(body or "")}


def mentioned_users(body: str) -> list[User]:
    """The active users ``body`` mentions (unknown addresses are ignored), by email."""
    emails = mentioned_emails(body)
    if not emails:
        return []
    users = User.objects.annotate(address=Lower("email")).filter(address__in=emails, is_active=True)
    return list(users.order_by("email"))
