"""Proposed changes under concurrent clients: of state leads approving one proposal at once, one
applies it (the others get a 409), and an approval racing the proposer's withdrawal ends in
exactly one of the two, never both.

As in test_invariants: CONCURRENT_CLIENTS real HTTP clients against the live server, TRIALS trials."""

from accounts.models import Role
from accounts.tokens import issue_token
from proposals.choices import ProposalKind, ProposalStatus
from proposals.models import ChangeProposal
from proposals.services import propose
from schools.models import School
from tests.factories import LaunchedZoneFactory, MembershipFactory

from .conftest import CONCURRENT_CLIENTS, TRIALS, concurrently
from .test_invariants import answers, api_call, state_lead_keys

STATUSES = [School.TurnaroundStatus.EXITED, School.TurnaroundStatus.CLOSED]


def partner_of(zone):
    return MembershipFactory(role=Role.LEAD_PARTNER_STAFF, lead_partner=zone.lead_partner, state=zone.state).user


def test_of_state_leads_approving_one_proposal_at_once_one_applies_it(live_server):
    zone = LaunchedZoneFactory()
    school = zone.schools.first()
    partner = partner_of(zone)
    keys = state_lead_keys(zone.state)
    for trial in range(TRIALS):
        school.refresh_from_db()
        status = STATUSES[trial % 2] if school.turnaround_status != STATUSES[trial % 2] else STATUSES[1 - trial % 2]
        proposal = propose(
            ProposalKind.SCHOOL_STATUS, school, {"turnaround_status": status}, reason=f"Trial {trial}", by=partner
        )
        url = f"/api/v1/change-proposals/{proposal.pk}/approve/"
        codes = answers(concurrently([api_call(live_server.url, key, "POST", url, {}) for key in keys]))
        assert sorted(codes) == [200] + [409] * (CONCURRENT_CLIENTS - 1), codes
        applied = school.history.filter(history_change_reason__startswith=f"Proposal #{proposal.pk} ").count()
        assert applied == 1


def test_an_approval_racing_the_withdrawal_ends_in_one_of_them(live_server):
    zone = LaunchedZoneFactory()
    school = zone.schools.first()
    partner = partner_of(zone)
    partner_key = issue_token(partner.memberships.get(), "proposer")[1]
    lead_keys = state_lead_keys(zone.state, count=CONCURRENT_CLIENTS - 1)
    outcomes = set()
    for trial in range(TRIALS):
        school.refresh_from_db()
        status = STATUSES[0] if school.turnaround_status != STATUSES[0] else STATUSES[1]
        proposal = propose(
            ProposalKind.SCHOOL_STATUS, school, {"turnaround_status": status}, reason=f"Trial {trial}", by=partner
        )
        base = f"/api/v1/change-proposals/{proposal.pk}"
        calls = [api_call(live_server.url, partner_key, "POST", f"{base}/withdraw/", {})]
        calls += [api_call(live_server.url, key, "POST", f"{base}/approve/", {}) for key in lead_keys]
        codes = answers(concurrently(calls))
        assert sorted(codes) == [200] + [409] * (CONCURRENT_CLIENTS - 1), codes
        decided = ChangeProposal._base_manager.get(pk=proposal.pk).status
        applied = school.history.filter(history_change_reason__startswith=f"Proposal #{proposal.pk} ").exists()
        assert applied == (decided == ProposalStatus.APPROVED)
        outcomes.add(decided)
    assert outcomes <= {ProposalStatus.APPROVED, ProposalStatus.WITHDRAWN}
