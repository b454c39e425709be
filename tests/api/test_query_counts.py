"""Every list endpoint runs the same number of SQL queries for a page of 5 rows as for 50."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accountability.progress import refreshing
from config.api_urls import router
from notifications.choices import EventKind
from notifications.models import Preference
from tests.factories import (
    ActionItemFactory,
    ActivityReportFactory,
    AnnualReviewFactory,
    AutonomyCheckInFactory,
    AutonomyTermChangeFactory,
    AutonomyTermFactory,
    AwardAmendmentFactory,
    AwardFactory,
    BaselineFactory,
    BudgetFactory,
    ChangeProposalFactory,
    CollaboratorEngagementFactory,
    CommentFactory,
    CommitmentFactory,
    ContractDeliverableFactory,
    ContractTargetFactory,
    EventFactory,
    ExitCriterionFactory,
    ExpenditureFactory,
    ImportBatchFactory,
    LaunchedZoneFactory,
    MatchRuleFactory,
    MeasurementFactory,
    MeetingDocumentFactory,
    MeetingFactory,
    MetricFactory,
    NotificationFactory,
    PerformanceContractFactory,
    PeriodSubmissionFactory,
    PreferenceFactory,
    RecurringCostFactory,
    RenewalDecisionFactory,
    ReportingPeriodFactory,
    ReportRunFactory,
    ReviewEvidenceFactory,
    SchoolFactory,
    StateFactory,
    StatusUpdateFactory,
    TargetFactory,
    TombstoneFactory,
    WatchFactory,
    WebhookDeliveryFactory,
    WebhookSubscriptionFactory,
    ZoneFactory,
)

LIST_ENDPOINTS = [prefix for prefix, _viewset, _basename in router.registry]


def add_rows(count, state, user):
    """``count`` more rows for every list endpoint (each zone with a school that has data), and of
    ``user``'s own notifications, watches and (one per kind at most) preferences. The schools' progress
    rows are refreshed once at the end, as the bulk writers do (accountability.progress)."""
    with refreshing():
        _add_rows(count, state, user)


def _add_rows(count, state, user):
    for kind in [kind for kind in EventKind if not Preference.objects.filter(user=user, kind=kind).exists()][:count]:
        PreferenceFactory(user=user, kind=kind)
    for _ in range(count):
        zone = ZoneFactory(state=state)
        school = SchoolFactory(district=zone.districts.get(), zone=zone)
        metric = MetricFactory()
        BaselineFactory(school=school, metric=metric)
        TargetFactory(school=school, metric=metric)
        MeasurementFactory(school=school, metric=metric)
        StatusUpdateFactory(school=school)
        CommentFactory(school=school)
        commitment = CommitmentFactory(state=state, status="received")
        ExpenditureFactory(commitment=commitment, zone=zone)
        AwardAmendmentFactory(award=AwardFactory(state=state))  # an award and its timeline
        ActivityReportFactory(engagement=CollaboratorEngagementFactory(state=state))
        MeetingDocumentFactory(meeting=ActionItemFactory(meeting=MeetingFactory(state=state)).meeting)
        NotificationFactory(recipient=user, event=EventFactory(state=state))
        WatchFactory(user=user, state=None, zone=zone)
        run = ReportRunFactory(state=StateFactory())
        ImportBatchFactory(state=state)
        launched = LaunchedZoneFactory(state=state)  # collected in the state's reporting period
        PeriodSubmissionFactory(school=launched.schools.first())
        ReportingPeriodFactory(state=run.state)
        RenewalDecisionFactory(zone=zone)
        ExitCriterionFactory(state=state, metric=metric)
        term = AutonomyTermFactory(zone=launched)
        AutonomyCheckInFactory(term=term)
        AutonomyTermChangeFactory(term=term)
        ChangeProposalFactory(school=school)
        contract = PerformanceContractFactory(zone=launched, lead_partner=launched.lead_partner)
        ContractDeliverableFactory(contract=contract)
        ContractTargetFactory(contract=contract, metric=metric)
        ReviewEvidenceFactory(review=AnnualReviewFactory(contract=contract))
        BudgetFactory(zone=launched)
        RecurringCostFactory(school=launched.schools.first())
        MatchRuleFactory(state=run.state)
        TombstoneFactory(state_id=state.pk)  # a delete the deletes feed lists
        WebhookDeliveryFactory(subscription=WebhookSubscriptionFactory(membership=user.memberships.first()))


def query_counts(client, expected_rows):
    counts = {}
    for endpoint in LIST_ENDPOINTS:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/{endpoint}/", {"page_size": 100})
        assert response.status_code == 200
        rows = min(expected_rows, len(EventKind)) if endpoint == "notification-preferences" else expected_rows
        assert len(response.json()["results"]) >= rows, endpoint
        counts[endpoint] = len(queries)
    return counts


def test_list_endpoints_run_constant_queries(clients, memberships, db):
    client, admin = clients["admin"], memberships["admin"].user
    state = StateFactory()
    add_rows(5, state, admin)
    client.get("/api/v1/metrics/")  # first use of the token records last_used_at; not part of a list
    small = query_counts(client, 5)
    add_rows(45, state, admin)
    large = query_counts(client, 50)
    assert large == small
