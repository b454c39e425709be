"""Two tenants for the accounts tests: state A (where every non-admin test user belongs) and
state B, each with a launched zone led by its own Lead Partner, an engaged collaborator, funding
and results. Every tenant-owned row carries a marker text so a leak shows up in page bodies."""

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile

from accountability.models import SchoolMetricProgress, SchoolProgress
from accounts.models import Role
from changes.models import Tombstone
from comments.models import Comment
from funding.models import Commitment
from tests.factories import (
    ActionItemFactory,
    ActivityReportFactory,
    AnnualReviewFactory,
    ApiTokenFactory,
    AutonomyCheckInFactory,
    AutonomyTermChangeFactory,
    AutonomyTermFactory,
    AwardAmendmentFactory,
    AwardFactory,
    BaselineFactory,
    BudgetFactory,
    CalendarFeedFactory,
    ChangeProposalFactory,
    CollaboratorEngagementFactory,
    CommentFactory,
    CommitmentFactory,
    ContractDeliverableFactory,
    ContractTargetFactory,
    EventFactory,
    ExitCriterionFactory,
    ExpenditureFactory,
    FunderFactory,
    ImportBatchFactory,
    InvitationFactory,
    LaunchedZoneFactory,
    LeadPartnerFactory,
    MatchRuleFactory,
    MeasurementFactory,
    MeetingDocumentFactory,
    MeetingFactory,
    MetricFactory,
    NationalCollaboratorFactory,
    NotificationFactory,
    PerformanceContractFactory,
    PeriodSubmissionFactory,
    PreferenceFactory,
    RecurringCostFactory,
    ReminderDigestFactory,
    RenewalDecisionFactory,
    ReportingPeriodFactory,
    ReportRunFactory,
    ReviewEvidenceFactory,
    StateFactory,
    StatusUpdateFactory,
    TargetFactory,
    WatchFactory,
    WebhookDeliveryFactory,
    WebhookSubscriptionFactory,
    enable_totp,
)
from tests.worlds import PASSWORD, ROLES  # noqa: F401 (for the tests)
from tests.worlds import login_member as make_member


@dataclass
class Tenant:
    """One state's slice of the data; ``marker`` prefixes the text of every row it owns."""

    marker: str
    state: object
    district: object
    zone: object
    school: object
    lead_partner: object
    collaborator: object
    engagement: object
    funder: object
    commitment: object
    expenditure: object
    award: object
    award_amendment: object
    match_rule: object
    budget: object
    recurring_cost: object
    metric: object
    baseline: object
    target: object
    measurement: object
    status_update: object
    report_run: object
    import_batch: object
    reporting_period: object
    period_submission: object
    renewal_decision: object
    exit_criterion: object
    reminder_digest: object
    contract: object
    deliverable: object
    contract_target: object
    annual_review: object
    review_evidence: object
    autonomy_term: object
    autonomy_check_in: object
    autonomy_term_change: object
    change_proposal: object
    comment: object  # visible to everyone who reads the school
    # the other visibility levels of a comment on the same school (tests/comments read them per role)
    partner_comment: object
    state_only_comment: object
    activity_report: object = None
    meeting: object = None  # a state meeting (the network's SDG calls: tests/network)
    meeting_document: object = None
    action_item: object = None  # owned by the state's lead (tests/network: owners in other roles)
    tombstone: object = None  # a deleted status update of the tenant's school (the deletes feed)
    api_token: object = None  # tenant B's: a token of its state lead (tenant A's are per role)
    notification: object = None  # tenant B's: its state lead's (tenant A's are per role)
    calendar_feed: object = None
    preference: object = None  # tenant B's: its state lead's (tenant A's are per role)
    watch: object = None
    webhook_subscription: object = None  # tenant B's: its state lead's (tenant A's are per role)
    webhook_delivery: object = None
    invitation: object = None  # a pending invitation to the state (its state lead's)
    metric_progress: object = None  # the progress read model's rows of the school (written on write)
    school_progress: object = None


