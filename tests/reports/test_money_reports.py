"""The money engine in the commissioner brief and the portfolio PDF: the match against its target
with the gap, awards at risk of lapsing or lapsed, budgets against actual spending, the
sustainability gap; each figure as the read model has it, computed here from the rows the test
makes, and laid out so that no figure runs into another.

Colorado (tests/reports/conftest.py) gains, as of today:

- an award at risk: $1,000,000 available from a year ago to a year ahead, $800,000 of it committed
  and received, $50,000 spent 30 days ago;
- a lapsed award: $500,000 available 2010-07-01 to 2012-09-30, committed and received, $200,000 spent;
- budgets in Aurora for FY2011: ELT $80,000 (spent $100,000: over), incentive pay $250,000 (spent
  $200,000), partner services $20,000 (nothing spent);
- recurring costs at East MS (ELT $150,000 a year, $50,000 paid after the grant, no plan) and North
  MS (incentive pay $40,000, nothing after the grant, a plan), paid by the at-risk award's grant.
"""

import datetime
import io
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.formatting_structure.boxes import TableCellBox, TextBox

from funding.models import Commitment, Expenditure, Funder, fiscal_year_of
from reports import pdf as reports_pdf
from reports import services
from reports.pdf import StaticFilesOnlyFetcher, base_url
from reports.rollups import state_rollup
from tests.factories import (
    AwardFactory,
    BudgetFactory,
    CommitmentFactory,
    ExpenditureFactory,
    FunderFactory,
    RecurringCostFactory,
)

from .conftest import AS_OF

D = Decimal
CENT = D("0.01")
RUN_TOGETHER = re.compile(r"\$[\d.,]+[MK]?\$")  # two amounts with nothing between them


def usd(amount) -> str:
    return f"${D(amount):,.0f}"


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def money_world(colorado):
    today = timezone.localdate()
    sig = FunderFactory(name="School Improvement Grants", kind=Funder.Kind.FEDERAL_FORMULA)
    state, aurora = colorado.state, colorado.aurora
    at_risk = AwardFactory(
        funder=sig,
        state=state,
        name="FY2026 1003(g) SIG",
        amount=D("1000000"),
        awarded_on=today - datetime.timedelta(days=400),
        period_start=today - datetime.timedelta(days=365),
        obligation_deadline=today + datetime.timedelta(days=365),
        liquidation_deadline=today + datetime.timedelta(days=485),
    )
    grant = CommitmentFactory(
        funder=sig,
        state=state,
        award=at_risk,
        amount=D("800000"),
        status="received",
        pledged_on=today - datetime.timedelta(days=380),
        committed_on=today - datetime.timedelta(days=370),
        received_on=today - datetime.timedelta(days=360),
        period_start=today - datetime.timedelta(days=365),
        period_end=today + datetime.timedelta(days=365),
    )
    ExpenditureFactory(
        commitment=grant,
        zone=aurora,
        amount=D("50000"),
        category=Expenditure.Category.OTHER,
        spent_on=today - datetime.timedelta(days=30),
    )
    lapsed = AwardFactory(funder=sig, state=state, name="FY2010 1003(g) SIG", amount=D("500000"))
    old_grant = CommitmentFactory(funder=sig, state=state, award=lapsed, amount=D("500000"), status="received")
    ExpenditureFactory(
        commitment=old_grant,
        zone=aurora,
        amount=D("200000"),
        category=Expenditure.Category.INCENTIVE_PAY,
        spent_on=datetime.date(2011, 1, 15),
    )
    Category = Expenditure.Category
    for category, amount in (
        (Category.ELT_COMPENSATION, "80000"),
        (Category.INCENTIVE_PAY, "250000"),
        (Category.PARTNER_SERVICES, "20000"),
    ):
        BudgetFactory(zone=aurora, fiscal_year=2011, category=category, amount=D(amount))
    RecurringCostFactory(
        school=colorado.east,
        annual_cost=D("150000"),
        added_minutes_per_day=60,
        paid_by=grant,
        funder_after_grant=colorado.state_doe,
        amount_after_grant=D("50000"),
    )
    RecurringCostFactory(
        school=colorado.north,
        category=Category.INCENTIVE_PAY,
        annual_cost=D("40000"),
        added_minutes_per_day=None,
        paid_by=grant,
        plan="The district pays incentive pay from its general fund once the grant ends.",
    )
    colorado.today, colorado.at_risk, colorado.lapsed, colorado.grant = today, at_risk, lapsed, grant
    return colorado


