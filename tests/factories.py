"""factory_boy factories for every model. Factories build valid objects; a launched zone
comes with its schools (``LaunchedZoneFactory``)."""

import datetime
import time
from decimal import Decimal

import factory
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.utils import timezone
from factory.django import DjangoModelFactory

from accountability.models import (
    Baseline,
    ExitCriterion,
    Measurement,
    Metric,
    PeriodSubmission,
    ReminderDigest,
    RenewalDecision,
    ReportingPeriod,
    SchoolMetricProgress,
    SchoolProgress,
    StatusUpdate,
    Target,
)
from accounts.models import ApiToken, Invitation, Membership, Role, User
from autonomy.models import AutonomyCheckIn, AutonomyTerm, AutonomyTermChange
from changes.models import PurgeHorizon, Tombstone, TombstoneReader
from comments.models import Comment
from contracts.models import AnnualReview, ContractDeliverable, ContractTarget, PerformanceContract, ReviewEvidence
from funding.models import Award, AwardAmendment, Budget, Commitment, Expenditure, Funder, MatchRule, RecurringCost
from imports.models import ImportBatch
from network.models import ActionItem, ActivityReport, CalendarFeed, Meeting, MeetingDocument
from notifications.choices import Delivery, EventKind
from notifications.models import EmailDelivery, Event, Notification, Preference, Watch
from partners.models import CollaboratorEngagement, LeadPartner, NationalCollaborator, ServiceArea
from proposals.models import ChangeProposal
from reports.models import ReportRun
from schools.models import School
from web.models import IdempotencyRecord
from webhooks.choices import EventType
from webhooks.models import DispatchCursor, SeenStatus, WebhookDelivery, WebhookSubscription
from webhooks.signing import encrypt, new_secret
from zones.models import District, Initiative, State, Zone


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class InitiativeFactory(DjangoModelFactory):
    class Meta:
        model = Initiative
        django_get_or_create = ["name"]

    name = "Partnership Zone Initiative"
    initial_term_start = datetime.date(2010, 7, 1)
    initial_term_end = datetime.date(2013, 6, 30)
    extension_term_end = datetime.date(2015, 6, 30)
    public_funding_target = Decimal("45000000.00")
    private_funding_target = Decimal("30000000.00")


class StateFactory(DjangoModelFactory):
    class Meta:
        model = State

    initiative = factory.SubFactory(InitiativeFactory)
    name = factory.Sequence(lambda n: f"State {n}")
    postal_code = factory.Sequence(lambda n: f"{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}")
    fips_code = factory.Sequence(lambda n: f"{n % 100:02d}")
    commissioner_name = factory.Faker("name")
    commissioner_email = factory.Faker("email")
    network_status = State.NetworkStatus.NETWORK_MEMBER
    planned_launch_school_year = "2010-11"


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = District

    state = factory.SubFactory(StateFactory)
    name = factory.Sequence(lambda n: f"Demo District {n}")
    nces_lea_id = factory.LazyAttributeSequence(lambda o, n: f"{o.state.fips_code}{n % 100000:05d}")


class LeadPartnerFactory(DjangoModelFactory):
    class Meta:
        model = LeadPartner

    name = factory.Sequence(lambda n: f"Lead Partner {n}")
    kind = LeadPartner.Kind.INDEPENDENT
    contact_name = factory.Faker("name")
    contact_email = factory.Faker("email")


class ZoneFactory(DjangoModelFactory):
    """A zone in planning, established in one district of its state."""

    class Meta:
        model = Zone
        skip_postgeneration_save = True

    state = factory.SubFactory(StateFactory)
    name = factory.Sequence(lambda n: f"Zone {n}")
    lead_partner = factory.SubFactory(LeadPartnerFactory)
    status = Zone.Status.PLANNING
    launch_school_year = "2010-11"

    @factory.post_generation
    def districts(obj, create, extracted, **kwargs):
        if not create:
            return
        obj.districts.set(extracted if extracted is not None else [DistrictFactory(state=obj.state)])


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    district = factory.SubFactory(DistrictFactory)
    zone = None
    name = factory.Sequence(lambda n: f"Demo School {n}")
    nces_id = factory.LazyAttributeSequence(lambda o, n: f"{o.district.nces_lea_id}{n % 100000:05d}")
    lowest_grade = "6"
    highest_grade = "8"
    enrollment = 450
    improvement_tier = School.ImprovementTier.TIER_I


