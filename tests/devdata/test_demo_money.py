"""The demo's money engine, read through the read model: a state below its match, an award at risk
of lapsing (for years to come), an amendment, budgets with a line over, a flagged sustainability
gap with and without a plan, a withdrawn commitment and a voided expenditure with their reasons."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone
from pypdf import PdfReader

from funding.availability import award_outlooks
from funding.choices import Outlook
from funding.models import Award, AwardAmendment, Commitment, Expenditure
from funding.services import funding_totals
from reports import pdf as reports_pdf
from reports import services
from reports.rollups import state_rollups
from tests.reports.test_money_reports import overflowing_cells

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_database):
    """Each demo state's rollup (its money: funding.money.StateMoney), by postal code."""
    return {rollup.state.postal_code: rollup for rollup in state_rollups()}


def test_a_state_is_below_its_match(demo):
    below = [code for code, rollup in demo.items() if rollup.match.below]
    assert below
    colorado = demo["CO"].match
    committed = Commitment.objects.filter(state__postal_code="CO", status__in=["committed", "received"])
    public = committed.filter(source="public").aggregate(total=Sum("amount"))["total"]
    private = committed.filter(source="private").aggregate(total=Sum("amount"))["total"] or Decimal(0)
    assert (colorado.public, colorado.private) == (public, private)
    target = Decimal(30) / Decimal(45)  # the gap is computed from the unrounded ratio
    assert colorado.gap == (public * target).quantize(Decimal("0.01")) - private > 0


def test_one_award_is_at_risk_of_lapsing_for_years_and_the_others_are_spent(demo):
    outlooks = [outlook for rollup in demo.values() for outlook in rollup.money.awards]
    assert {rollup.state.postal_code for rollup in demo.values() if rollup.money.awards} == set(demo)
    at_risk = [outlook for outlook in outlooks if outlook.flagged]
    assert [(outlook.award.state.postal_code, outlook.outlook) for outlook in at_risk] == [("NY", Outlook.AT_RISK)]
    award = at_risk[0].award
    assert at_risk[0].at_risk >= award.amount / 2
    assert {outlook.outlook for outlook in outlooks if not outlook.flagged} == {Outlook.SPENT}
    today = timezone.localdate()
    for years in (1, 2):
        later = award_outlooks(
            Award.objects.filter(pk=award.pk), Expenditure.objects.all(), as_of=today.replace(year=today.year + years)
        )
        assert later[0].outlook == Outlook.AT_RISK
    # Every public SIG and Race to the Top commitment with an award stays within it.
    for award in Award.objects.all():
        assert award.committed_amount() <= award.amount


def test_an_award_was_amended(demo):
    amendment = AwardAmendment.objects.get()
    award = amendment.award
    assert amendment.previous_obligation_deadline < amendment.obligation_deadline == award.obligation_deadline
    assert amendment.liquidation_deadline == award.liquidation_deadline and amendment.reason


def test_zones_have_budgets_with_actuals_and_a_line_over(demo):
    budgets = [budget for rollup in demo.values() for budget in rollup.money.budgets.values() if budget.budgeted]
    assert len(budgets) >= 3
    lines = [line for budget in budgets for line in budget.lines if line.budget is not None]
    assert any(line.actual > line.budget for line in lines)
    assert any(0 < line.actual <= line.budget for line in lines)
    for budget in budgets:
        assert budget.budgeted <= budget.available


def test_a_sustainability_gap_is_flagged_with_and_without_a_plan(demo):
    sustainability = demo["CO"].money.sustainability
    flagged = sustainability.flagged_schools
    assert flagged and sustainability.gap > 0
    assert {school.has_plan for school in flagged} == {True, False}
    year, gap, per_pupil = sustainability.by_year()[0]
    assert year == 2014 and gap == sustainability.gap and per_pupil > 0


def test_a_withdrawn_commitment_and_a_voided_expenditure_are_kept_with_their_reasons_and_not_counted(demo):
    withdrawn = Commitment.objects.get(status=Commitment.Status.WITHDRAWN)
    assert withdrawn.withdrawn_on and withdrawn.history.first().history_change_reason.startswith("The foundation")
    voided = Expenditure.objects.get(voided_on__isnull=False)
    assert voided.void_reason
    totals = funding_totals()
    live = Commitment.objects.exclude(status=Commitment.Status.WITHDRAWN).aggregate(total=Sum("amount"))["total"]
    assert totals.pledged == live
    assert totals.spent == Expenditure.objects.live().aggregate(total=Sum("amount"))["total"]
    assert totals.spent + voided.amount == Expenditure.objects.aggregate(total=Sum("amount"))["total"]
    assert datetime.date(2011, 1, 1) < withdrawn.withdrawn_on


def test_the_demo_brief_and_portfolio_pdf_keep_every_figure_in_its_cell(demo, monkeypatch):
    """New York's brief (an award at risk, its match below) and the portfolio PDF, on the demo's money."""
    rendered = []
    render = reports_pdf.html_to_pdf
    monkeypatch.setattr(reports_pdf, "html_to_pdf", lambda html: rendered.append(html) or render(html))
    brief = services.commissioner_brief_pdf(services.progress_report(state=demo["NY"].state))
    portfolio = services.portfolio_pdf(services.portfolio_report())
    assert len(PdfReader(io.BytesIO(brief)).pages) <= 4
    assert len(PdfReader(io.BytesIO(portfolio)).pages) <= 4
    for html in rendered:
        assert overflowing_cells(html) == []
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(brief)).pages)
    assert "At risk of lapsing: FY2025 1003(g) SIG continuation (New York)" in re.sub(r"\s+", " ", text)