def build_tenant(marker: str, postal_code: str, fips_code: str, lead_partner_name: str, collaborator_name: str):
    state = StateFactory(name=f"{marker} State", postal_code=postal_code, fips_code=fips_code)
    lead_partner = LeadPartnerFactory(name=lead_partner_name)
    zone = LaunchedZoneFactory(state=state, lead_partner=lead_partner, name=f"{marker} Zone")
    district = zone.districts.get()
    district.name = f"{marker} District"
    district.save()
    schools = list(zone.schools.order_by("pk"))
    for number, school in enumerate(schools, start=1):
        school.name = f"{marker} School {number}"
        school.save()
    school = schools[0]
    collaborator = NationalCollaboratorFactory(name=collaborator_name)
    engagement = CollaboratorEngagementFactory(
        collaborator=collaborator, state=state, description=f"{marker} engagement notes"
    )
    funder = FunderFactory(name=f"Funder of {postal_code}")
    commitment = CommitmentFactory(
        funder=funder, state=state, status=Commitment.Status.RECEIVED, description=f"{marker} pledge"
    )
    expenditure = ExpenditureFactory(commitment=commitment, zone=zone, description=f"{marker} spending")
    award = AwardFactory(state=state, name=f"{marker} SIG award")
    metric = MetricFactory(code=f"metric-{postal_code.lower()}", name=f"Metric {postal_code}")
    contract = PerformanceContractFactory(
        zone=zone,
        lead_partner=lead_partner,
        renewal_conditions=f"{marker} renewal conditions",
        document=ContentFile(b"%PDF-1.4", name="contract.pdf"),
    )
    annual_review = AnnualReviewFactory(contract=contract, academic_narrative=f"{marker} review narrative")
    autonomy_term = AutonomyTermFactory(zone=zone, description=f"{marker} hiring term")
    status_update = StatusUpdateFactory(school=school, narrative=f"{marker} narrative")

    meeting = MeetingFactory(state=state, title=f"{marker} planning meeting", minutes=f"{marker} meeting minutes")
    deleted = StatusUpdateFactory(school=school, narrative=f"{marker} deleted narrative")
    deleted_pk = deleted.pk
    deleted.delete()

    def comment(visibility, text):
        return CommentFactory(school=school, zone=zone, state=state, visibility=visibility, body=f"{marker} {text}")

    return Tenant(
        marker=marker,
        state=state,
        district=district,
        zone=zone,
        school=school,
        lead_partner=lead_partner,
        collaborator=collaborator,
        engagement=engagement,
        funder=funder,
        commitment=commitment,
        expenditure=expenditure,
        award=award,
        award_amendment=AwardAmendmentFactory(award=award, reason=f"{marker} amendment reason"),
        match_rule=MatchRuleFactory(state=state),
        budget=BudgetFactory(zone=zone, notes=f"{marker} budget notes"),
        recurring_cost=RecurringCostFactory(school=school, plan=f"{marker} sustainability plan"),
        metric=metric,
        baseline=BaselineFactory(school=school, metric=metric, source=f"{marker} baseline source"),
        target=TargetFactory(school=school, metric=metric),
        measurement=MeasurementFactory(school=school, metric=metric, source=f"{marker} measurement source"),
        status_update=status_update,
        report_run=ReportRunFactory(
            kind="zone_progress", state=state, zone=zone, status="done", file=ContentFile(b"%PDF-1.4", name="run.pdf")
        ),
        import_batch=ImportBatchFactory(state=state, lead_partner=lead_partner),
        reporting_period=ReportingPeriodFactory(state=state),
        period_submission=PeriodSubmissionFactory(school=school, comment=f"{marker} review comment"),
        renewal_decision=RenewalDecisionFactory(zone=zone, reasons=f"{marker} renewal reasons"),
        exit_criterion=ExitCriterionFactory(state=state),
        reminder_digest=ReminderDigestFactory(state=state),
        contract=contract,
        deliverable=ContractDeliverableFactory(contract=contract, title=f"{marker} deliverable"),
        contract_target=ContractTargetFactory(contract=contract, metric=metric),
        annual_review=annual_review,
        review_evidence=ReviewEvidenceFactory(review=annual_review, title=f"{marker} evidence"),
        autonomy_term=autonomy_term,
        autonomy_check_in=AutonomyCheckInFactory(term=autonomy_term, note=f"{marker} check-in note"),
        autonomy_term_change=AutonomyTermChangeFactory(term=autonomy_term, reason=f"{marker} change reason"),
        change_proposal=ChangeProposalFactory(school=school, reason=f"{marker} proposal reason"),
        comment=comment(Comment.Visibility.EVERYONE, "open comment"),
        partner_comment=comment(Comment.Visibility.PARTNER_AND_STATE, "partner comment"),
        state_only_comment=comment(Comment.Visibility.STATE_STAFF, "state-only comment"),
        activity_report=ActivityReportFactory(engagement=engagement, outcome=f"{marker} activity outcome"),
        meeting=meeting,
        meeting_document=MeetingDocumentFactory(meeting=meeting, title=f"{marker} meeting document"),
        action_item=ActionItemFactory(meeting=meeting, title=f"{marker} action item"),
        tombstone=Tombstone._base_manager.get(model="accountability.statusupdate", object_id=deleted_pk),
        metric_progress=SchoolMetricProgress._base_manager.get(school=school, metric=metric),
        school_progress=SchoolProgress._base_manager.get(school=school),
    )