class LaunchedZoneFactory(ZoneFactory):
    """A launched zone holding ``schools`` (default 3) schools of its district."""

    @factory.post_generation
    def schools(obj, create, extracted, **kwargs):
        if not create:
            return
        district = obj.districts.first()
        for _ in range(extracted if extracted is not None else 3):
            SchoolFactory(district=district, zone=obj)
        obj.status = Zone.Status.LAUNCHED
        obj._change_reason = "Launched with its schools"
        obj.full_clean()
        obj.save()


class NationalCollaboratorFactory(DjangoModelFactory):
    class Meta:
        model = NationalCollaborator

    name = factory.Sequence(lambda n: f"Collaborator {n}")


class CollaboratorEngagementFactory(DjangoModelFactory):
    class Meta:
        model = CollaboratorEngagement

    collaborator = factory.SubFactory(NationalCollaboratorFactory)
    state = factory.SubFactory(StateFactory)
    service_area = ServiceArea.PLANNING
    start_date = datetime.date(2010, 1, 1)
    status = CollaboratorEngagement.Status.ACTIVE


class FunderFactory(DjangoModelFactory):
    class Meta:
        model = Funder

    name = factory.Sequence(lambda n: f"Funder {n}")
    kind = Funder.Kind.PRIVATE_FOUNDATION


class CommitmentFactory(DjangoModelFactory):
    """A state-level pledge; pass zone=… with recipient_level="zone" for a zone."""

    class Meta:
        model = Commitment

    funder = factory.SubFactory(FunderFactory)
    state = factory.SubFactory(StateFactory)
    initiative = factory.LazyAttribute(lambda o: o.state.initiative if o.state else InitiativeFactory())
    recipient_level = Commitment.RecipientLevel.STATE
    amount = Decimal("100000.00")
    period_start = datetime.date(2010, 7, 1)
    period_end = datetime.date(2012, 6, 30)
    status = Commitment.Status.PLEDGED
    pledged_on = datetime.date(2010, 3, 1)
    committed_on = factory.LazyAttribute(
        lambda o: datetime.date(2010, 5, 1) if o.status != Commitment.Status.PLEDGED else None
    )
    received_on = factory.LazyAttribute(
        lambda o: datetime.date(2010, 8, 1) if o.status == Commitment.Status.RECEIVED else None
    )


class ExpenditureFactory(DjangoModelFactory):
    class Meta:
        model = Expenditure

    commitment = factory.SubFactory(CommitmentFactory, status=Commitment.Status.RECEIVED)
    zone = factory.LazyAttribute(lambda o: ZoneFactory(state=o.commitment.state))
    category = Expenditure.Category.ELT_COMPENSATION
    amount = Decimal("1000.00")
    spent_on = datetime.date(2010, 9, 15)


class AwardFactory(DjangoModelFactory):
    """A state's federal formula award (1003(g) SIG): 27 months of availability, then 120 days."""

    class Meta:
        model = Award

    funder = factory.SubFactory(FunderFactory, kind=Funder.Kind.FEDERAL_FORMULA)
    state = factory.SubFactory(StateFactory)
    name = factory.Sequence(lambda n: f"FY2010 1003(g) SIG {n}")
    amount = Decimal("3000000.00")
    awarded_on = datetime.date(2010, 6, 15)
    period_start = datetime.date(2010, 7, 1)
    obligation_deadline = datetime.date(2012, 9, 30)
    liquidation_deadline = datetime.date(2013, 1, 28)


