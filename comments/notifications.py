"""Mail about comments, sent once the comment is committed (``post_comment`` schedules
``comment_posted`` with ``transaction.on_commit``): the owner of a needs-action comment is told it
is theirs, the other people in a thread are told of a reply.

A mail goes only to someone whose scope reads that comment (``reads_comment``: the tenant wall,
with the recipient as the viewer), so a Lead Partner is never mailed a state-only comment. A
failed send is logged and never undoes the comment.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django_scopes import scopes_disabled

from .models import Comment
from .subjects import SUBJECTS, reads_comment, thread_url

logger = logging.getLogger(__name__)


def thread_participants(comment) -> list:
    """The authors of the thread ``comment`` sits in (its root and every reply under it), and a
    needs-action root's owner, each once."""
    with scopes_disabled():
        field = SUBJECTS[comment.subject].field
        on_subject = list(
            Comment._base_manager.filter(**{f"{field}_id": getattr(comment, f"{field}_id")}).select_related(
                "author", "owner"
            )
        )
    by_pk = {item.pk: item for item in on_subject}
    root = comment
    while root.parent_id in by_pk:
        root = by_pk[root.parent_id]
    in_thread, frontier = {root.pk}, [root.pk]
    while frontier:
        frontier = [item.pk for item in on_subject if item.parent_id in frontier]
        in_thread.update(frontier)
    people = {}
    for item in on_subject:
        if item.pk in in_thread:
            for person in (item.author, item.owner if item.needs_action else None):
                if person is not None:
                    people.setdefault(person.pk, person)
    return list(people.values())


def comment_posted(comment_pk) -> int:
    """Mail the owner of a new needs-action comment and, for a reply, the thread's other people
    who read it. Returns how many mails went."""
    with scopes_disabled():
        comment = Comment._base_manager.select_related("author", "owner").get(pk=comment_pk)
    mailed, sent = {comment.author_id}, 0
    if comment.needs_action and comment.owner is not None and comment.owner_id not in mailed:
        mailed.add(comment.owner_id)
        sent += send(comment, comment.owner, "assigned")
    if comment.parent_id:
        for person in thread_participants(comment):
            if person.pk not in mailed:
                mailed.add(person.pk)
                sent += send(comment, person, "reply")
    return sent


def send(comment, recipient, kind: str) -> bool:
    """Mail ``recipient`` about ``comment`` (kind "assigned" or "reply") if they are active, have an
    address and read the comment; False otherwise or when the mail fails (logged)."""
    if not recipient.is_active or not recipient.email or not reads_comment(recipient, comment):
        return False
    context = {
        "comment": comment,
        "recipient": recipient,
        "subject": getattr(comment, SUBJECTS[comment.subject].field),
        "link": settings.SITE_URL.rstrip("/") + thread_url(comment) + f"#comment-{comment.pk}",
    }
    try:
        EmailMultiAlternatives(
            subject=render_to_string(f"comments/email/{kind}_subject.txt", context).strip(),
            body=render_to_string(f"comments/email/{kind}.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[recipient.email],
        ).send()
    except Exception as error:  # any mail failure: the comment stays, the thread page shows it
        logger.warning("Comment %s mail to %s not sent: %r", comment.pk, recipient.email, error)
        return False
    return True
