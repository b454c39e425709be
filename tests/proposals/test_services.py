"""The use cases of proposed changes: propose (authorization first, a reason, a change that is
needed and not already pending), approve (once, on a target unchanged since, through the owning
app's rules, with the history naming proposer, approver and reason), reject and withdraw."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accountability.recording import PeriodLocked, record_measurements
from proposals.choices import ProposalKind, ProposalStatus
from proposals.services import approve, propose, reject, withdraw
from schools.models import School

from .conftest import lock_period

STATUS = ProposalKind.SCHOOL_STATUS
EXITED = {"turnaround_status": School.TurnaroundStatus.EXITED}


def propose_exit(tenant, by=None, **options):
    by = by or tenant.users["lead_partner_staff"]
    return propose(STATUS, tenant.schools[0], EXITED, reason=options.get("reason", "Met its exit targets."), by=by)


def test_a_lead_partner_proposes_and_the_state_lead_approves_a_schools_status(tenant):
    school, partner, lead = tenant.schools[0], tenant.users["lead_partner_staff"], tenant.users["state_lead"]
    proposal = propose_exit(tenant)
    assert proposal.status == ProposalStatus.PENDING
    assert proposal.before == {"turnaround_status": school.turnaround_status}
    assert proposal.after == {"turnaround_status": "exited"}
    assert (proposal.state, proposal.zone, proposal.school) == (tenant.state, tenant.zone, school)
    school.refresh_from_db()
    assert school.turnaround_status != "exited"  # nothing applied yet

    approved = approve(proposal, by=lead, note="Agreed.")
    school.refresh_from_db()
    assert school.turnaround_status == "exited"
    assert (approved.status, approved.decided_by, approved.decision_note) == ("approved", lead, "Agreed.")
    change = school.history.first()
    assert change.history_user == lead
    assert change.history_change_reason.startswith(f"Proposal #{proposal.pk} by {partner}: Met its exit targets.")


def test_a_reason_is_mandatory(tenant):
    with pytest.raises(ValidationError) as refused:
        propose_exit(tenant, reason="  ")
    assert "reason" in refused.value.message_dict


def test_authorization_comes_first(tenant, other_tenant):
    """Someone who may not propose here is refused before the values are looked at."""
    outsider = other_tenant.users["lead_partner_staff"]
    with pytest.raises(PermissionDenied):
        propose(STATUS, tenant.schools[0], {"nonsense": 1}, reason="", by=outsider)
    with pytest.raises(PermissionDenied):
        propose_exit(tenant, by=tenant.users["state_viewer"])


def test_a_proposal_that_changes_nothing_is_refused(tenant):
    school = tenant.schools[0]
    with pytest.raises(ValidationError, match="changes nothing"):
        propose(
            STATUS,
            school,
            {"turnaround_status": school.turnaround_status},
            reason="x",
            by=tenant.users["lead_partner_staff"],
        )


def test_the_state_lead_is_told_to_change_it_directly(tenant):
    with pytest.raises(ValidationError, match="directly"):
        propose_exit(tenant, by=tenant.users["state_lead"])


def test_a_correction_of_an_open_period_is_edited_directly(tenant, measurement):
    with pytest.raises(ValidationError, match="not locked: edit the value directly"):
        propose(
            ProposalKind.MEASUREMENT_CORRECTION,
            measurement,
            {"value": "41.5"},
            reason="Typo",
            by=tenant.users["lead_partner_staff"],
        )


def test_a_value_the_target_refuses_is_refused_when_proposed(tenant):
    with pytest.raises(ValidationError):
        propose(STATUS, tenant.schools[0], {"turnaround_status": "gone"}, reason="x", by=tenant.users["collaborator"])


def test_one_pending_proposal_per_object_and_kind(tenant):
    propose_exit(tenant)
    with pytest.raises(ValidationError, match="already proposed"):
        propose(STATUS, tenant.schools[0], {"turnaround_status": "closed"}, reason="x", by=tenant.users["collaborator"])


def test_approving_twice_applies_once(tenant):
    lead = tenant.users["state_lead"]
    proposal = propose_exit(tenant)
    approve(proposal, by=lead)
    with pytest.raises(ValidationError) as refused:
        approve(proposal, by=lead)
    assert refused.value.code == "wrong_step"
    assert tenant.schools[0].history.filter(turnaround_status="exited").count() == 1


def test_a_target_changed_since_it_was_proposed_is_not_overwritten(tenant):
    proposal = propose_exit(tenant)
    school = School.objects.get(pk=tenant.schools[0].pk)
    school.turnaround_status = School.TurnaroundStatus.CLOSED
    school._change_reason = "Closed by the district"
    school.save()
    with pytest.raises(ValidationError) as refused:
        approve(proposal, by=tenant.users["state_lead"])
    assert refused.value.code == "changed_since_proposed"
    school.refresh_from_db()
    proposal.refresh_from_db()
    assert (school.turnaround_status, proposal.status) == ("closed", "pending")


def test_only_the_state_lead_decides(tenant):
    proposal = propose_exit(tenant)
    for role in ("lead_partner_staff", "collaborator", "state_viewer"):
        with pytest.raises(PermissionDenied):
            approve(proposal, by=tenant.users[role])
        with pytest.raises(PermissionDenied):
            reject(proposal, by=tenant.users[role], note="No")


def test_a_rejection_says_why(tenant):
    proposal = propose_exit(tenant)
    with pytest.raises(ValidationError):
        reject(proposal, by=tenant.users["state_lead"], note=" ")
    rejected = reject(proposal, by=tenant.users["state_lead"], note="The exit review is next month.")
    assert rejected.status == ProposalStatus.REJECTED
    tenant.schools[0].refresh_from_db()
    assert tenant.schools[0].turnaround_status != "exited"


def test_only_the_proposer_withdraws_and_only_while_pending(tenant):
    proposal = propose_exit(tenant)
    with pytest.raises(PermissionDenied):
        withdraw(proposal, by=tenant.users["collaborator"])
    assert withdraw(proposal, by=tenant.users["lead_partner_staff"]).status == ProposalStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        withdraw(proposal, by=tenant.users["lead_partner_staff"])
    with pytest.raises(ValidationError):
        approve(proposal, by=tenant.users["state_lead"])


def test_an_approved_correction_passes_the_period_lock_and_nothing_else_does(tenant, measurement):
    lock_period(measurement)
    partner, lead = tenant.users["lead_partner_staff"], tenant.users["state_lead"]
    measurement.value = 99
    with pytest.raises(PeriodLocked):
        record_measurements(lead, [measurement])
    measurement.refresh_from_db()
    proposal = propose(
        ProposalKind.MEASUREMENT_CORRECTION, measurement, {"value": "41.50"}, reason="Transcription error", by=partner
    )
    assert proposal.before == {"value": str(measurement.value)}
    with pytest.raises(PermissionDenied):  # a pending proposal opens nothing
        record_measurements(lead, [measurement], correction=proposal)
    approve(proposal, by=lead)
    measurement.refresh_from_db()
    assert str(measurement.value) == "41.50"
    assert measurement.history.first().history_change_reason.startswith(f"Proposal #{proposal.pk}")


def test_a_collaborator_proposes_a_commitment_received(tenant, pledged):
    collaborator, lead = tenant.users["collaborator"], tenant.users["state_lead"]
    after = {"status": "received", "committed_on": "2010-05-01", "received_on": "2010-09-01"}
    proposal = propose(ProposalKind.COMMITMENT_STATUS, pledged, after, reason="The wire arrived.", by=collaborator)
    assert proposal.zone is None  # a commitment is no Lead Partner's to read
    approve(proposal, by=lead)
    pledged.refresh_from_db()
    assert (pledged.status, pledged.received_on) == ("received", datetime.date(2010, 9, 1))


def test_a_commitment_still_moves_forward_only(tenant):
    received = tenant.commitment
    with pytest.raises(ValidationError):
        propose(
            ProposalKind.COMMITMENT_STATUS, received, {"status": "pledged"}, reason="x", by=tenant.users["collaborator"]
        )


def test_a_lead_partner_may_not_propose_a_commitment_it_cannot_read(tenant, pledged):
    with pytest.raises(PermissionDenied):
        propose(
            ProposalKind.COMMITMENT_STATUS,
            pledged,
            {"status": "committed", "committed_on": "2010-05-01"},
            reason="x",
            by=tenant.users["lead_partner_staff"],
        )
