"""The proposal pages per role: propose from the school page, a locked value and a commitment;
the state's list with before and after in words; the decision on the proposal's page."""

import pytest
from django.urls import reverse

from proposals.choices import ProposalKind
from proposals.models import ChangeProposal
from proposals.services import propose

from .conftest import lock_period


def school_url(school):
    return reverse("portfolio:school_detail", kwargs={"school_pk": school.pk})


def propose_url(school):
    return reverse("proposals:propose_school_status", kwargs={"school_pk": school.pk})


def test_a_lead_partner_proposes_a_schools_status_from_its_page(login, tenant):
    school = tenant.schools[0]
    client = login(tenant.users["lead_partner_staff"])
    assert propose_url(school) in client.get(school_url(school)).content.decode()
    response = client.post(propose_url(school), {"turnaround_status": "exited", "reason": ""})
    assert response.status_code == 400 and not ChangeProposal.objects.exists()
    response = client.post(propose_url(school), {"turnaround_status": "exited", "reason": "Exit targets met."})
    proposal = ChangeProposal.objects.get()
    assert response["Location"] == reverse("proposals:proposal_detail", kwargs={"changeproposal_pk": proposal.pk})
    assert (
        proposal.after == {"turnaround_status": "exited"} and proposal.proposed_by == tenant.users["lead_partner_staff"]
    )


@pytest.mark.parametrize("role", ["state_lead", "state_viewer", "commissioner"])
def test_who_changes_it_directly_or_only_reads_is_not_offered_to_propose(login, tenant, role):
    school = tenant.schools[0]
    client = login(tenant.users[role])
    assert propose_url(school) not in client.get(school_url(school)).content.decode()


@pytest.mark.parametrize("role", ["state_viewer", "commissioner"])
def test_readers_may_not_propose(login, tenant, role):
    assert login(tenant.users[role]).get(propose_url(tenant.schools[0])).status_code == 403


def test_a_value_of_a_locked_period_offers_a_correction(login, tenant, measurement):
    client = login(tenant.users["lead_partner_staff"])
    url = reverse("proposals:propose_correction", kwargs={"measurement_pk": measurement.pk})
    assert url not in client.get(school_url(measurement.school)).content.decode()
    lock_period(measurement)
    assert url in client.get(school_url(measurement.school)).content.decode()
    response = client.post(url, {"value": "44.25", "source": measurement.source, "reason": "Transcription error"})
    assert response.status_code == 302
    assert ChangeProposal.objects.get().after == {"value": "44.25"}


def test_a_collaborator_proposes_a_commitments_status_from_the_state_page(login, tenant, pledged):
    client = login(tenant.users["collaborator"])
    url = reverse("proposals:propose_commitment_status", kwargs={"commitment_pk": pledged.pk})
    assert url in client.get(reverse("portfolio:state_detail", kwargs={"state_pk": tenant.state.pk})).content.decode()
    data = {"status": "committed", "committed_on": "2010-05-01", "received_on": "", "reason": "Board vote."}
    assert client.post(url, data).status_code == 302


def test_the_state_lead_sees_the_pending_count_and_decides(login, tenant):
    school = tenant.schools[0]
    proposal = propose(
        ProposalKind.SCHOOL_STATUS,
        school,
        {"turnaround_status": "exited"},
        reason="Exit targets met.",
        by=tenant.users["lead_partner_staff"],
    )
    client = login(tenant.users["state_lead"])
    state_page = client.get(reverse("portfolio:state_detail", kwargs={"state_pk": tenant.state.pk})).content.decode()
    assert "1 proposed change waits for your decision." in state_page
    listing = client.get(reverse("proposals:state_proposals", kwargs={"state_pk": tenant.state.pk})).content.decode()
    assert "Turnaround status: <del>Identified</del> → <ins>Exited improvement status</ins>" in listing
    assert "turnaround_status" not in listing
    url = reverse("proposals:proposal_detail", kwargs={"changeproposal_pk": proposal.pk})
    assert client.post(url, {"step": "reject", "note": "", "version": proposal.version}).status_code == 400
    assert client.post(url, {"step": "approve", "note": "", "version": proposal.version}).status_code == 302
    school.refresh_from_db()
    assert school.turnaround_status == "exited"
    assert client.post(url, {"step": "approve", "note": ""}).status_code == 409


def test_the_proposer_withdraws_others_may_not_decide(login, tenant):
    proposal = propose(
        ProposalKind.SCHOOL_STATUS,
        tenant.schools[0],
        {"turnaround_status": "exited"},
        reason="Exit targets met.",
        by=tenant.users["lead_partner_staff"],
    )
    url = reverse("proposals:proposal_detail", kwargs={"changeproposal_pk": proposal.pk})
    collaborator = login(tenant.users["collaborator"])
    assert collaborator.post(url, {"step": "approve"}).status_code == 403
    assert collaborator.post(url, {"step": "withdraw"}).status_code == 403
    partner = login(tenant.users["lead_partner_staff"])
    assert "Withdraw the proposal" in partner.get(url).content.decode()
    assert partner.post(url, {"step": "approve"}).status_code == 403
    assert partner.post(url, {"step": "withdraw"}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "withdrawn"


def test_another_states_proposals_do_not_exist(login, tenant, other_tenant):
    proposal = propose(
        ProposalKind.SCHOOL_STATUS,
        tenant.schools[0],
        {"turnaround_status": "exited"},
        reason="Exit targets met.",
        by=tenant.users["lead_partner_staff"],
    )
    client = login(other_tenant.users["state_lead"])
    url = reverse("proposals:proposal_detail", kwargs={"changeproposal_pk": proposal.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"step": "approve"}).status_code == 404
    assert client.get(propose_url(tenant.schools[0])).status_code == 404