@dataclass
class World:
    a: Tenant
    b: Tenant
    users: dict  # role -> user, every non-admin role held over tenant A
    invitation_token: str  # the link's token of a pending invitation to tenant A
    own_rows: dict  # owned model name -> role -> that role's user's own row (an API token, ...)


def build_world() -> World:
    a = build_tenant("Arcadia", "AR", "05", "Larkspur Learning", "Ridgeline Advisors")
    b = build_tenant("Borealis", "BO", "55", "Northwind Partners", "Summit Collective")
    users = {
        Role.INITIATIVE_ADMIN: make_member("admin@example.org", Role.INITIATIVE_ADMIN),
        Role.STATE_LEAD: make_member("lead@example.org", Role.STATE_LEAD, state=a.state),
        Role.STATE_VIEWER: make_member("viewer@example.org", Role.STATE_VIEWER, state=a.state),
        Role.COMMISSIONER: make_member("commissioner@example.org", Role.COMMISSIONER, state=a.state),
        Role.LEAD_PARTNER_STAFF: make_member(
            "partner@example.org", Role.LEAD_PARTNER_STAFF, lead_partner=a.lead_partner
        ),
        Role.COLLABORATOR: make_member("collaborator@example.org", Role.COLLABORATOR, collaborator=a.collaborator),
    }
    admin = users[Role.INITIATIVE_ADMIN]
    admin.is_staff = True
    admin.save()
    enable_totp(admin)
    invitation = InvitationFactory(email="newcomer@example.org", state=a.state, invited_by=users[Role.STATE_LEAD])
    token = invitation.issue_token()
    invitation.save()
    a.invitation = invitation
    lead_b = make_member("lead-b@example.org", Role.STATE_LEAD, state=b.state)
    b.invitation = InvitationFactory(email="newcomer-b@example.org", state=b.state, invited_by=lead_b)
    b.api_token = ApiTokenFactory(membership=lead_b.memberships.get())
    b.notification = NotificationFactory(recipient=lead_b, event=EventFactory(state=b.state, summary="Borealis event"))
    b.calendar_feed = CalendarFeedFactory(user=lead_b, name="Borealis feed")
    b.preference = PreferenceFactory(user=lead_b)
    b.watch = WatchFactory(user=lead_b, state=b.state)
    b.webhook_subscription = WebhookSubscriptionFactory(membership=lead_b.memberships.get(), name="Borealis hook")
    b.webhook_delivery = WebhookDeliveryFactory(subscription=b.webhook_subscription)
    for item in (a.action_item, b.action_item):
        item.owner = users[Role.STATE_LEAD] if item is a.action_item else lead_b
        item.save()

    def own(factory, **fields):
        return {
            str(role): factory(**{key: value(user) for key, value in fields.items()}) for role, user in users.items()
        }

    return World(
        a=a,
        b=b,
        users={str(role): user for role, user in users.items()},
        invitation_token=token,
        own_rows={
            "apitoken": own(ApiTokenFactory, membership=lambda user: user.memberships.get()),
            "notification": own(
                NotificationFactory, recipient=lambda user: user, event=lambda user: EventFactory(state=a.state)
            ),
            "calendarfeed": own(CalendarFeedFactory, user=lambda user: user),
            "preference": own(PreferenceFactory, user=lambda user: user),
            "watch": own(WatchFactory, user=lambda user: user, state=lambda user: a.state),
            "webhooksubscription": own(WebhookSubscriptionFactory, membership=lambda user: user.memberships.get()),
            "webhookdelivery": own(
                WebhookDeliveryFactory,
                subscription=lambda user: WebhookSubscriptionFactory(membership=user.memberships.get()),
            ),
        },
    )


@pytest.fixture(scope="module")
def world_builder():
    """``world`` (tests/worlds.py, built once per module): the two marked tenants."""
    return build_world


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth keeps rate-limit counters in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()
