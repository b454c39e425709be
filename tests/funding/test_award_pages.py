"""The money's lifecycle pages: awards (create, edit, detail with outlook and timeline, amend),
withdrawing and deleting a commitment, voiding an expenditure; the guards' messages as form errors."""

import datetime
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import Role
from funding.models import Award, AwardAmendment, Commitment, Expenditure, Funder
from tests.factories import AwardFactory, CommitmentFactory, ExpenditureFactory, FunderFactory
from tests.funding.test_funder_truth import commitment_data
from tests.worlds import member

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def lead(tenant, login):
    return login(member(Role.STATE_LEAD, tenant))


@pytest.fixture
def award(tenant):
    return AwardFactory(state=tenant.state, amount=Decimal("1000000.00"))


def url(name, **kwargs):
    return reverse(f"funding:{name}", kwargs=kwargs)


def body(response) -> str:
    return response.content.decode()


def test_a_formula_award_gets_the_laws_deadlines_and_its_page(tenant, lead):
    funder = FunderFactory(kind=Funder.Kind.FEDERAL_FORMULA)
    data = {
        "name": "FY2011 1003(g) SIG",
        "funder": funder.pk,
        "amount": "2500000",
        "awarded_on": "2011-06-01",
        "period_start": "2011-07-01",
        "obligation_deadline": "",
        "liquidation_deadline": "",
    }
    response = lead.post(url("award_create", state_pk=tenant.state.pk), data)
    award = Award.objects.get(name="FY2011 1003(g) SIG")
    assert response.status_code == 302 and response["Location"] == url("award_detail", award_pk=award.pk)
    assert (award.obligation_deadline, award.liquidation_deadline) == (D(2013, 9, 30), D(2014, 1, 28))

    page = body(lead.get(response["Location"]))
    assert "$2,500,000" in page and "Sep 30, 2013" in page and "Jan 28, 2014" in page
    assert "Awarded" in page and "Lapsed" in page  # today is after the obligation deadline


def test_an_awards_edit_page_leaves_amount_and_deadlines_to_amendments(award, lead):
    form = lead.get(url("award_edit", award_pk=award.pk)).context["form"]
    assert set(form.fields) == {"name", "reference", "funder", "awarded_on", "period_start", "version"}


def test_an_amendment_is_on_the_awards_timeline(award, lead, tenant):
    amend = url("award_amend", award_pk=award.pk)
    form = lead.get(amend).context["form"]
    data = {**{name: form[name].value() for name in form.fields}, "effective_on": "2011-01-15"}
    data.update(amount="1250000.00", reason="Second-year allocation.")
    assert lead.post(amend, data).status_code == 302

    amendment = AwardAmendment.objects.get(award=award)
    assert (amendment.previous_amount, amendment.amount) == (Decimal("1000000.00"), Decimal("1250000.00"))
    assert amendment.obligation_deadline == award.obligation_deadline  # left as it was
    page = body(lead.get(url("award_detail", award_pk=award.pk)))
    assert "$1,000,000 → $1,250,000" in page
    assert "Second-year allocation." in page and str(amendment.recorded_by) in page


def test_an_amendment_below_the_commitments_is_a_form_error(award, lead, tenant):
    CommitmentFactory(state=tenant.state, funder=award.funder, award=award, amount=Decimal("800000.00"))
    amend = url("award_amend", award_pk=award.pk)
    form = lead.get(amend).context["form"]
    data = {**{name: form[name].value() for name in form.fields}, "effective_on": "2011-01-15"}
    data.update(amount="700000.00", reason="Cut.")
    response = lead.post(amend, data)
    assert response.status_code == 400
    assert response.context["form"].errors["amount"] == ["$800,000.00 of this award is committed; it cannot be less."]
    data.update(amount="1000000.00")
    assert "changes nothing" in lead.post(amend, data).context["form"].non_field_errors()[0]
    data.update(amount="900000.00", reason="")
    assert "reason" in lead.post(amend, data).context["form"].errors
    assert not AwardAmendment.objects.exists()


def test_a_commitment_beyond_what_its_award_has_left_is_a_form_error(award, lead, tenant):
    CommitmentFactory(state=tenant.state, funder=award.funder, award=award, amount=Decimal("900000.00"))
    create = url("commitment_create", state_pk=tenant.state.pk)
    form = lead.get(create).context["form"]
    assert Commitment.Status.WITHDRAWN not in dict(form.fields["status"].choices)
    assert list(form.fields["award"].queryset) == [award]
    response = lead.post(create, commitment_data(tenant, award.funder, award=award.pk, amount="100000.01"))
    assert response.status_code == 400
    message = "$100,000.00 is left to commit; this commitment asks for $100,000.01."
    assert message in response.context["form"].errors["amount"][0]
    assert lead.post(create, commitment_data(tenant, award.funder, award=award.pk, amount="100000")).status_code == 302


def test_spending_beyond_what_was_received_is_a_form_error(tenant, lead):
    commitment = tenant.commitment  # received 500,000, 1,200 spent
    spent = sum(e.amount for e in Expenditure.objects.filter(commitment=commitment))
    create = url("expenditure_create", state_pk=tenant.state.pk)
    pledged = CommitmentFactory(state=tenant.state)
    choices = lead.get(create).context["form"].fields["commitment"].queryset
    assert commitment in choices and pledged not in choices
    data = {
        "commitment": commitment.pk,
        "category": "other",
        "amount": str(commitment.amount - spent + Decimal("0.01")),
        "spent_on": "2011-02-01",
        "zone": tenant.zone.pk,
    }
    response = lead.post(create, data)
    assert response.status_code == 400
    left = commitment.amount - spent
    assert response.context["form"].errors["amount"] == [
        f"Only ${left:,.2f} of this commitment's received money is left to spend."
    ]


