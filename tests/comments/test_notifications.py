"""Who is told of a comment (``services.tell_people``, through ``notifications`` events): the owner
of a needs-action comment, the thread's people on a reply; in the comment's transaction, only
readers, never its author, and a failed mail never loses the comment."""

from unittest import mock

import pytest
from django_scopes import scopes_disabled

from comments import services
from comments.models import Comment
from comments.subjects import thread_url
from notifications.choices import Delivery, EventKind
from notifications.models import Notification

from .conftest import V

pytestmark = pytest.mark.django_db


def told(comment) -> dict:
    """{recipient: event kind} of the comment's notifications."""
    rows = Notification.objects.filter(event__subject_id=comment.pk, event__kind__startswith="comment_")
    return {row.recipient: row.event.kind for row in rows.select_related("recipient", "event")}


def test_the_owner_is_told_and_mailed_once_the_comment_is_committed(people, school, django_capture_on_commit_callbacks):
    owner = people["lead_partner_staff"]
    with (
        mock.patch("notifications.tasks.deliver.delay") as deliver,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        comment = services.post_comment(
            school,
            body="Send the plan",
            visibility=V.PARTNER_AND_STATE,
            by=people["state_lead"],
            needs_action=True,
            owner=owner,
        )
        assert not deliver.called  # nothing mailed before the commit
    assert len(callbacks) == 1
    assert told(comment) == {owner: EventKind.COMMENT_ASSIGNED}
    notification = Notification.objects.get(recipient=owner)
    assert notification.delivery == Delivery.IMMEDIATE
    deliver.assert_called_once_with(notification.pk)
    event = notification.event
    assert event.subject == comment and event.actor == people["state_lead"]
    assert event.link == f"{thread_url(school)}#comment-{comment.pk}"
    assert "Send the plan" in event.summary


def test_an_author_is_not_told_of_their_own_comment(people, school):
    lead = people["state_lead"]
    root = services.post_comment(
        school, body="Note to self", visibility=V.EVERYONE, by=lead, needs_action=True, owner=lead
    )
    reply = services.post_comment(school, body="Still me", by=lead, parent=root)
    assert told(root) == told(reply) == {}


def test_a_reply_tells_the_thread_not_other_threads(people, school):
    viewer, partner = people["state_viewer"], people["lead_partner_staff"]
    root = services.post_comment(school, body="Root", visibility=V.EVERYONE, by=viewer)
    services.post_comment(school, body="Elsewhere", visibility=V.EVERYONE, by=people["commissioner"])
    answer = services.post_comment(school, body="Answer", by=partner, parent=root)
    assert told(answer) == {viewer: EventKind.COMMENT_REPLY}


def test_a_failed_mail_keeps_the_comment(people, school, mailoutbox, django_capture_on_commit_callbacks, caplog):
    owner = people["lead_partner_staff"]
    failing = mock.patch("notifications.mail.EmailMultiAlternatives.send", side_effect=OSError("SMTP down"))
    rendered = mock.patch("notifications.mail.render_to_string", return_value="Needs your action")
    with failing, rendered, django_capture_on_commit_callbacks(execute=True):
        comment = services.post_comment(
            school, body="Keep me", visibility=V.EVERYONE, by=people["state_lead"], needs_action=True, owner=owner
        )
    assert mailoutbox == [] and "SMTP down" in caplog.text
    with scopes_disabled():
        assert Comment.objects.get(pk=comment.pk).body == "Keep me"
    notification = Notification.objects.get(recipient=owner)
    assert notification.email is None  # waiting for the next try (notifications.tasks.deliver_pending)
