"""A commitment received: one event from ``Commitment.save`` whatever the write path (the model,
the API), to the state's leads and whoever watches its state or zone and reads its money; never
to the person who recorded it, nor to another state."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from funding.models import Commitment
from notifications.choices import Delivery, EventKind
from tests.factories import CommitmentFactory, WatchFactory
from tests.worlds import member

from .told import events, told

pytestmark = pytest.mark.django_db

RECEIVED_ON = datetime.date(2010, 9, 1)


@pytest.fixture
def commitment(world):
    """A committed zone-level commitment in Colorado."""
    home = world.home
    return CommitmentFactory(
        state=home.state, zone=home.zone, recipient_level=Commitment.RecipientLevel.ZONE, status="committed"
    )


def received(commitment, by):
    """Receive ``commitment`` (as ``by``, as a page's history would name them)."""
    commitment.status, commitment.received_on = Commitment.Status.RECEIVED, RECEIVED_ON
    commitment._change_reason, commitment._history_user = "Wired", by
    commitment.save()


def test_a_received_commitment_tells_the_state_leads_and_its_watchers(world, commitment):
    home, away = world.home, world.away
    lead, viewer, commissioner = (home.users[role] for role in (Role.STATE_LEAD, Role.STATE_VIEWER, Role.COMMISSIONER))
    collaborator, staff = home.users[Role.COLLABORATOR], home.users[Role.LEAD_PARTNER_STAFF]
    WatchFactory(user=viewer, state=None, zone=home.zone)
    WatchFactory(user=commissioner, state=home.state)
    WatchFactory(user=collaborator, state=home.state)  # engaged in the state: reads its money
    WatchFactory(user=staff, state=home.state)  # Lead Partners do not read a state's commitments
    WatchFactory(user=away.users[Role.STATE_LEAD], state=away.state)
    before = len(events(EventKind.COMMITMENT_RECEIVED))

    received(commitment, by=world.admin)
    commitment.description = "Year one"
    commitment.save()  # saved again, still received: not news

    (event,) = events(EventKind.COMMITMENT_RECEIVED)[before:]
    assert event.subject == commitment and event.actor == world.admin
    assert (event.state, event.zone) == (home.state, home.zone)
    assert event.link == reverse("portfolio:state_money", kwargs={"state_pk": home.state.pk})
    assert told(event) == {lead, viewer, commissioner, collaborator}
    assert {notification.delivery for notification in event.notifications.all()} == {Delivery.DAILY}


def test_the_lead_who_records_it_through_the_api_is_not_told(world, commitment):
    lead, other_lead = world.home.users[Role.STATE_LEAD], member(Role.STATE_LEAD, world.home)
    api = APIClient()
    api.force_authenticate(lead)
    answer = api.patch(
        f"/api/v1/commitments/{commitment.pk}/",
        {"status": "received", "received_on": RECEIVED_ON.isoformat(), "reason": "Wire"},
        format="json",
    )
    assert answer.status_code == 200
    (event,) = events(EventKind.COMMITMENT_RECEIVED, subject_id=commitment.pk)
    assert event.actor == lead and told(event) == {other_lead}


def test_only_becoming_received_is_an_event(world):
    lead = world.home.users[Role.STATE_LEAD]
    pledged = CommitmentFactory(state=world.home.state)
    pledged.advance(Commitment.Status.COMMITTED, RECEIVED_ON, reason="Board vote")
    recorded = CommitmentFactory(state=world.home.state, status=Commitment.Status.RECEIVED)  # recorded as received
    assert events(EventKind.COMMITMENT_RECEIVED, subject_id=pledged.pk) == []
    (event,) = events(EventKind.COMMITMENT_RECEIVED, subject_id=recorded.pk)
    assert told(event) == {lead}
