"""Mail about comments: the owner of a needs-action comment, the thread's people on a reply; only
after the commit, only to readers, and a failed send never loses the comment."""

from unittest import mock

import pytest
from django.conf import settings
from django_scopes import scopes_disabled

from comments import services
from comments.models import Comment
from comments.subjects import thread_url

from .conftest import V

pytestmark = pytest.mark.django_db


def test_the_owner_is_mailed_once_the_comment_is_committed(
    people, school, mailoutbox, django_capture_on_commit_callbacks
):
    owner = people["lead_partner_staff"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        comment = services.post_comment(
            school,
            body="Send the plan",
            visibility=V.PARTNER_AND_STATE,
            by=people["state_lead"],
            needs_action=True,
            owner=owner,
        )
        assert mailoutbox == []  # nothing before the commit
    assert len(callbacks) == 1
    (mail,) = mailoutbox
    assert mail.to == [owner.email]
    assert mail.subject == f"[Zone Portfolio] Needs your action: school {school.name}"
    assert "Send the plan" in mail.body and "(lead partner and state)" in mail.body
    assert f"{settings.SITE_URL.rstrip('/')}{thread_url(school)}#comment-{comment.pk}" in mail.body


def test_an_author_is_not_mailed_about_their_own_comment(
    people, school, mailoutbox, django_capture_on_commit_callbacks
):
    lead = people["state_lead"]
    with django_capture_on_commit_callbacks(execute=True):
        root = services.post_comment(
            school, body="Note to self", visibility=V.EVERYONE, by=lead, needs_action=True, owner=lead
        )
        services.post_comment(school, body="Still me", by=lead, parent=root)
    assert mailoutbox == []


def test_a_reply_mails_the_thread_not_other_threads(people, school, mailoutbox, django_capture_on_commit_callbacks):
    viewer, partner = people["state_viewer"], people["lead_partner_staff"]
    root = services.post_comment(school, body="Root", visibility=V.EVERYONE, by=viewer)
    services.post_comment(school, body="Elsewhere", visibility=V.EVERYONE, by=people["commissioner"])
    with django_capture_on_commit_callbacks(execute=True):
        services.post_comment(school, body="Answer", by=partner, parent=root)
    (mail,) = mailoutbox
    assert mail.to == [viewer.email] and mail.subject == f"[Zone Portfolio] New reply on school {school.name}"


def test_a_failed_send_keeps_the_comment(people, school, mailoutbox, django_capture_on_commit_callbacks, caplog):
    owner = people["lead_partner_staff"]
    failing = mock.patch("comments.notifications.EmailMultiAlternatives.send", side_effect=OSError("SMTP down"))
    with failing, django_capture_on_commit_callbacks(execute=True):
        comment = services.post_comment(
            school, body="Keep me", visibility=V.EVERYONE, by=people["state_lead"], needs_action=True, owner=owner
        )
    assert mailoutbox == [] and "SMTP down" in caplog.text
    with scopes_disabled():
        assert Comment.objects.get(pk=comment.pk).body == "Keep me"