class AwardAmendmentFactory(DjangoModelFactory):
    class Meta:
        model = AwardAmendment

    award = factory.SubFactory(AwardFactory)
    effective_on = datetime.date(2011, 1, 15)
    previous_amount = factory.LazyAttribute(lambda o: o.award.amount)
    amount = factory.LazyAttribute(lambda o: o.award.amount)
    previous_obligation_deadline = factory.LazyAttribute(lambda o: o.award.obligation_deadline)
    obligation_deadline = factory.LazyAttribute(lambda o: o.award.obligation_deadline)
    previous_liquidation_deadline = factory.LazyAttribute(lambda o: o.award.liquidation_deadline)
    liquidation_deadline = factory.LazyAttribute(lambda o: o.award.liquidation_deadline)
    reason = "Carryover approved by the Department."


class MatchRuleFactory(DjangoModelFactory):
    """A state's own match rule."""

    class Meta:
        model = MatchRule

    state = factory.SubFactory(StateFactory)
    initiative = factory.LazyAttribute(lambda o: o.state.initiative if o.state else InitiativeFactory())
    target_ratio = Decimal("0.500")


class BudgetFactory(DjangoModelFactory):
    """A zone's budget line, within the money committed to the zone (a zone-level commitment)."""

    class Meta:
        model = Budget

    zone = factory.SubFactory(ZoneFactory)
    fiscal_year = 2011
    category = Expenditure.Category.ELT_COMPENSATION
    amount = Decimal("50000.00")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Commit the money first (a budget cannot exceed what the zone has), unless it is there."""
        zone = kwargs["zone"]
        if not Commitment.objects.filter(zone=zone, status__in=Budget.AVAILABLE_STATUSES).exists():
            CommitmentFactory(
                state=zone.state,
                zone=zone,
                recipient_level=Commitment.RecipientLevel.ZONE,
                status=Commitment.Status.COMMITTED,
                amount=max(kwargs.get("amount", Decimal("0")), Decimal("100000.00")),
            )
        return super()._create(model_class, *args, **kwargs)


class RecurringCostFactory(DjangoModelFactory):
    class Meta:
        model = RecurringCost

    school = factory.SubFactory(SchoolFactory)
    category = Expenditure.Category.ELT_COMPENSATION
    annual_cost = Decimal("250000.00")
    added_minutes_per_day = 60
    paid_by = factory.LazyAttribute(
        lambda o: CommitmentFactory(
            state=o.school.district.state, funder=FunderFactory(kind=Funder.Kind.FEDERAL_FORMULA)
        )
    )


class MetricFactory(DjangoModelFactory):
    class Meta:
        model = Metric
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"metric-{n}")
    name = factory.Sequence(lambda n: f"Metric {n}")
    unit = Metric.Unit.PERCENT
    direction = Metric.Direction.HIGHER
    min_value = Decimal("0")
    max_value = Decimal("100")


class BaselineFactory(DjangoModelFactory):
    class Meta:
        model = Baseline

    school = factory.SubFactory(SchoolFactory)
    metric = factory.SubFactory(MetricFactory)
    school_year = "2009-10"
    value = Decimal("30.00")


class TargetFactory(DjangoModelFactory):
    class Meta:
        model = Target

    school = factory.SubFactory(SchoolFactory)
    metric = factory.SubFactory(MetricFactory)
    target_school_year = "2011-12"
    value = Decimal("50.00")


class MeasurementFactory(DjangoModelFactory):
    class Meta:
        model = Measurement

    school = factory.SubFactory(SchoolFactory)
    metric = factory.SubFactory(MetricFactory)
    school_year = "2010-11"
    period = Measurement.Period.END_OF_YEAR
    value = Decimal("40.00")
    source = "State assessment"


class StatusUpdateFactory(DjangoModelFactory):
    class Meta:
        model = StatusUpdate

    school = factory.SubFactory(SchoolFactory)
    author = factory.SubFactory(UserFactory)
    reported_on = datetime.date(2010, 11, 1)
    rating = StatusUpdate.Rating.ON_TRACK
    narrative = factory.Faker("paragraph")


class SchoolMetricProgressFactory(DjangoModelFactory):
    """The progress read model's row of a school and metric: written by the write of an input
    (here a baseline), never on its own."""

    class Meta:
        model = SchoolMetricProgress

    school = factory.SubFactory(SchoolFactory)
    metric = factory.SubFactory(MetricFactory)

    @classmethod
    def _create(cls, model_class, school, metric, **kwargs):
        BaselineFactory(school=school, metric=metric)
        return model_class._base_manager.get(school=school, metric=metric)


class SchoolProgressFactory(DjangoModelFactory):
    """The progress read model's row of a school: written when the school is saved."""

    class Meta:
        model = SchoolProgress

    school = factory.SubFactory(SchoolFactory)

    @classmethod
    def _create(cls, model_class, school, **kwargs):
        return model_class._base_manager.get(school=school)


