"""Issue 11, finding 6: only an active engagement within its dates opens a state to a collaborator;
completed, proposed and not yet started or already ended engagements grant nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from partners.models import CollaboratorEngagement, ServiceArea
from schools.models import School
from tests.factories import CollaboratorEngagementFactory, NationalCollaboratorFactory
from zones.models import State

from .conftest import make_member

Status = CollaboratorEngagement.Status


@pytest.fixture
def collaborator_with(world):
    """A collaborator whose only engagements, in tenant B's state, are the given (status, start, end);
    a date given as a number of days is counted from today, read when the test runs (not when it was
    collected, which may be before midnight)."""

    def day(value):
        return timezone.localdate() + datetime.timedelta(days=value) if isinstance(value, int) else value

    def make(*engagements):
        collaborator = NationalCollaboratorFactory()
        for area, (status, start, end) in zip(ServiceArea, engagements, strict=False):
            CollaboratorEngagementFactory(
                collaborator=collaborator,
                state=world.b.state,
                service_area=area,
                status=status,
                start_date=day(start),
                end_date=day(end),
            )
        return make_member(f"c{collaborator.pk}@example.org", Role.COLLABORATOR, collaborator=collaborator)

    return make


@pytest.mark.parametrize(
    "engagements",
    [
        [(Status.COMPLETED, datetime.date(2010, 1, 1), datetime.date(2011, 6, 30))],
        [(Status.PROPOSED, datetime.date(2030, 1, 1), None)],
        [(Status.PROPOSED, datetime.date(2010, 1, 1), None)],  # under way, but never agreed
        [(Status.ACTIVE, 1, None)],  # not started yet: from tomorrow
        [(Status.ACTIVE, datetime.date(2010, 1, 1), -1)],  # ended yesterday
        [
            (Status.COMPLETED, datetime.date(2010, 1, 1), datetime.date(2011, 6, 30)),
            (Status.PROPOSED, datetime.date(2030, 1, 1), None),
        ],
    ],
    ids=["completed", "proposed-future", "proposed-current", "active-future", "active-ended", "completed+proposed"],
)
def test_an_engagement_that_is_not_in_force_grants_nothing(client, world, collaborator_with, engagements):
    user = collaborator_with(*engagements)
    assert not State.objects.visible_to(user).filter(pk=world.b.state.pk).exists()
    assert not School.objects.visible_to(user).exists()
    client.force_login(user)
    assert client.get(f"/api/v1/schools/{world.b.school.pk}/").status_code == 404
    assert client.get(reverse("portfolio:state_detail", kwargs={"state_pk": world.b.state.pk})).status_code == 404


@pytest.mark.parametrize(
    "engagement",
    [
        (Status.ACTIVE, datetime.date(2010, 1, 1), None),
        (Status.ACTIVE, 0, 0),  # both ends of the dates count: today only
    ],
    ids=["open-ended", "today-only"],
)
def test_an_active_engagement_within_its_dates_opens_its_state(client, world, collaborator_with, engagement):
    user = collaborator_with(engagement)
    assert set(School.objects.visible_to(user)) == set(School.objects.filter(district__state=world.b.state))
    client.force_login(user)
    assert client.get(f"/api/v1/schools/{world.b.school.pk}/").status_code == 200
