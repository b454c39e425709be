"""The demo's comment threads: a conversation, a needs-action comment open for the Lead Partner's
staff, a state-only note the partner never reads."""

import pytest
from django_scopes import scopes_disabled

from accounts.models import User
from comments.models import Comment
from comments.subjects import reads_comment

pytestmark = pytest.mark.django_db


def test_the_demo_holds_threads_with_each_level_and_an_open_needs_action(demo_database):
    partner = User.objects.get(email="partner@demo.zoneportfolio.org")
    with scopes_disabled():
        comments = list(Comment.objects.all())
        (waiting,) = Comment.objects.open_for(partner)
    assert {comment.subject for comment in comments} >= {"school", "zone", "status_update"}
    assert {comment.visibility for comment in comments} == set(Comment.Visibility)
    assert any(comment.parent_id for comment in comments)
    assert reads_comment(partner, waiting)
    state_only = [comment for comment in comments if comment.visibility == Comment.Visibility.STATE_STAFF]
    assert state_only and not any(reads_comment(partner, comment) for comment in state_only)