class ReportingPeriodFactory(DjangoModelFactory):
    """A state's spring reporting period of 2010-11, due at the end of May."""

    class Meta:
        model = ReportingPeriod
        django_get_or_create = ["state", "school_year", "period"]

    state = factory.SubFactory(StateFactory)
    school_year = "2010-11"
    period = Measurement.Period.SPRING
    due_on = datetime.date(2011, 5, 31)


class PeriodSubmissionFactory(DjangoModelFactory):
    """A school's report for its state's reporting period, in progress."""

    class Meta:
        model = PeriodSubmission

    school = factory.SubFactory(SchoolFactory)
    reporting_period = factory.LazyAttribute(lambda o: ReportingPeriodFactory(state=o.school.district.state))


class RenewalDecisionFactory(DjangoModelFactory):
    class Meta:
        model = RenewalDecision

    zone = factory.SubFactory(ZoneFactory)
    decision = RenewalDecision.Decision.CONTINUE
    reasons = "Targets met on most metrics; leading indicators improving."
    decided_on = datetime.date(2012, 6, 30)
    decided_by = factory.SubFactory(UserFactory)


class ExitCriterionFactory(DjangoModelFactory):
    class Meta:
        model = ExitCriterion

    state = factory.SubFactory(StateFactory)
    kind = ExitCriterion.Kind.TARGETS_MET
    years = 2


class ReminderDigestFactory(DjangoModelFactory):
    class Meta:
        model = ReminderDigest

    recipient = factory.SubFactory(UserFactory)
    state = factory.SubFactory(StateFactory)
    sent_on = datetime.date(2011, 5, 24)
    items = 3


def enable_totp(user) -> str:
    """Give ``user`` a TOTP authenticator (initiative admins must have one); returns its secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str) -> str:
    """The code an authenticator app shows for ``secret`` now (MFA_TOTP_TOLERANCE covers a boundary)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


class MembershipFactory(DjangoModelFactory):
    """A membership; an initiative admin's user also gets the TOTP authenticator the app requires."""

    class Meta:
        model = Membership
        skip_postgeneration_save = True

    @factory.post_generation
    def two_factor(obj, create, extracted, **kwargs):
        if create and obj.role == Role.INITIATIVE_ADMIN and extracted is not False:
            enable_totp(obj.user)

    user = factory.SubFactory(UserFactory)
    role = Role.STATE_VIEWER
    state = factory.LazyAttribute(
        lambda o: StateFactory() if o.role in {"state_lead", "state_viewer", "commissioner"} else None
    )
    lead_partner = factory.LazyAttribute(lambda o: LeadPartnerFactory() if o.role == Role.LEAD_PARTNER_STAFF else None)
    collaborator = factory.LazyAttribute(
        lambda o: NationalCollaboratorFactory() if o.role == Role.COLLABORATOR else None
    )


class InvitationFactory(DjangoModelFactory):
    class Meta:
        model = Invitation

    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = Role.STATE_VIEWER
    state = factory.SubFactory(StateFactory)
    invited_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=7))
    token_hash = factory.Sequence(lambda n: f"{n:064d}")