def test_withdrawing_a_commitment(tenant, lead):
    commitment = CommitmentFactory(state=tenant.state, status=Commitment.Status.COMMITTED)
    withdraw = url("commitment_withdraw", commitment_pk=commitment.pk)
    data = {"withdrawn_on": "2011-03-01", "reason": "The funder pulled out.", "version": commitment.version}
    assert lead.post(withdraw, {**data, "reason": ""}).status_code == 400
    response = lead.post(withdraw, data)
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert (commitment.status, commitment.withdrawn_on) == (Commitment.Status.WITHDRAWN, D(2011, 3, 1))
    # kept on the edit page as withdrawn; its status stays
    form = lead.get(url("commitment_edit", commitment_pk=commitment.pk)).context["form"]
    assert Commitment.Status.WITHDRAWN in dict(form.fields["status"].choices)


def test_withdrawing_a_commitment_being_spent_is_a_form_error(tenant, lead):
    commitment = tenant.commitment
    withdraw = url("commitment_withdraw", commitment_pk=commitment.pk)
    data = {"withdrawn_on": "2011-03-01", "reason": "The funder pulled out.", "version": commitment.version}
    response = lead.post(withdraw, data)
    assert response.status_code == 400
    assert (
        "$1,200.00 of this commitment is spent; it cannot be withdrawn."
        in response.context["form"].non_field_errors()[0]
    )
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.RECEIVED


def test_deleting_a_commitment_only_before_money_moves(tenant, lead):
    moved = url("commitment_delete", commitment_pk=tenant.commitment.pk)
    assert "withdraw it instead" in body(lead.get(moved))
    response = lead.post(moved)
    assert response.status_code == 409 and "withdraw it instead" in body(response)
    assert Commitment.objects.filter(pk=tenant.commitment.pk).exists()

    mistaken = CommitmentFactory(state=tenant.state)
    response = lead.post(url("commitment_delete", commitment_pk=mistaken.pk))
    assert response.status_code == 302
    assert not Commitment.objects.filter(pk=mistaken.pk).exists()


def test_voiding_an_expenditure_and_its_page_after(tenant, lead):
    expenditure = tenant.expenditure
    void = url("expenditure_void", expenditure_pk=expenditure.pk)
    assert lead.post(void, {"reason": " ", "version": expenditure.version}).status_code == 400
    assert lead.post(void, {"reason": "Entered twice.", "version": expenditure.version}).status_code == 302
    expenditure.refresh_from_db()
    assert expenditure.is_voided and expenditure.void_reason == "Entered twice."

    edit = url("expenditure_edit", expenditure_pk=expenditure.pk)
    page = body(lead.get(edit))
    assert "This expenditure is voided" in page and "Entered twice." in page
    response = lead.post(edit, {"amount": "1.00", "description": "changed"})
    assert response.status_code == 409
    assert Expenditure.objects.get(pk=expenditure.pk).amount == expenditure.amount


def test_readers_see_an_award_but_change_nothing(award, tenant, other_tenant, login):
    viewer = login(member(Role.STATE_VIEWER, tenant))
    assert viewer.get(url("award_detail", award_pk=award.pk)).status_code == 200
    for name, kwargs in [
        ("award_amend", {"award_pk": award.pk}),
        ("award_edit", {"award_pk": award.pk}),
        ("commitment_withdraw", {"commitment_pk": tenant.commitment.pk}),
        ("commitment_delete", {"commitment_pk": tenant.commitment.pk}),
        ("expenditure_void", {"expenditure_pk": tenant.expenditure.pk}),
    ]:
        assert viewer.get(url(name, **kwargs)).status_code == 403, name
    foreign = AwardFactory(state=other_tenant.state)
    assert viewer.get(url("award_detail", award_pk=foreign.pk)).status_code == 404
    partner = login(member(Role.LEAD_PARTNER_STAFF, tenant))
    assert partner.get(url("award_detail", award_pk=award.pk)).status_code == 404


def test_the_state_lists_labels_and_links(tenant, lead):
    """The includes the state page's lists use: withdrawn and voided rows labelled, actions linked."""
    commitment = CommitmentFactory(state=tenant.state, status=Commitment.Status.WITHDRAWN, withdrawn_on=D(2011, 3, 1))
    status = render_to_string("funding/_commitment_status.html", {"commitment": commitment})
    assert "Withdrawn" in status and "Mar 1, 2011" in status and "not counted" in status
    live = render_to_string("funding/_commitment_actions.html", {"commitment": tenant.commitment, "can_change": True})
    assert url("commitment_withdraw", commitment_pk=tenant.commitment.pk) in live
    assert url("commitment_delete", commitment_pk=tenant.commitment.pk) not in live  # received: withdraw only
    voided = ExpenditureFactory(commitment=tenant.commitment, zone=tenant.zone)
    Expenditure.objects.filter(pk=voided.pk).update(voided_on=D(2011, 4, 1), void_reason="Mistake")
    voided.refresh_from_db()
    label = render_to_string("funding/_expenditure_status.html", {"expenditure": voided})
    assert "Voided Apr 1, 2011" in label
    actions = render_to_string("funding/_expenditure_actions.html", {"expenditure": voided, "can_change": True})
    assert url("expenditure_void", expenditure_pk=voided.pk) not in actions