def expected_figures(world) -> dict:
    """The money figures, worked out from the rows the fixture made (not read from the read model)."""
    today = world.today
    # Match (the initiative's rule: committed money at every level, 30M private per 45M public).
    public = D("450000") + D("800000") + D("500000")  # State DoE Aurora committed + the two SIG grants
    private = D("300000")  # the foundation's received state-level money (the Aurora pledge does not count)
    exact = D("30000000") / D("45000000")  # the gap is computed from the unrounded ratio
    target = exact.quantize(D("0.001"))
    gap = (public * exact).quantize(CENT) - private
    # The award at risk: 366 days elapsed (both ends counted), 365 left.
    rate = D("50000") / 366
    projected = (D("50000") + rate * 365).quantize(CENT, ROUND_HALF_UP)
    at_risk = D("1000000") - projected
    lapsed = D("500000") - D("200000")
    # Budgets: Aurora FY2011 budgeted; actual = every live expenditure in Colorado's zones.
    budgeted = D("80000") + D("250000") + D("20000")
    actual = D("100000") + D("50000") + D("50000") + D("200000")
    # Over: Aurora ELT FY2011 (100,000 > 80,000), Aurora other (50,000, no budget), Denver partner services (no budget).
    # Sustainability: after the grant, East MS 100,000 a year (500 pupils), North MS 40,000 (400 pupils).
    first_year = fiscal_year_of(today + datetime.timedelta(days=365)) + 1
    per_pupil = (D("140000") / 900).quantize(CENT)
    return {
        "ratio": (private / public).quantize(D("0.001")),
        "target": target,
        "gap": gap,
        "at_risk": at_risk,
        "projected": projected,
        "lapsed": lapsed,
        "budgeted": budgeted,
        "actual": actual,
        "over_lines": 3,
        "years": [(year, D("140000"), per_pupil) for year in range(first_year, first_year + 3)],
        "gap_a_year": D("140000"),
    }


def test_the_read_model_agrees_with_the_hand_computed_figures(money_world):
    """The expectations of the PDF tests below are the read model's own figures."""
    want = expected_figures(money_world)
    money = state_rollup(money_world.state).money
    match = money.match.standing
    assert (match.ratio, match.target_ratio, match.gap, match.below) == (
        want["ratio"],
        want["target"],
        want["gap"],
        True,
    )
    outlooks = {outlook.award.name: outlook for outlook in money.awards}
    assert outlooks["FY2026 1003(g) SIG"].outlook == "at_risk"
    assert outlooks["FY2026 1003(g) SIG"].at_risk == want["at_risk"]
    assert outlooks["FY2010 1003(g) SIG"].outlook == "lapsed"
    assert outlooks["FY2010 1003(g) SIG"].lapsed == want["lapsed"]
    assert money.at_risk == want["at_risk"] + want["lapsed"]
    assert (money.budgeted, money.budget_actual, money.over_budget_lines) == (
        want["budgeted"],
        want["actual"],
        want["over_lines"],
    )
    assert money.sustainability.by_year() == want["years"]
    assert [school.school.name for school in money.sustainability.flagged_schools] == ["East MS", "North MS"]


def test_the_brief_carries_the_match_awards_budgets_and_sustainability(money_world):
    want = expected_figures(money_world)
    report = services.progress_report(state=money_world.state, period="2010-12", as_of=AS_OF)
    content = services.commissioner_brief_pdf(report)
    pages = len(PdfReader(io.BytesIO(content)).pages)
    text = re.sub(r"\s+", " ", pdf_text(content))
    assert 2 <= pages <= 4
    # The match, below its target, and the private money closing the gap.
    assert f"Below its match: {want['ratio']:.2f} : 1 private to public money committed" in text
    assert f"against a target of {want['target']:.2f} : 1" in text
    assert f"{usd(want['gap'])} more private money committed closes the gap" in text
    # Decisions needed: the match, the award at risk (amount, date), the lapsed one, the flagged schools.
    lapses_on = money_world.at_risk.obligation_deadline
    assert (
        f"At risk of lapsing: FY2026 1003(g) SIG (Colorado): {usd(want['at_risk'])} of $1,000,000 is projected "
        f"unspent when it lapses on {lapses_on:%b %-d, %Y}" in text
    )
    assert f"Lapsed: FY2010 1003(g) SIG (Colorado): {usd(want['lapsed'])} of $500,000 was unspent" in text
    assert "Match below target:" in text
    assert (
        "Sustainability gap: East MS (Aurora Zone): $100,000 a year ($200 per pupil) once its grants end; no plan"
        in text
    )
    north = (
        "North MS (Aurora Zone): $40,000 a year ($100 per pupil) once its grants end; a plan to close it is written."
    )
    assert ("Sustainability gap", north) in [(decision.topic, decision.text) for decision in report.decisions]
    assert f"and {len(report.decisions) - services.BRIEF_DECISIONS} more in the progress report" in text
    # The awards table: amount, projection, outlook, money at risk.
    assert f"{usd(want['projected'])} {lapses_on:%b %-d, %Y} At risk of lapsing {usd(want['at_risk'])}" in text
    # Budgets against actual, and the over-budget lines.
    assert f"Budgeted {usd(want['budgeted'])} · actual {usd(want['actual'])} · {want['over_lines']} lines over" in text
    assert "Aurora Zone FY2011 Teacher compensation — extended learning time $80,000 $100,000" in text
    assert "Denver Zone FY2011 Partner services none $50,000" in text
    # Sustainability: the gap per year and per pupil.
    for year, gap, per_pupil in want["years"]:
        assert f"FY{year} {usd(gap)} {usd(per_pupil)}" in text
    assert not RUN_TOGETHER.search(text), RUN_TOGETHER.search(text)


