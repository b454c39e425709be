"""Every list endpoint runs the same number of SQL queries for a page of 5 rows as for 50."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.api_urls import router
from tests.factories import (
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
    ExitCriterionFactory,
    ExpenditureFactory,
    ImportBatchFactory,
    LaunchedZoneFactory,
    MatchRuleFactory,
    MeasurementFactory,
    MetricFactory,
    PerformanceContractFactory,
    PeriodSubmissionFactory,
    RecurringCostFactory,
    RenewalDecisionFactory,
    ReportingPeriodFactory,
    ReportRunFactory,
    ReviewEvidenceFactory,
    SchoolFactory,
    StateFactory,
    StatusUpdateFactory,
    TargetFactory,
    ZoneFactory,
)

LIST_ENDPOINTS = [prefix for prefix, _viewset, _basename in router.registry]


def add_rows(count, state):
    """``count`` more rows for every list endpoint (each zone with a school that has data)."""
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
        CollaboratorEngagementFactory(state=state)
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


def query_counts(client, expected_rows):
    counts = {}
    for endpoint in LIST_ENDPOINTS:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/{endpoint}/", {"page_size": 100})
        assert response.status_code == 200
        assert len(response.json()["results"]) >= expected_rows, endpoint
        counts[endpoint] = len(queries)
    return counts


def test_list_endpoints_run_constant_queries(clients, db):
    client = clients["admin"]
    state = StateFactory()
    add_rows(5, state)
    client.get("/api/v1/metrics/")  # first use of the token records last_used_at; not part of a list
    small = query_counts(client, 5)
    add_rows(45, state)
    large = query_counts(client, 50)
    assert large == small