class ApiTokenFactory(DjangoModelFactory):
    class Meta:
        model = ApiToken

    membership = factory.SubFactory(MembershipFactory)
    name = factory.Sequence(lambda n: f"Token {n}")
    key_prefix = factory.Sequence(lambda n: f"{n:08d}")
    key_hash = factory.Sequence(lambda n: f"{n:064x}")


class ReportRunFactory(DjangoModelFactory):
    """A queued progress report for a state."""

    class Meta:
        model = ReportRun

    kind = ReportRun.Kind.STATE_PROGRESS
    state = factory.SubFactory(StateFactory)
    period = "2010-12"


class ImportBatchFactory(DjangoModelFactory):
    """A previewed measurements import for a state (pass lead_partner=… for a Lead Partner's)."""

    class Meta:
        model = ImportBatch

    kind = ImportBatch.Kind.MEASUREMENTS
    state = factory.SubFactory(StateFactory)
    file = factory.django.FileField(filename="upload.csv", data=b"nces_id,metric,school_year,period,value\n")
    original_name = "measurements.csv"
    uploaded_by = factory.SubFactory(UserFactory)
    summary = factory.LazyFunction(lambda: {"counts": {"create": 0, "update": 0, "skip": 0, "errors": 0}})


class PerformanceContractFactory(DjangoModelFactory):
    class Meta:
        model = PerformanceContract

    zone = factory.SubFactory(LaunchedZoneFactory)
    lead_partner = factory.SelfAttribute("zone.lead_partner")
    status = PerformanceContract.Status.ACTIVE
    starts_on = datetime.date(2010, 7, 1)
    ends_on = datetime.date(2013, 6, 30)
    signed_on = datetime.date(2010, 6, 15)
    renewal_conditions = "Renewed for two years when every school meets its first-year targets."
    termination_conditions = "Terminated when two consecutive annual reviews do not meet expectations."


class ContractDeliverableFactory(DjangoModelFactory):
    class Meta:
        model = ContractDeliverable

    contract = factory.SubFactory(PerformanceContractFactory)
    title = factory.Sequence(lambda n: f"Deliverable {n}")
    due_on = datetime.date(2010, 9, 30)


class ContractTargetFactory(DjangoModelFactory):
    class Meta:
        model = ContractTarget

    contract = factory.SubFactory(PerformanceContractFactory)
    metric = factory.SubFactory(MetricFactory)
    level = Decimal("50.00")
    school_year = "2011-12"


class AnnualReviewFactory(DjangoModelFactory):
    class Meta:
        model = AnnualReview

    contract = factory.SubFactory(PerformanceContractFactory)
    school_year = "2010-11"
    status = AnnualReview.Status.ISSUED
    reviewer = factory.SubFactory(UserFactory)
    academic_rating = AnnualReview.Rating.MEETS
    academic_narrative = "Reading proficiency rose at two of three schools."
    operational_rating = AnnualReview.Rating.APPROACHING
    operational_narrative = "Two reporting periods were submitted late."
    financial_rating = AnnualReview.Rating.MEETS
    financial_narrative = "Spending tracked the commitments."
    issued_at = factory.LazyFunction(lambda: datetime.datetime(2011, 7, 15, tzinfo=datetime.UTC))


class ReviewEvidenceFactory(DjangoModelFactory):
    class Meta:
        model = ReviewEvidence

    review = factory.SubFactory(AnnualReviewFactory)
    part = AnnualReview.Part.ACADEMIC
    title = "State assessment results"
    url = "https://example.org/results.pdf"


class AutonomyTermFactory(DjangoModelFactory):
    class Meta:
        model = AutonomyTerm

    zone = factory.SubFactory(LaunchedZoneFactory)
    area = AutonomyTerm.Area.PEOPLE
    power = AutonomyTerm.Power.HIRING
    description = "The zone hires its own teachers."
    source = AutonomyTerm.Source.MOU_CLAUSE
    source_reference = "MOU §4.2"
    status = AutonomyTerm.Status.GRANTED
    effective_from = datetime.date(2010, 7, 1)


