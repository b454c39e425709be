"""The dispatcher: events from the change stamps and the deletes feed, each sent only to
subscribers whose membership reads the row through the API, status events only on real
transitions. Transactional: each write commits with its own change version, as in production."""

import datetime

import pytest

from accountability.choices import Submission
from accountability.models import PeriodSubmission
from accounts.models import Role
from funding.models import Commitment
from reports.models import ReportRun
from tests.factories import (
    PeriodSubmissionFactory,
    ReportRunFactory,
    SchoolFactory,
    StatusUpdateFactory,
    WebhookSubscriptionFactory,
)
from tests.worlds import make_tenant
from webhooks.choices import EventType
from webhooks.dispatch import dispatch

pytestmark = pytest.mark.django_db(transaction=True)
READERS = (Role.STATE_LEAD, Role.STATE_VIEWER, Role.LEAD_PARTNER_STAFF, Role.COLLABORATOR)


def subscribe(tenant, role, *event_types):
    membership = tenant.users[str(role)].memberships.get()
    return WebhookSubscriptionFactory(membership=membership, event_types=list(event_types))


def heard(subscription) -> set:
    return {(d.event_type, d.payload["data"]["id"]) for d in subscription.deliveries.all()}


@pytest.fixture
def tenants():
    return make_tenant("Colorado", with_users=True), make_tenant("Louisiana", with_users=True)


def test_a_subscriber_hears_only_of_rows_its_role_reads(tenants):
    home, away = tenants
    types = (EventType.SCHOOL_CHANGED, EventType.SCHOOL_DELETED, EventType.STATUS_UPDATE_POSTED)
    subscriptions = {role: subscribe(home, role, *types) for role in READERS}
    away_lead = subscribe(away, Role.STATE_LEAD, *types)
    dispatch()  # the first run starts from now

    school = home.schools[0]
    school.name = "Renamed Middle School"
    school.save()
    unzoned = SchoolFactory(district=home.zone.districts.get(), zone=None)  # no Lead Partner's
    update = StatusUpdateFactory(school=school)
    away.schools[1].name = "Elsewhere"
    away.schools[1].save()
    dispatch()

    changed = {(EventType.SCHOOL_CHANGED, school.pk), (EventType.SCHOOL_CHANGED, unzoned.pk)}
    posted = {(EventType.STATUS_UPDATE_POSTED, update.pk)}
    assert heard(subscriptions[Role.STATE_LEAD]) == heard(subscriptions[Role.STATE_VIEWER]) == changed | posted
    assert heard(subscriptions[Role.LEAD_PARTNER_STAFF]) == {(EventType.SCHOOL_CHANGED, school.pk)} | posted
    assert heard(subscriptions[Role.COLLABORATOR]) == changed  # narratives are not the collaborator's
    assert heard(away_lead) == {(EventType.SCHOOL_CHANGED, away.schools[1].pk)}

    unzoned_pk, nces_id = unzoned.pk, unzoned.nces_id
    unzoned.delete()
    dispatch()

    deleted = (EventType.SCHOOL_DELETED, unzoned_pk)
    assert deleted in heard(subscriptions[Role.STATE_LEAD]) and deleted in heard(subscriptions[Role.COLLABORATOR])
    assert deleted not in heard(subscriptions[Role.LEAD_PARTNER_STAFF]) and deleted not in heard(away_lead)
    payload = subscriptions[Role.STATE_LEAD].deliveries.get(event_type=EventType.SCHOOL_DELETED).payload
    assert payload["type"] == "school.deleted"
    assert payload["data"] | {"change_version": 0} == {
        "resource": "schools",
        "id": unzoned_pk,
        "url": None,
        "change_version": 0,
        "natural_key": {"nces_id": nces_id},
        "deleted": True,
    }


def test_a_payload_is_thin_and_names_the_api_url(tenants, settings):
    home, _away = tenants
    subscription = subscribe(home, Role.STATE_LEAD, EventType.SCHOOL_CHANGED)
    dispatch()
    school = home.schools[0]
    school.name = "Renamed"
    school.save()
    dispatch()

    (delivery,) = subscription.deliveries.all()
    school.refresh_from_db()
    assert delivery.message_id.startswith("msg_")
    assert delivery.payload == {
        "type": "school.changed",
        "timestamp": school.updated_at.isoformat(),
        "data": {
            "resource": "schools",
            "id": school.pk,
            "url": f"{settings.SITE_URL.rstrip('/')}/api/v1/schools/{school.pk}/",
            "change_version": school.change_version,
            "natural_key": {"nces_id": school.nces_id},
            "deleted": False,
        },
    }


def test_status_events_fire_on_real_transitions_only(tenants):
    home, _away = tenants
    subscription = subscribe(
        home,
        Role.STATE_LEAD,
        EventType.COMMITMENT_STATUS_CHANGED,
        EventType.PERIOD_SUBMITTED,
        EventType.PERIOD_APPROVED,
        EventType.PERIOD_LOCKED,
        EventType.REPORT_READY,
    )
    dispatch()
    submission = PeriodSubmissionFactory(school=home.schools[0])  # in progress: no event
    run = ReportRunFactory(state=home.state)
    commitments = Commitment.objects.filter(pk=home.commitment.pk)
    commitments.update(description="Corrected description")  # no status change
    dispatch()
    assert heard(subscription) == set()

    commitments.update(status=Commitment.Status.COMMITTED, committed_on=datetime.date(2010, 5, 1))
    PeriodSubmission.objects.filter(pk=submission.pk).update(status=Submission.SUBMITTED)
    ReportRun.objects.filter(pk=run.pk).update(status=ReportRun.Status.RUNNING)
    dispatch()
    PeriodSubmission.objects.filter(pk=submission.pk).update(comment="Looks right")
    ReportRun.objects.filter(pk=run.pk).update(status=ReportRun.Status.DONE)
    dispatch()
    PeriodSubmission.objects.filter(pk=submission.pk).update(status=Submission.APPROVED)
    dispatch()

    assert sorted(heard(subscription)) == sorted(
        {
            (EventType.COMMITMENT_STATUS_CHANGED, home.commitment.pk),
            (EventType.PERIOD_SUBMITTED, submission.pk),
            (EventType.PERIOD_LOCKED, submission.pk),
            (EventType.PERIOD_APPROVED, submission.pk),
            (EventType.REPORT_READY, run.pk),
        }
    )
    assert subscription.deliveries.count() == 5  # each once
    status = subscription.deliveries.get(event_type=EventType.COMMITMENT_STATUS_CHANGED).payload["data"]["status"]
    assert status == "committed"


def test_a_disabled_subscription_or_deactivated_holder_hears_nothing(tenants):
    home, _away = tenants
    disabled = subscribe(home, Role.STATE_LEAD, EventType.SCHOOL_CHANGED)
    disabled.active = False
    disabled.save()
    gone = subscribe(home, Role.STATE_VIEWER, EventType.SCHOOL_CHANGED)
    gone.membership.user.is_active = False
    gone.membership.user.save()
    dispatch()
    home.schools[0].name = "Renamed"
    home.schools[0].save()
    dispatch()

    assert heard(disabled) == heard(gone) == set()