def test_the_portfolio_pdf_carries_money_against_the_targets(money_world):
    want = expected_figures(money_world)
    content = services.portfolio_pdf(services.portfolio_report(period="2010-12", as_of=AS_OF))
    text = re.sub(r"\s+", " ", pdf_text(content))
    # The initiative's money (Colorado and Ohio) against $45M public, $30M private, $75M in all.
    public_pledged = D("450000") + D("150000") + D("800000") + D("500000")
    private_pledged = D("300000") + D("60000") + D("999000")
    public_committed = D("450000") + D("800000") + D("500000")
    private_committed = D("300000") + D("999000")
    assert f"Public: ${public_pledged / 1_000_000:.1f}M pledged of $45.0M" in text
    assert f"Private: ${private_pledged / 1_000_000:.1f}M pledged of $30.0M" in text
    assert f"Total: ${(public_pledged + private_pledged) / 1_000_000:.1f}M pledged of $75.0M" in text
    still = D("45000000") - public_committed
    assert f"Public $45,000,000 {usd(public_pledged)} {usd(public_committed)}" in text
    assert f"{usd(still)}" in text
    initiative_ratio = (private_committed / public_committed).quantize(D("0.001"))
    assert initiative_ratio > D("0.667")  # Ohio's private money meets the initiative's match
    assert f"Initiative match: Match met, {initiative_ratio:.2f} : 1 private to public money committed" in text
    # Colorado below its match with its gap, its money at risk, its budgets.
    colorado = (
        f"Colorado {want['ratio']:.2f} : 1 {want['target']:.2f} : 1 Below its match {usd(want['gap'])} 2 "
        f"{usd(want['at_risk'] + want['lapsed'])} {usd(want['budgeted'])} {usd(want['actual'])} "
        f"{want['over_lines']} {usd(want['gap_a_year'])}"
    )
    assert colorado in text
    assert "Ohio — 0.67 : 1 No public money yet $0 0 $0" in text  # no public money: no ratio, nothing to close
    assert not RUN_TOGETHER.search(text), RUN_TOGETHER.search(text)


@pytest.fixture
def rendered_html(monkeypatch):
    """The HTML each PDF is rendered from, kept to measure its layout."""
    pages = []
    render = reports_pdf.html_to_pdf

    def keep(html):
        pages.append(html)
        return render(html)

    monkeypatch.setattr(reports_pdf, "html_to_pdf", keep)
    return pages


def overflowing_cells(html: str) -> list[str]:
    """The text of every table cell whose text reaches past the cell's edges."""
    document = HTML(string=html, base_url=base_url(), url_fetcher=StaticFilesOnlyFetcher()).render()
    found = []
    for page in document.pages:
        for box in page._page_box.descendants():
            if not isinstance(box, TableCellBox):
                continue
            left, right = box.border_box_x(), box.border_box_x() + box.border_width()
            for text in (child for child in box.descendants() if isinstance(child, TextBox)):
                if text.position_x < left - 0.5 or text.position_x + text.width > right + 0.5:
                    found.append(text.text)
    return found


def test_no_money_cell_runs_into_the_next(money_world, rendered_html):
    """Every figure of the brief's and the portfolio's tables stays within its cell."""
    report = services.progress_report(state=money_world.state, period="2010-12", as_of=AS_OF)
    services.commissioner_brief_pdf(report)
    services.portfolio_pdf(services.portfolio_report(period="2010-12", as_of=AS_OF))
    assert len(rendered_html) == 2
    for html in rendered_html:
        assert overflowing_cells(html) == []


def test_large_amounts_keep_their_spacing_in_the_portfolio_pdf(money_world):
    """Eight-figure amounts side by side (the issue's $7,250,000$4,600,000$2,160,500) stay apart."""
    big = FunderFactory(name="Big Foundation", kind=Funder.Kind.PRIVATE_FOUNDATION)
    CommitmentFactory(funder=big, state=money_world.state, amount=D("17250000"), status="received")
    content = services.portfolio_pdf(services.portfolio_report(period="2010-12", as_of=AS_OF))
    text = pdf_text(content)
    assert not RUN_TOGETHER.search(text), RUN_TOGETHER.search(text)
    tokens = text.split()
    pledged = D("600000") + D("1300000") + D("360000") + D("17250000")  # Colorado, every stage pledged
    assert usd(pledged) in tokens
    assert Commitment.objects.filter(funder=big).exists()
