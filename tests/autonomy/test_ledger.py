"""The ledger's use cases (autonomy.ledger) and its read model (autonomy.services): who may record
and change what, the change rows with their reasons and causes (earned autonomy), the lock and
version that keep two changes of one term from both winning, and what each role reads."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role
from autonomy import ledger
from autonomy.models import AutonomyCheckIn, AutonomyTerm, AutonomyTermChange
from autonomy.services import ledger_summary
from core.concurrency import StaleRecord
from core.tenancy import reach_scope
from tests.factories import (
    AnnualReviewFactory,
    AutonomyCheckInFactory,
    AutonomyTermFactory,
    LaunchedZoneFactory,
    PerformanceContractFactory,
    RenewalDecisionFactory,
)
from tests.worlds import member

pytestmark = pytest.mark.django_db
Status, Power = AutonomyTerm.Status, AutonomyTerm.Power
DAY = datetime.date(2011, 9, 20)


@pytest.fixture
def zone(db):
    return LaunchedZoneFactory()


@pytest.fixture
def lead(zone):
    return member(Role.STATE_LEAD, state=zone.state)


@pytest.fixture
def partner(zone):
    return member(Role.LEAD_PARTNER_STAFF, lead_partner=zone.lead_partner)


def new_term(zone, **values):
    return AutonomyTerm(zone=zone, **{"area": "people", "power": Power.HIRING, **values})


def test_a_lead_partner_requests_a_term_and_its_first_change_is_written(zone, partner):
    term = ledger.create_term(new_term(zone), by=partner, reason="The zone must hire its own teachers.")
    assert term.status == Status.REQUESTED
    [change] = term.changes.all()
    assert (change.from_status, change.to_status, change.reason, change.changed_by) == (
        "",
        Status.REQUESTED,
        "The zone must hire its own teachers.",
        partner,
    )
    assert term.history.get().history_user == partner


def test_a_lead_partner_may_only_request(zone, partner):
    granted = new_term(zone, status=Status.GRANTED, source="mou_clause", effective_from=DAY)
    with pytest.raises(ValidationError) as refused:
        ledger.create_term(granted, by=partner)
    assert refused.value.message_dict == {
        "status": ["A Lead Partner requests a term; the state decides whether it is granted."]
    }
    assert not AutonomyTerm.objects.exists()


def test_the_state_records_a_granted_term_with_its_source_and_date(zone, lead):
    with pytest.raises(ValidationError) as refused:
        ledger.create_term(new_term(zone, status=Status.GRANTED), by=lead)
    assert set(refused.value.message_dict) == {"source", "effective_from"}
    term = ledger.create_term(new_term(zone, status=Status.GRANTED, source="mou_clause", effective_from=DAY), by=lead)
    assert term.changes.get().reason == "Granted"
    assert term.changes.get().effective_on == DAY


def test_nobody_outside_the_zone_adds_a_term(zone):
    other_partner = member(Role.LEAD_PARTNER_STAFF, lead_partner=LaunchedZoneFactory().lead_partner)
    viewer = member(Role.STATE_VIEWER, state=zone.state)
    for user in (other_partner, viewer):
        with pytest.raises(PermissionDenied):
            ledger.create_term(new_term(zone), by=user)


def test_changing_the_status_writes_the_change_with_its_reason_and_saves_the_term(zone, lead, partner):
    term = AutonomyTermFactory(zone=zone)
    check_in = ledger.record_check_in(
        term, practice="does_not_hold", note="The district placed 4 teachers.", observed_on=DAY, by=partner
    )
    change = ledger.change_term_status(
        term, Status.CONTESTED, reason="The district overrides the MOU.", by=lead, effective_on=DAY, check_in=check_in
    )
    stored = AutonomyTerm.objects.get(pk=term.pk)
    assert stored.status == term.status == Status.CONTESTED
    assert stored.version == term.version == 2
    assert (change.from_status, change.to_status, change.check_in, change.changed_by) == (
        Status.GRANTED,
        Status.CONTESTED,
        check_in,
        lead,
    )
    assert stored.history.first().history_change_reason == "The district overrides the MOU."


def test_a_no_op_a_missing_reason_and_a_lead_partner_are_refused(zone, lead, partner):
    term = AutonomyTermFactory(zone=zone)
    with pytest.raises(ValidationError) as same:
        ledger.change_term_status(term, Status.GRANTED, reason="Again.", by=lead, effective_on=DAY)
    assert same.value.message_dict == {"to_status": ["The term is already granted."]}
    with pytest.raises(ValidationError) as blank:
        ledger.change_term_status(term, Status.REVOKED, reason="  ", by=lead, effective_on=DAY)
    assert blank.value.message_dict == {"reason": ["Say why the term's status changes."]}
    with pytest.raises(PermissionDenied):
        ledger.change_term_status(term, Status.REVOKED, reason="We want it gone.", by=partner, effective_on=DAY)
    assert not AutonomyTermChange.objects.filter(term=term).exists()
    assert AutonomyTerm.objects.get(pk=term.pk).status == Status.GRANTED


def test_the_cause_belongs_to_the_same_zone_and_a_review_is_issued(zone, lead):
    term = AutonomyTermFactory(zone=zone)
    elsewhere = AutonomyCheckInFactory()  # another zone's term
    draft = AnnualReviewFactory(contract=PerformanceContractFactory(zone=zone), status="draft", issued_at=None)
    other_decision = RenewalDecisionFactory()
    causes = [
        ({"check_in": elsewhere}, "check_in"),
        ({"annual_review": draft}, "annual_review"),
        ({"annual_review": AnnualReviewFactory()}, "annual_review"),
        ({"renewal_decision": other_decision}, "renewal_decision"),
    ]
    for cause, field in causes:
        with pytest.raises(ValidationError) as refused:
            ledger.change_term_status(term, Status.REVOKED, reason="Results.", by=lead, effective_on=DAY, **cause)
        assert set(refused.value.message_dict) == {field}
    assert AutonomyTerm.objects.get(pk=term.pk).status == Status.GRANTED


def test_granting_a_request_needs_its_legal_source_and_takes_effect_on_the_change(zone, lead, partner):
    term = ledger.create_term(new_term(zone), by=partner)
    with pytest.raises(ValidationError) as refused:
        ledger.change_term_status(term, Status.GRANTED, reason="Earned.", by=lead, effective_on=DAY)
    assert set(refused.value.message_dict) == {"source"}
    term.source = "state_waiver"
    term.save()
    ledger.change_term_status(term, Status.GRANTED, reason="Earned.", by=lead, effective_on=DAY)
    assert AutonomyTerm.objects.get(pk=term.pk).effective_from == DAY


def test_a_change_made_from_an_older_version_is_refused(zone, lead):
    """Two state leads opened the term at version 1; the second change would overwrite the first."""
    term = AutonomyTermFactory(zone=zone)
    first, second = AutonomyTerm.objects.get(pk=term.pk), AutonomyTerm.objects.get(pk=term.pk)
    ledger.change_term_status(first, Status.CONTESTED, reason="Check-in.", by=lead, effective_on=DAY)
    with pytest.raises(StaleRecord):
        ledger.change_term_status(second, Status.REVOKED, reason="Results.", by=lead, effective_on=DAY)
    assert AutonomyTerm.objects.get(pk=term.pk).status == Status.CONTESTED
    assert list(AutonomyTermChange.objects.filter(term=term).values_list("to_status", flat=True)) == [Status.CONTESTED]


def test_earned_autonomy_cites_the_review_or_decision_on_the_terms_history(zone, lead):
    term = AutonomyTermFactory(zone=zone, status=Status.REQUESTED)
    review = AnnualReviewFactory(contract=PerformanceContractFactory(zone=zone))
    decision = RenewalDecisionFactory(zone=zone)
    ledger.change_term_status(
        term, Status.GRANTED, reason="Strong year.", by=lead, effective_on=DAY, annual_review=review
    )
    ledger.change_term_status(
        term, Status.REVOKED, reason="Exit.", by=lead, effective_on=DAY, renewal_decision=decision
    )
    with reach_scope(lead):
        [row] = ledger_summary([zone.pk]).rows
    assert [(change.change.to_status, change.cause) for change in row.earned] == [
        (Status.REVOKED, decision),
        (Status.GRANTED, review),
    ]
    assert [change.cause_kind for change in row.earned] == ["renewal decision", "annual review"]


def test_the_read_model_orders_contested_first_counts_and_hides_check_ins_from_collaborators(world):
    tenant = world.home
    zone = tenant.zone
    granted = AutonomyTermFactory(zone=zone, power=Power.STAFFING)
    contested = AutonomyTermFactory(zone=zone, power=Power.HIRING, status=Status.CONTESTED)
    requested = AutonomyTermFactory(zone=zone, power=Power.BUDGET, area="money", status=Status.REQUESTED)
    check_in = AutonomyCheckInFactory(term=contested)
    AutonomyTermChange.objects.create(
        term=contested, from_status="granted", to_status="contested", reason="r", effective_on=DAY, check_in=check_in
    )
    AutonomyTermFactory(zone=world.away.zone)  # another state's
    with reach_scope(tenant.users["state_lead"]):
        summary = ledger_summary([zone.pk])
    assert [row.term for row in summary.rows] == [contested, requested, granted]
    assert [(status.value, count) for status, count in summary.counts] == [
        ("contested", 1),
        ("requested", 1),
        ("granted", 1),
        ("revoked", 0),
    ]
    assert summary.contested[0].latest_check_in == check_in
    assert [group.area for group in summary.by_area()] == ["people", "money"]
    with reach_scope(tenant.users["collaborator"]):
        seen = ledger_summary([zone.pk, world.away.zone.pk])
    assert [row.term for row in seen.rows] == [contested, requested, granted]
    assert seen.rows[0].check_ins == [] and seen.rows[0].changes[0].cause is None


def test_record_check_in_is_the_lead_partners_and_the_states(zone, partner, lead):
    term = AutonomyTermFactory(zone=zone)
    made = ledger.record_check_in(term, practice="partly", note=" Placed 2. ", observed_on=DAY, by=partner)
    assert (made.recorded_by, made.note) == (partner, "Placed 2.")
    ledger.record_check_in(term, practice="holds", note="Resolved.", observed_on=DAY, by=lead)
    viewer = member(Role.STATE_VIEWER, state=zone.state)
    with pytest.raises(PermissionDenied):
        ledger.record_check_in(term, practice="holds", note="Fine.", observed_on=DAY, by=viewer)
    assert AutonomyCheckIn.objects.filter(term=term).count() == 2
