"""The money engine on the composing pages: the portfolio's match against each state's target,
its alerts (states below their match, awards at risk of lapsing) and lapse column, the state and
zone pages' money sections, the state money page (the match month by month) and the API, each
figure counted here from the rows it stands for."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from funding.models import Commitment, Funder, MatchRule
from reports.rollups import state_rollup
from tests.factories import (
    AwardFactory,
    CommitmentFactory,
    ExpenditureFactory,
    FunderFactory,
    MatchRuleFactory,
    StateFactory,
)
from tests.worlds import grow_state, make_tenant, member, query_counts

pytestmark = pytest.mark.django_db

CENT, THOUSANDTH = Decimal("0.01"), Decimal("0.001")
EXACT_RATIO = Decimal(30_000_000) / Decimal(45_000_000)  # the factories' targets: what the gap is computed from
INITIATIVE_RATIO = EXACT_RATIO.quantize(THOUSANDTH)  # as shown
ZONE_PRIVATE = Decimal("500000.00")  # every tenant's received zone-level private commitment (tests.worlds)


def public_commitment(state, amount, **fields):
    """Public money committed to ``state`` (state level) by a federal funder."""
    funder = fields.pop("funder", None) or FunderFactory(kind=Funder.Kind.FEDERAL_FORMULA)
    return CommitmentFactory(
        state=state, funder=funder, amount=Decimal(amount), status=fields.pop("status", "committed"), **fields
    )


def award_spending(tenant, *, amount, spent, days_in, days_left):
    """An award to the tenant's state whose period began ``days_in`` days ago and whose money must
    be obligated in ``days_left`` days, received in full, ``spent`` of it spent ten days ago."""
    today = timezone.localdate()
    award = AwardFactory(
        state=tenant.state,
        amount=Decimal(amount),
        period_start=today - datetime.timedelta(days=days_in - 1),
        obligation_deadline=today + datetime.timedelta(days=days_left),
        liquidation_deadline=today + datetime.timedelta(days=days_left + 120),
    )
    commitment = public_commitment(
        tenant.state,
        amount,
        funder=award.funder,
        award=award,
        status=Commitment.Status.RECEIVED,
        period_start=award.period_start,
        period_end=award.obligation_deadline,
    )
    ExpenditureFactory(
        commitment=commitment, zone=tenant.zone, amount=Decimal(spent), spent_on=today - datetime.timedelta(days=10)
    )
    return award


def at_risk(amount, spent, days_in, days_left) -> Decimal:
    """funding.availability's definition: the award less what the burn rate so far (spent per day
    since the period began) projects by the obligation deadline."""
    projected = min(Decimal(spent) + Decimal(spent) / days_in * days_left, Decimal(amount))
    return Decimal(amount) - projected.quantize(CENT)


def figures(markup: str) -> dict:
    return dict(re.findall(r'data-figure="(\w+)" data-value="([^"]*)"', markup))


def state_row(page: str, state) -> str:
    return re.search(rf'<tr data-state="{state.pk}">(.*?)</tr>', page, re.S)[1]


def test_alert_lists_only_the_states_below_their_match_with_the_gap(tenant, other_tenant, admin_client):
    public_commitment(tenant.state, "3000000.00")  # Colorado: 500k private for 3M public
    public_commitment(other_tenant.state, "600000.00")  # Louisiana: 500k private for 600k public, above
    page = admin_client.get(reverse("portfolio:portfolio")).content.decode()
    alert = re.search(r'<section class="callout callout-alert"[^>]*id="money-alerts">(.*?)</section>', page, re.S)[1]
    assert re.findall(r'data-below-match="(\d+)"', alert) == [str(tenant.state.pk)]
    gap = (Decimal("3000000.00") * EXACT_RATIO).quantize(CENT) - ZONE_PRIVATE
    assert figures(alert)["alert_gap"] == f"{gap:.2f}"
    colorado, louisiana = state_row(page, tenant.state), state_row(page, other_tenant.state)
    ratio = (ZONE_PRIVATE / Decimal("3000000.00")).quantize(THOUSANDTH)
    assert (figures(colorado)["match_ratio"], figures(colorado)["match_target"]) == (str(ratio), str(INITIATIVE_RATIO))
    assert figures(colorado)["match_gap"] == f"{gap:.2f}"
    assert "0.17" in colorado and "of <span" in colorado and 'data-value="below"' in colorado
    assert figures(louisiana)["match_gap"] == "0.00" and "Below its match" not in louisiana


def test_no_alert_when_every_state_meets_its_match(tenant, other_tenant, admin_client):
    # Colorado's own rule asks for less than the initiative's: 500k private for 3M public meets 0.1.
    MatchRuleFactory(state=tenant.state, target_ratio=Decimal("0.100"))
    public_commitment(tenant.state, "3000000.00")
    page = admin_client.get(reverse("portfolio:portfolio")).content.decode()
    assert 'id="money-alerts"' not in page
    assert figures(state_row(page, tenant.state))["match_target"] == "0.100"


def test_lapse_column_and_alert_name_the_awards_at_risk(tenant, other_tenant, admin_client):
    award = award_spending(tenant, amount="3000000.00", spent="100000.00", days_in=100, days_left=100)
    expected = at_risk("3000000.00", "100000.00", 100, 100)  # 1,000 a day: 200k by the deadline
    assert expected == Decimal("2800000.00")
    page = admin_client.get(reverse("portfolio:portfolio")).content.decode()
    colorado, louisiana = state_row(page, tenant.state), state_row(page, other_tenant.state)
    assert figures(colorado)["at_risk_money"] == f"{expected:.2f}"
    assert 'data-flag="awards_at_risk" data-value="1"' in colorado
    assert figures(louisiana)["at_risk_money"] == "0.00" and "awards_at_risk" not in louisiana
    assert re.findall(r'data-award-at-risk="(\d+)"', page) == [str(award.pk)]
    assert f"{award.obligation_deadline:%b} {award.obligation_deadline.day}, {award.obligation_deadline.year}" in page
    # Worst first on the first click of its heading
    sorted_rows = admin_client.get(reverse("portfolio:portfolio"), {"sort": "-lapse"}).context["rows"]
    assert [row.state for row in sorted_rows] == [tenant.state, other_tenant.state]


def test_portfolio_csv_has_the_match_target_gap_and_lapse_columns(tenant, other_tenant, admin_client):
    public_commitment(tenant.state, "3000000.00")
    award_spending(tenant, amount="1000000.00", spent="10000.00", days_in=50, days_left=300)
    body = admin_client.get(reverse("portfolio:portfolio"), {"export": "portfolio"}).content.decode()
    rows = {row["State"]: row for row in csv.DictReader(io.StringIO(body))}
    public = Decimal("3000000.00") + Decimal("1000000.00")
    ratio = (ZONE_PRIVATE / public).quantize(THOUSANDTH)
    gap = (public * EXACT_RATIO).quantize(CENT) - ZONE_PRIVATE
    colorado = rows["Colorado"]
    assert (colorado["Match ratio (private per public)"], colorado["Match target (private per public)"]) == (
        str(ratio),
        str(INITIATIVE_RATIO),
    )
    assert (colorado["Private money to close the match gap"], colorado["Match status"]) == (
        f"{gap:.2f}",
        "Below its match",
    )
    assert colorado["Money at risk of lapsing"] == f"{at_risk('1000000.00', '10000.00', 50, 300):.2f}"
    assert colorado["Awards at risk of lapsing"] == "1"
    assert (rows["Louisiana"]["Match status"], rows["Louisiana"]["Money at risk of lapsing"]) == (
        "No public money yet",
        "0.00",
    )


def test_state_page_shows_the_match_rule_zones_funders_awards_budgets(tenant, admin_client):
    MatchRuleFactory(
        state=tenant.state,
        target_ratio=Decimal("1.000"),
        counted_stage=MatchRule.Stage.PLEDGED,
        counts_initiative_level=False,
        counts_state_level=False,
    )
    public_commitment(tenant.state, "2000000.00", status="pledged")
    state_private = CommitmentFactory(state=tenant.state, amount=Decimal("700000.00"), status="committed")
    award_spending(tenant, amount="500000.00", spent="1000.00", days_in=200, days_left=30)
    page = admin_client.get(reverse("portfolio:state_detail", kwargs={"state_pk": tenant.state.pk})).content.decode()
    marks = figures(page)
    # Pledged public: 2M + the award's 500k; private counted: zone level only (the state-level 700k is not)
    public = Decimal("2500000.00")
    assert marks["match_ratio"] == str((ZONE_PRIVATE / public).quantize(THOUSANDTH))
    assert (marks["match_target"], marks["match_gap"]) == ("1.000", f"{public - ZONE_PRIVATE:.2f}")
    assert "the state&#x27;s own rule" in page or "the state's own rule" in page
    assert "Private money pledged at the zone level counts" in page
    assert f'data-zone-match="{tenant.zone.pk}"' in page
    assert f'data-funder="{tenant.commitment.funder_id}"' in page
    assert f'data-funder="{state_private.funder_id}"' not in page  # state-level money does not count here
    assert re.search(r'<tr data-award="\d+" class="attention">', page)
    assert marks["at_risk_money"] == f"{at_risk('500000.00', '1000.00', 200, 30):.2f}"
    assert marks["budget_actual"] and "over_budget_lines" in marks
    assert reverse("portfolio:state_money", kwargs={"state_pk": tenant.state.pk}) in page


def test_state_page_labels_withdrawn_commitments_and_voided_expenditures(tenant, admin_client):
    today = timezone.localdate()
    withdrawn = CommitmentFactory(state=tenant.state, status="withdrawn", withdrawn_on=today)
    tenant.expenditure.__class__.objects.filter(pk=tenant.expenditure.pk).update(
        voided_on=today, void_reason="Entered twice."
    )
    page = admin_client.get(reverse("portfolio:state_detail", kwargs={"state_pk": tenant.state.pk})).content.decode()
    assert f"withdrawn {today:%b} {today.day}, {today.year}, not counted" in page
    assert withdrawn.funder.name in page
    assert f'data-voided="{tenant.expenditure.pk}"' in page and "Entered twice." in page


def test_zone_page_shows_its_match_and_budget(tenant, admin_client):
    page = admin_client.get(reverse("portfolio:zone_detail", kwargs={"zone_pk": tenant.zone.pk})).content.decode()
    marks = figures(page)
    # Zone-level money only: 500k private, no public
    assert (marks["match_ratio"], marks["match_target"], marks["match_gap"]) == ("", str(INITIATIVE_RATIO), "0.00")
    assert 'data-value="no_public"' in page
    assert (marks["budget_available"], marks["budgeted"]) == (f"{ZONE_PRIVATE:.2f}", "0.00")
    assert marks["budget_actual"] == "1200.00"  # the world's expenditure in the zone, without a budget
    assert marks["over_budget_lines"] == "1"


def test_state_money_page_charts_the_match_month_by_month(tenant, admin_client):
    """The world's zone-level private commitment was committed on May 1, 2010 (tests.factories);
    public money committed on Jan 15, 2010 and a second private one on Mar 20, 2010."""
    public_commitment(
        tenant.state,
        "1000000.00",
        pledged_on=datetime.date(2010, 1, 10),
        committed_on=datetime.date(2010, 1, 15),
    )
    march = CommitmentFactory(
        state=tenant.state,
        amount=Decimal("300000.00"),
        status="committed",
        pledged_on=datetime.date(2010, 2, 1),
        committed_on=datetime.date(2010, 3, 20),
    )
    url = reverse("portfolio:state_money", kwargs={"state_pk": tenant.state.pk})
    page = admin_client.get(url).content.decode()
    ratios = dict(re.findall(r'<tr data-month="([\d-]+)">.*?data-ratio="([^"]*)"', page))
    assert (ratios["2010-01"], ratios["2010-02"], ratios["2010-03"]) == ("0.000", "0.000", "0.300")
    assert ratios["2010-05"] == "0.800"  # + the 500k committed on May 1
    assert '<img class="chart"' in page and "Match ratio: 0 in Jan 2010" in page
    assert f"Target {INITIATIVE_RATIO:.2f}." in page  # the alt text, to two places
    # By funder, the last twelve months: both private funders, each with its money
    assert page.count("<tr data-funder=") == 2 and march.funder.name in page
    # A zone's series: its zone-level money only (no public money there: no ratio)
    zone_page = admin_client.get(url, {"zone": tenant.zone.pk}).content.decode()
    assert set(re.findall(r'data-ratio="([^"]*)"', zone_page)) == {""}
    assert march.funder.name not in zone_page


def test_lead_partner_staff_read_no_state_money(tenant, login, client):
    public_commitment(tenant.state, "3000000.00")
    award_spending(tenant, amount="500000.00", spent="1000.00", days_in=200, days_left=30)
    staff = tenant.users["lead_partner_staff"]
    rollup = state_rollup(tenant.state, staff)
    assert (rollup.match.public, rollup.match.private, rollup.money.awards, rollup.money.at_risk) == (0, 0, [], 0)
    assert all(zone.budget.available == 0 and zone.budget.actual == 0 for zone in rollup.zones)
    staff_client = login(staff)
    url = reverse("portfolio:state_money", kwargs={"state_pk": tenant.state.pk})
    assert staff_client.get(url).status_code == 403  # they read the state, not its money
    page = staff_client.get(reverse("portfolio:state_detail", kwargs={"state_pk": tenant.state.pk})).content.decode()
    assert 'id="match"' not in page and url not in page
    zone_page = staff_client.get(reverse("portfolio:zone_detail", kwargs={"zone_pk": tenant.zone.pk})).content.decode()
    assert 'id="budget"' not in zone_page
    assert staff_client.get("/api/v1/state-money/", HTTP_ACCEPT="application/json").json()["results"] == []
    detail = staff_client.get(f"/api/v1/state-money/{tenant.state.pk}/", HTTP_ACCEPT="application/json")
    assert detail.status_code == 403
    # The state's own people read it; another state's is not found
    viewer = login(tenant.users["state_viewer"])
    assert viewer.get(url).status_code == 200
    other = StateFactory()
    assert viewer.get(reverse("portfolio:state_money", kwargs={"state_pk": other.pk})).status_code == 404


def test_state_money_api_reads_the_rollup(tenant, other_tenant, login):
    public_commitment(tenant.state, "3000000.00")
    award = award_spending(tenant, amount="500000.00", spent="1000.00", days_in=200, days_left=30)
    client = login(tenant.users["state_viewer"])
    [row] = client.get("/api/v1/state-money/", HTTP_ACCEPT="application/json").json()["results"]
    money = row["money"]
    public = Decimal("3500000.00")
    assert row["id"] == tenant.state.pk
    assert money["match"]["ratio"] == str((ZONE_PRIVATE / public).quantize(THOUSANDTH))
    assert money["match"]["gap"] == f"{(public * EXACT_RATIO).quantize(CENT) - ZONE_PRIVATE:.2f}"
    assert money["zones"] == [
        {**money["zones"][0], "zone": tenant.zone.pk, "public": "0.00", "private": f"{ZONE_PRIVATE:.2f}"}
    ]
    assert [(f["funder"], f["share"]) for f in money["funders"]] == [(tenant.commitment.funder_id, "1.000")]
    assert [(a["award"], a["outlook"], a["at_risk"]) for a in money["awards"]] == [
        (award.pk, "at_risk", f"{at_risk('500000.00', '1000.00', 200, 30):.2f}")
    ]
    assert money["at_risk"] == money["awards"][0]["at_risk"]
    assert money["budgets"]["actual"] == "2200.00"  # both expenditures were made in the zone
    portfolio = client.get(f"/api/v1/portfolio/{tenant.state.pk}/", HTTP_ACCEPT="application/json").json()
    rollup = portfolio["rollup"]
    assert (rollup["match"], rollup["at_risk"], rollup["awards_at_risk"]) == (
        money["match"],
        money["at_risk"],
        1,
    )
    targets = {target["label"]: target for target in portfolio["initiative_money"]["targets"]}
    assert targets["Public"]["committed"] == "3500000.00"  # the reader's reach: Colorado's money only
    assert targets["Public"]["still_to_commit"] == f"{Decimal(45_000_000) - public:.2f}"


@pytest.mark.parametrize("role", [Role.INITIATIVE_ADMIN, Role.STATE_LEAD])
def test_money_pages_run_constant_queries(role, login, db):
    tenant = make_tenant("Colorado")
    award_spending(tenant, amount="500000.00", spent="1000.00", days_in=200, days_left=30)  # none: no query
    client = login(member(role, tenant))
    urls = [
        reverse("portfolio:state_money", kwargs={"state_pk": tenant.state.pk}),
        reverse("portfolio:state_money", kwargs={"state_pk": tenant.state.pk}) + f"?zone={tenant.zone.pk}",
        "/api/v1/state-money/",
        "/api/v1/portfolio/",
    ]
    small = query_counts(client, urls, HTTP_ACCEPT="application/json")
    for _ in range(2):
        grow_state(tenant.state)
        grow_state(StateFactory(initiative=tenant.state.initiative))
        award_spending(tenant, amount="500000.00", spent="1000.00", days_in=200, days_left=30)
        MatchRuleFactory(state=StateFactory(initiative=tenant.state.initiative))
    assert query_counts(client, urls, HTTP_ACCEPT="application/json") == small