class AutonomyCheckInFactory(DjangoModelFactory):
    class Meta:
        model = AutonomyCheckIn

    term = factory.SubFactory(AutonomyTermFactory)
    practice = AutonomyCheckIn.Practice.PARTLY
    note = "Granted hiring authority, but the district placed 4 teachers."
    observed_on = datetime.date(2010, 10, 1)
    recorded_by = factory.SubFactory(UserFactory)


class AutonomyTermChangeFactory(DjangoModelFactory):
    class Meta:
        model = AutonomyTermChange

    term = factory.SubFactory(AutonomyTermFactory)
    from_status = AutonomyTerm.Status.REQUESTED
    to_status = AutonomyTerm.Status.GRANTED
    reason = "Granted in the signed MOU."
    effective_on = datetime.date(2010, 7, 1)
    changed_by = factory.SubFactory(UserFactory)


class ChangeProposalFactory(DjangoModelFactory):
    class Meta:
        model = ChangeProposal

    school = factory.SubFactory(SchoolFactory)
    zone = factory.SelfAttribute("school.zone")
    state = factory.SelfAttribute("school.district.state")
    kind = ChangeProposal.Kind.SCHOOL_STATUS
    before = factory.LazyAttribute(lambda proposal: {"turnaround_status": proposal.school.turnaround_status})
    after = {"turnaround_status": School.TurnaroundStatus.EXITED}
    reason = "Met its exit targets two years running."
    proposed_by = factory.SubFactory(UserFactory)


class CommentFactory(DjangoModelFactory):
    class Meta:
        model = Comment

    school = factory.SubFactory(SchoolFactory)
    zone = factory.SelfAttribute("school.zone")
    state = factory.SelfAttribute("school.district.state")
    subject = Comment.Subject.SCHOOL
    author = factory.SubFactory(UserFactory)
    body = factory.Faker("sentence")
    visibility = Comment.Visibility.EVERYONE


class ActivityReportFactory(DjangoModelFactory):
    class Meta:
        model = ActivityReport

    engagement = factory.SubFactory(CollaboratorEngagementFactory)
    date = datetime.date(2011, 3, 15)
    hours = Decimal("6.50")
    participants = "State turnaround director\nZone Lead Partner principal"
    topics = "Budget audit of the zone's schools"
    outcome = "Three reallocations identified"
    next_steps = "Share the audit with the district"


class MeetingFactory(DjangoModelFactory):
    """A state meeting (pass ``kind=SDG_CALL, state=None`` for a network call)."""

    class Meta:
        model = Meeting

    kind = Meeting.Kind.STATE_MEETING
    state = factory.SubFactory(StateFactory)
    title = factory.Sequence(lambda n: f"Zone planning meeting {n}")
    starts_at = factory.LazyFunction(lambda: datetime.datetime(2011, 2, 10, 15, 0, tzinfo=datetime.UTC))
    agenda = "1. Zone launch timeline\n2. Budget audit"
    minutes = "The state reviewed the launch timeline."
    decisions = "Launch the second zone in the fall"


class MeetingDocumentFactory(DjangoModelFactory):
    class Meta:
        model = MeetingDocument

    meeting = factory.SubFactory(MeetingFactory)
    title = "Agenda"
    file = factory.django.FileField(filename="agenda.pdf", data=b"%PDF-1.4 agenda")
    filename = "agenda.pdf"


class ActionItemFactory(DjangoModelFactory):
    class Meta:
        model = ActionItem

    meeting = factory.SubFactory(MeetingFactory)
    state = factory.SelfAttribute("meeting.state")
    title = factory.Sequence(lambda n: f"Send the budget template {n}")
    owner = factory.SubFactory(UserFactory)
    due_on = datetime.date(2011, 3, 1)


class CalendarFeedFactory(DjangoModelFactory):
    class Meta:
        model = CalendarFeed

    user = factory.SubFactory(UserFactory)
    key_prefix = factory.Sequence(lambda n: f"{n:08d}")
    key_hash = factory.Sequence(lambda n: f"{n:064x}")


