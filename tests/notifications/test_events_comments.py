"""Comment events: the people a comment mentions (``@<email>``) who read it, its needs-action
owner, the thread's people on a reply; each person once per comment, never its author, never
someone in another state or of another Lead Partner."""

import pytest

from accounts.models import Role
from comments import services
from comments.mentions import mentioned_emails
from comments.models import Comment
from comments.subjects import thread_url
from notifications.choices import EventKind
from notifications.models import Notification
from tests.factories import LaunchedZoneFactory
from tests.worlds import member

from .told import events, told

pytestmark = pytest.mark.django_db

V = Comment.Visibility


def mentions(*people) -> str:
    return " ".join(f"@{person.email}" for person in people)


def test_mentions_are_addresses_after_an_at_sign():
    body = "Ask @Jane.Doe@Example.org, then @bob@x.io. Not carl@y.org nor @nobody; (@ann@a.b)"
    assert mentioned_emails(body) == {"jane.doe@example.org", "bob@x.io", "ann@a.b"}


def test_a_mention_tells_only_the_mentioned_who_read_the_comment(world):
    home, away = world.home, world.away
    lead, staff, viewer = (home.users[role] for role in (Role.STATE_LEAD, Role.LEAD_PARTNER_STAFF, Role.STATE_VIEWER))
    other_partner = member(Role.LEAD_PARTNER_STAFF, lead_partner=LaunchedZoneFactory(state=home.state).lead_partner)
    unread = [home.users[Role.COLLABORATOR], other_partner, away.users[Role.STATE_LEAD], lead]
    body = f"Look at the plan {mentions(staff, viewer, *unread)} and @nobody@example.org."

    comment = services.post_comment(home.schools[0], body=body, visibility=V.PARTNER_AND_STATE, by=lead)

    (event,) = events(EventKind.COMMENT_MENTION)
    assert event.subject == comment and event.actor == lead
    assert event.link == f"{thread_url(comment)}#comment-{comment.pk}"
    assert told(event) == {staff, viewer}


def test_a_state_only_mention_never_reaches_a_lead_partner(world):
    home = world.home
    staff = home.users[Role.LEAD_PARTNER_STAFF]
    services.post_comment(
        home.schools[0], body=f"Between us: {mentions(staff)}", visibility=V.STATE_STAFF, by=home.users[Role.STATE_LEAD]
    )
    assert not Notification.objects.filter(recipient=staff).exists()


def test_each_person_is_told_once_per_comment(world):
    home = world.home
    school = home.schools[0]
    lead, staff, viewer, commissioner = (
        home.users[role] for role in (Role.STATE_LEAD, Role.LEAD_PARTNER_STAFF, Role.STATE_VIEWER, Role.COMMISSIONER)
    )
    root = services.post_comment(school, body="Root", visibility=V.EVERYONE, by=viewer)
    services.post_comment(school, body="Noted", by=staff, parent=root)
    services.post_comment(school, body="Me too", by=commissioner, parent=root)

    reply = services.post_comment(
        school,
        body=f"Who does it? {mentions(staff, viewer, lead)}",
        by=lead,
        parent=root,
        needs_action=True,
        owner=staff,
    )

    kinds = {}
    for notification in Notification.objects.filter(event__subject_id=reply.pk, event__kind__startswith="comment_"):
        kinds.setdefault(notification.recipient, []).append(notification.event.kind)
    assert kinds == {
        staff: [EventKind.COMMENT_ASSIGNED],  # the owner, though mentioned and in the thread
        viewer: [EventKind.COMMENT_MENTION],  # mentioned, though in the thread
        commissioner: [EventKind.COMMENT_REPLY],
    }
