from types import SimpleNamespace

import pytest

from partners.models import CollaboratorEngagement, ServiceArea
from tests.factories import CollaboratorEngagementFactory


@pytest.fixture
def refused_engagements(world):
    """Engagements in the home state its collaborator may not file a report under: another
    collaborator's (``someone_elses``) and its own that grants no access (``proposed``)."""
    tenant = world.home
    return SimpleNamespace(
        someone_elses=CollaboratorEngagementFactory(state=tenant.state, service_area=ServiceArea.COMMUNICATIONS),
        proposed=CollaboratorEngagementFactory(
            collaborator=tenant.engagement.collaborator,
            state=tenant.state,
            service_area=ServiceArea.POLICY_ANALYSIS,
            status=CollaboratorEngagement.Status.PROPOSED,
        ),
    )