class EventFactory(DjangoModelFactory):
    class Meta:
        model = Event

    kind = EventKind.STATUS_UPDATE_POSTED
    state = factory.SubFactory(StateFactory)
    summary = factory.Sequence(lambda n: f"Status update {n} posted")
    link = "/"


class IdempotencyRecordFactory(DjangoModelFactory):
    class Meta:
        model = IdempotencyRecord

    user = factory.SubFactory(UserFactory)
    key = factory.Sequence(lambda n: f"key-{n}")
    method = "POST"
    path = "/api/v1/status-updates/"
    body_sha256 = "0" * 64
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda record: record.created_at + datetime.timedelta(days=1))


class EmailDeliveryFactory(DjangoModelFactory):
    class Meta:
        model = EmailDelivery

    recipient = factory.SubFactory(UserFactory)
    cadence = Delivery.IMMEDIATE
    key = factory.Sequence(lambda n: f"test:{n}")
    to_email = factory.SelfAttribute("recipient.email")
    subject = "A notification"


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    event = factory.SubFactory(EventFactory)
    delivery = Delivery.IN_APP


class PreferenceFactory(DjangoModelFactory):
    class Meta:
        model = Preference

    user = factory.SubFactory(UserFactory)
    kind = EventKind.STATUS_UPDATE_POSTED
    delivery = Delivery.WEEKLY


class WatchFactory(DjangoModelFactory):
    class Meta:
        model = Watch

    user = factory.SubFactory(UserFactory)
    state = factory.SubFactory(StateFactory)


class TombstoneFactory(DjangoModelFactory):
    class Meta:
        model = Tombstone

    model = "schools.school"
    object_id = factory.Sequence(lambda n: 900000 + n)
    natural_key = factory.Sequence(lambda n: {"nces_id": f"{80000000000 + n}"})
    updated_at = factory.LazyFunction(timezone.now)
    audience = Tombstone.Audience.TENANT
    state_id = factory.LazyFunction(lambda: StateFactory().pk)


class TombstoneReaderFactory(DjangoModelFactory):
    class Meta:
        model = TombstoneReader

    tombstone = factory.SubFactory(TombstoneFactory)
    lead_partner_id = factory.LazyFunction(lambda: LeadPartnerFactory().pk)


class PurgeHorizonFactory(DjangoModelFactory):
    class Meta:
        model = PurgeHorizon
        django_get_or_create = ("id",)

    id = 1
    change_version = 1
    deleted_through = factory.LazyFunction(timezone.now)


class WebhookSubscriptionFactory(DjangoModelFactory):
    """A subscription to every event type; its secret is ``subscription.secret``."""

    class Meta:
        model = WebhookSubscription

    membership = factory.SubFactory(MembershipFactory, role=Role.STATE_LEAD, state=factory.SubFactory(StateFactory))
    name = factory.Sequence(lambda n: f"Warehouse {n}")
    target_url = "https://hooks.example.org/zone-portfolio"
    event_types = factory.LazyFunction(lambda: list(EventType.values))
    secret_encrypted = factory.LazyFunction(lambda: encrypt(new_secret()))


class WebhookDeliveryFactory(DjangoModelFactory):
    class Meta:
        model = WebhookDelivery

    subscription = factory.SubFactory(WebhookSubscriptionFactory)
    message_id = factory.Sequence(lambda n: f"msg_{n:032x}")
    event_type = EventType.SCHOOL_CHANGED
    payload = factory.LazyAttribute(lambda d: {"type": d.event_type, "timestamp": "", "data": {}})


class DispatchCursorFactory(DjangoModelFactory):
    class Meta:
        model = DispatchCursor
        django_get_or_create = ["id"]

    id = 1


class SeenStatusFactory(DjangoModelFactory):
    class Meta:
        model = SeenStatus

    model = "funding.commitment"
    object_id = factory.Sequence(lambda n: n + 1)
    status = "pledged"
