"""The people of the comment tests: every role over Colorado (``tenant``), the initiative admin,
staff of another Lead Partner leading a zone in Colorado, and a collaborator not engaged there."""

import pytest

from accounts.models import Role
from comments import services
from comments.models import Comment
from tests.factories import LaunchedZoneFactory, NationalCollaboratorFactory
from tests.worlds import member

V = Comment.Visibility
# Who reads a comment on a school of the tenant's zone, by visibility (the specification).
STATE = {"admin", "state_lead", "state_viewer", "commissioner"}
READERS = {
    V.EVERYONE: STATE | {"lead_partner_staff", "collaborator"},
    V.PARTNER_AND_STATE: STATE | {"lead_partner_staff"},
    V.STATE_STAFF: STATE,
}
ROLE_NAMES = sorted(STATE | {"lead_partner_staff", "collaborator", "other_partner_staff", "idle_collaborator"})


@pytest.fixture
def people(world):
    """Role name -> user (see the module docstring)."""
    home = world.home
    other_zone = LaunchedZoneFactory(state=home.state)
    return {
        **home.users,
        "admin": world.admin,
        "other_partner_staff": member(Role.LEAD_PARTNER_STAFF, lead_partner=other_zone.lead_partner),
        "idle_collaborator": member(Role.COLLABORATOR, collaborator=NationalCollaboratorFactory()),
    }


@pytest.fixture
def school(tenant):
    return tenant.schools[0]


@pytest.fixture
def post(people):
    """``post(subject, level, by="state_lead", **options)`` through the use case."""

    def posting(subject, level=V.EVERYONE, by="state_lead", body=None, **options):
        return services.post_comment(
            subject, body=body or f"{level} comment by {by}", visibility=level, by=people[by], **options
        )

    return posting
