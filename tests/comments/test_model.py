"""The thread's rules on the model itself, so the admin (or any other writer) keeps them too."""

import pytest
from django_scopes import scopes_disabled

from comments.models import MAX_BODY, Comment
from tests.factories import CommentFactory, UserFactory

from .conftest import V

pytestmark = pytest.mark.django_db


def test_the_model_refuses_what_the_thread_forbids(tenant, invalid):
    school = tenant.schools[0]
    parent = CommentFactory(school=school, visibility=V.PARTNER_AND_STATE)
    with scopes_disabled():
        wider = Comment(**{**placement_of(parent), "parent": parent, "visibility": V.EVERYONE, "body": "x"})
        assert invalid(wider, "visibility") == {
            "visibility": ["A reply is never wider than the comment it answers (Lead Partner and state)."]
        }
        elsewhere = Comment(**{**placement_of(parent), "school": tenant.schools[1], "parent": parent, "body": "x"})
        assert invalid(elsewhere, "parent")
        unnamed = Comment(**{**placement_of(parent), "school": None, "body": "x"})
        assert invalid(unnamed, "school") == {"school": ["Name the school the comment is on."]}
        ownerless = Comment(**placement_of(parent), needs_action=True, body="x")
        assert invalid(ownerless, "owner")
        owned = Comment(**placement_of(parent), owner=UserFactory(), body="x")
        assert invalid(owned, "owner")
        assert invalid(Comment(**placement_of(parent), body="x" * (MAX_BODY + 1)), "body")


def placement_of(comment):
    return {
        "state": comment.state,
        "zone": comment.zone,
        "subject": comment.subject,
        "school": comment.school,
        "author": comment.author,
    }
