"""A zone's budget against what was spent, by fiscal year (July to June, named by the year it ends)
and category; the zone's budgets stay within the money committed to it on every write path."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Role
from funding.budgets import zone_budgets
from funding.models import Budget, Commitment, Expenditure
from reports.rollups import state_rollup
from tests.factories import (
    BudgetFactory,
    CommitmentFactory,
    ExpenditureFactory,
    FunderFactory,
    LaunchedZoneFactory,
    ZoneFactory,
)
from tests.problems import field_errors
from tests.worlds import member, query_counts

pytestmark = pytest.mark.django_db
D = datetime.date
ELT = Expenditure.Category.ELT_COMPENSATION
PARTNER = Expenditure.Category.PARTNER_SERVICES


def zone_money(zone, amount="500000.00", status=Commitment.Status.RECEIVED):
    """A zone-level commitment to ``zone``."""
    return CommitmentFactory(
        state=zone.state, zone=zone, recipient_level=Commitment.RecipientLevel.ZONE, status=status, amount=amount
    )


def spend(commitment, amount, on, category=ELT, **place):
    place = place or {"zone": commitment.zone}
    return ExpenditureFactory(commitment=commitment, category=category, amount=Decimal(amount), spent_on=on, **place)


def void(expenditure):
    """Voided as the void use case leaves it (its fields are not editable)."""
    Expenditure.objects.filter(pk=expenditure.pk).update(voided_on=D(2011, 8, 1), void_reason="Entered twice")


def budget_of(zone):
    return zone_budgets([zone.pk], Budget.objects.all(), Expenditure.objects.all(), Commitment.objects.all())[zone.pk]


def line(budget, fiscal_year, category):
    return next(item for item in budget.lines if (item.fiscal_year, item.category) == (fiscal_year, category))


# --- Budget vs actual ------------------------------------------------------------------------------


def test_spending_falls_in_the_fiscal_year_of_its_date_july_starting_the_next():
    zone = LaunchedZoneFactory()
    money = zone_money(zone)
    BudgetFactory(zone=zone, fiscal_year=2011, category=ELT, amount=Decimal("100000.00"))
    BudgetFactory(zone=zone, fiscal_year=2012, category=ELT, amount=Decimal("50000.00"))
    spend(money, "10000.00", D(2011, 6, 30))  # the last day of FY2011
    spend(money, "20000.00", D(2011, 7, 1))  # the first day of FY2012
    spend(money, "5000.00", D(2010, 7, 1), zone=None, school=zone.schools.first())  # at a school: the zone's too

    budget = budget_of(zone)

    fy2011, fy2012 = line(budget, 2011, ELT), line(budget, 2012, ELT)
    assert fy2011.actual == Decimal("15000.00")
    assert fy2011.remaining == Decimal("100000.00") - Decimal("15000.00")
    assert fy2011.used_share == Decimal("0.150")
    assert fy2012.actual == Decimal("20000.00")
    assert fy2012.remaining == Decimal("30000.00")
    assert [year.fiscal_year for year in budget.year_totals()] == [2011, 2012]
    assert not fy2011.over and not fy2012.over


def test_voided_spending_is_not_actual():
    zone = LaunchedZoneFactory()
    money = zone_money(zone)
    BudgetFactory(zone=zone, fiscal_year=2011, category=ELT, amount=Decimal("1000.00"))
    spend(money, "400.00", D(2010, 9, 1))
    void(spend(money, "900.00", D(2010, 9, 2)))

    fy2011 = line(budget_of(zone), 2011, ELT)

    assert fy2011.actual == Decimal("400.00")
    assert not fy2011.over


def test_overspending_and_spending_without_a_budget_are_flagged_and_totalled_per_year():
    zone = LaunchedZoneFactory()
    money = zone_money(zone, amount="300000.00")
    BudgetFactory(zone=zone, fiscal_year=2011, category=ELT, amount=Decimal("1000.00"))
    spend(money, "1000.01", D(2010, 9, 1))
    spend(money, "250.00", D(2010, 10, 1), category=PARTNER)
    zone_money(zone, amount="100.00", status=Commitment.Status.PLEDGED)  # a pledge is not yet money

    budget = budget_of(zone)

    over, unbudgeted = line(budget, 2011, ELT), line(budget, 2011, PARTNER)
    assert over.over and over.flag == "Over budget" and over.remaining == Decimal("-0.01")
    assert unbudgeted.budget is None and unbudgeted.over and unbudgeted.flag == "Spent without a budget"
    assert budget.over_lines == [over, unbudgeted]
    (year,) = budget.year_totals()
    assert (year.budgeted, year.actual) == (Decimal("1000.00"), Decimal("1250.01"))
    assert year.remaining == Decimal("1000.00") - Decimal("1250.01") and year.over_lines == [over, unbudgeted]
    assert budget.available == Decimal("300000.00")
    assert budget.budgeted == Decimal("1000.00")
    assert budget.left_to_budget == Decimal("299000.00")


def test_a_line_within_its_budget_is_not_flagged():
    zone = LaunchedZoneFactory()
    money = zone_money(zone)
    BudgetFactory(zone=zone, fiscal_year=2011, category=ELT, amount=Decimal("1000.00"))
    spend(money, "1000.00", D(2010, 9, 1))

    fy2011 = line(budget_of(zone), 2011, ELT)

    assert not fy2011.over and fy2011.flag == "" and fy2011.used_share == Decimal("1.000")


# --- The guard: budgets within the money committed to the zone --------------------------------------


def test_the_model_refuses_budgets_beyond_the_zones_committed_money():
    zone = LaunchedZoneFactory()
    zone_money(zone, amount="1000.00", status=Commitment.Status.COMMITTED)
    Budget.objects.create(zone=zone, fiscal_year=2011, category=ELT, amount=Decimal("600.00"))

    too_much = Budget(zone=zone, fiscal_year=2012, category=ELT, amount=Decimal("400.01"))
    with pytest.raises(ValidationError) as caught:
        too_much.full_clean()
    assert "$400.00 is left to budget" in caught.value.message_dict["amount"][0]
    Budget(zone=zone, fiscal_year=2012, category=ELT, amount=Decimal("400.00")).full_clean()


def test_save_checks_on_the_locked_zone_what_clean_checked_before_another_budget_landed():
    """Two budgets each valid alone (both cleaned before either is saved): the second save is
    refused, because save() sums the zone's budgets again on its locked row."""
    zone = LaunchedZoneFactory()
    zone_money(zone, amount="1000.00", status=Commitment.Status.COMMITTED)
    first = Budget(zone=zone, fiscal_year=2011, category=ELT, amount=Decimal("700.00"))
    second = Budget(zone=zone, fiscal_year=2011, category=PARTNER, amount=Decimal("700.00"))
    first.full_clean()
    second.full_clean()

    first.save()
    with pytest.raises(ValidationError) as caught:
        second.save()

    assert "$300.00 is left to budget" in caught.value.message_dict["amount"][0]
    assert list(Budget.objects.filter(zone=zone)) == [first]


def test_only_committed_zone_money_can_be_budgeted():
    zone = LaunchedZoneFactory()
    zone_money(zone, amount="5000.00", status=Commitment.Status.PLEDGED)
    with pytest.raises(ValidationError):
        Budget(zone=zone, fiscal_year=2011, category=ELT, amount=Decimal("1.00")).save()


# --- The page, its forms and its CSV -------------------------------------------------------------------


@pytest.fixture
def lead(tenant, login):
    return login(member(Role.STATE_LEAD, tenant))


def budget_page(client, zone, **query):
    return client.get(reverse("funding:zone_budget", kwargs={"zone_pk": zone.pk}), query)


def test_the_page_shows_budget_vs_actual_and_the_over_budget_flag_in_words(tenant, lead):
    zone = tenant.zone  # 500,000 received at the zone; 1,200 spent on ELT on 2010-09-15 (FY2011)
    BudgetFactory(zone=zone, fiscal_year=2011, category=ELT, amount=Decimal("1000.00"))
    BudgetFactory(zone=zone, fiscal_year=2012, category=PARTNER, amount=Decimal("2500.00"))

    page = budget_page(lead, zone)

    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-figure="available" data-value="500000.00"' in html
    assert 'data-figure="budgeted" data-value="3500.00"' in html
    assert 'data-figure="left_to_budget" data-value="496500.00"' in html
    assert 'data-figure="over_lines" data-value="1"' in html
    assert 'class="attention" data-category="elt_compensation"' in html
    assert "Over budget" in html and "FY2011" in html and "FY2012" in html
    assert reverse("funding:budget_create", kwargs={"zone_pk": zone.pk}) in html


def test_the_csv_has_the_pages_lines(tenant, lead):
    BudgetFactory(zone=tenant.zone, fiscal_year=2011, category=ELT, amount=Decimal("1000.00"))

    response = budget_page(lead, tenant.zone, export="budget")

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Fiscal year", "Category", "Budget", "Actual", "Remaining", "Share used", "Flag"]
    assert rows[1] == ["2011", ELT.label, "1000.00", "1200.00", "-200.00", "1.200", "Over budget"]


def test_a_state_viewer_reads_the_page_without_edit_links_and_may_not_add(tenant, login):
    budget = BudgetFactory(zone=tenant.zone, fiscal_year=2011, category=ELT, amount=Decimal("1000.00"))
    viewer = login(member(Role.STATE_VIEWER, tenant))

    page = budget_page(viewer, tenant.zone)

    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-figure="budgeted" data-value="1000.00"' in html
    assert reverse("funding:budget_edit", kwargs={"budget_pk": budget.pk}) not in html
    assert "New budget line" not in html
    new = reverse("funding:budget_create", kwargs={"zone_pk": tenant.zone.pk})
    assert viewer.get(new).status_code == 403
    data = {"fiscal_year": 2012, "category": ELT, "amount": "10.00"}
    assert viewer.post(new, data).status_code == 403
    assert Budget.objects.filter(zone=tenant.zone).count() == 1


def test_another_states_zone_budget_is_not_found(tenant, other_tenant, lead):
    budget = BudgetFactory(zone=other_tenant.zone)
    assert budget_page(lead, other_tenant.zone).status_code == 404
    assert lead.get(reverse("funding:budget_edit", kwargs={"budget_pk": budget.pk})).status_code == 404


def test_the_form_adds_a_line_and_shows_the_guard_as_the_amount_error(tenant, lead):
    new = reverse("funding:budget_create", kwargs={"zone_pk": tenant.zone.pk})

    saved = lead.post(new, {"fiscal_year": 2012, "category": ELT, "amount": "499000.00"})
    refused = lead.post(new, {"fiscal_year": 2013, "category": ELT, "amount": "1000.01"})

    assert saved.status_code == 302
    assert refused.status_code == 400
    assert "$1,000.00 is left to budget" in refused.context["form"].errors["amount"][0]
    assert Budget.objects.filter(zone=tenant.zone).count() == 1


def test_the_form_shows_the_guard_raised_while_saving_on_the_locked_zone(tenant, lead, monkeypatch):
    """Another budget lands after the form was cleaned: save() refuses, the page says why."""
    monkeypatch.setattr(Budget, "available_error", racing_guard(tenant.zone))
    new = reverse("funding:budget_create", kwargs={"zone_pk": tenant.zone.pk})

    refused = lead.post(new, {"fiscal_year": 2012, "category": ELT, "amount": "400000.00"})

    assert refused.status_code == 400
    assert "is left to budget" in refused.context["form"].errors["amount"][0]
    assert not Budget.objects.filter(zone=tenant.zone, fiscal_year=2012).exists()


def racing_guard(zone):
    """The guard, with a concurrent 200,000 budget landing between clean() and save()."""
    guard = Budget.available_error
    calls = []

    def available_error(budget):
        calls.append(budget)
        if len(calls) == 2:
            Budget._base_manager.create(
                zone=zone, state=zone.state, fiscal_year=2011, category=PARTNER, amount=Decimal("200000.00")
            )
        return guard(budget)

    return available_error


def test_the_form_edits_a_line(tenant, lead):
    budget = BudgetFactory(zone=tenant.zone, amount=Decimal("1000.00"))
    edit = reverse("funding:budget_edit", kwargs={"budget_pk": budget.pk})
    data = {"fiscal_year": 2011, "category": ELT, "amount": "2000.00", "version": budget.version}

    assert lead.post(edit, data).status_code == 302

    budget.refresh_from_db()
    assert budget.amount == Decimal("2000.00")


# --- The API ---------------------------------------------------------------------------------------------


def test_the_api_adds_filters_and_refuses_beyond_the_zones_money(tenant, lead):
    url = reverse("api:budget-list")
    data = {"zone": tenant.zone.pk, "fiscal_year": 2011, "category": ELT, "amount": "300000.00"}

    created = lead.post(url, data, content_type="application/json")
    refused = lead.post(url, {**data, "fiscal_year": 2012, "amount": "200000.01"}, content_type="application/json")

    assert created.status_code == 201 and created.json()["state"] == tenant.state.pk
    assert refused.status_code == 400
    assert "$200,000.00 is left to budget" in field_errors(refused)["amount"][0]
    assert [row["id"] for row in lead.get(url, {"fiscal_year": 2011}).json()["results"]] == [created.json()["id"]]
    assert lead.get(url, {"fiscal_year": 2012}).json()["results"] == []
    assert lead.get(url, {"category": PARTNER}).json()["results"] == []


def test_the_api_answers_400_when_the_guard_refuses_while_saving(tenant, lead, monkeypatch):
    monkeypatch.setattr(Budget, "available_error", racing_guard(tenant.zone))
    data = {"zone": tenant.zone.pk, "fiscal_year": 2012, "category": ELT, "amount": "400000.00"}

    refused = lead.post(reverse("api:budget-list"), data, content_type="application/json")

    assert refused.status_code == 400
    assert "is left to budget" in field_errors(refused)["amount"][0]


def test_a_state_viewer_reads_the_states_budgets_through_the_api_and_cannot_write(tenant, other_tenant, login):
    mine, theirs = BudgetFactory(zone=tenant.zone), BudgetFactory(zone=other_tenant.zone)
    viewer = login(member(Role.STATE_VIEWER, tenant))

    listed = viewer.get(reverse("api:budget-list")).json()["results"]
    assert [row["id"] for row in listed] == [mine.pk]
    assert viewer.get(reverse("api:budget-detail", kwargs={"pk": theirs.pk})).status_code == 404
    detail = reverse("api:budget-detail", kwargs={"pk": mine.pk})
    assert viewer.patch(detail, {"amount": "1.00"}, content_type="application/json").status_code == 403
    data = {"zone": tenant.zone.pk, "fiscal_year": 2013, "category": ELT, "amount": "1.00"}
    assert viewer.post(reverse("api:budget-list"), data, content_type="application/json").status_code == 403


def test_the_states_own_money_is_budgeted_once_across_its_zones(tenant):
    """State-level money (its SIG) may be budgeted by any of its zones, but only once: what one zone
    budgets beyond its own money is no longer the others'."""
    CommitmentFactory(
        state=tenant.state, funder=FunderFactory(), status=Commitment.Status.COMMITTED, amount=Decimal("100000.00")
    )
    other = ZoneFactory(state=tenant.state)
    assert budget_of(tenant.zone).available == Decimal("600000.00")  # its 500,000 and the state's 100,000
    assert budget_of(other).available == Decimal("100000.00")

    BudgetFactory(zone=tenant.zone, fiscal_year=2011, category=PARTNER, amount=Decimal("560000.00"))

    assert budget_of(other).available == Decimal("40000.00")  # 60,000 of the state's money is budgeted
    with pytest.raises(ValidationError, match=r"\$40,000.00 is left to budget"):
        Budget(zone=other, fiscal_year=2011, category=PARTNER, amount=Decimal("40000.01")).save()
    Budget(zone=other, fiscal_year=2011, category=PARTNER, amount=Decimal("40000.00")).save()
    assert budget_of(tenant.zone).available == Decimal("560000.00")


def test_a_second_line_for_the_same_year_and_category_is_a_form_and_api_error(tenant, lead):
    BudgetFactory(zone=tenant.zone, fiscal_year=2011, category=ELT, amount=Decimal("1000.00"))
    data = {"fiscal_year": 2011, "category": ELT, "amount": "10.00"}

    page = lead.post(reverse("funding:budget_create", kwargs={"zone_pk": tenant.zone.pk}), data)
    api = lead.post(reverse("api:budget-list"), {**data, "zone": tenant.zone.pk}, content_type="application/json")

    assert page.status_code == 400 and page.context["form"].errors
    assert api.status_code == 400
    assert Budget.objects.filter(zone=tenant.zone).count() == 1


def test_the_page_reads_the_same_budget_as_the_zones_rollup(tenant, lead):
    BudgetFactory(zone=tenant.zone, fiscal_year=2011, category=PARTNER, amount=Decimal("1000.00"))
    user = member(Role.STATE_LEAD, tenant)
    rollup = state_rollup(tenant.state, user, zone=tenant.zone)

    page = budget_page(lead, tenant.zone)

    assert page.context["budget"] == rollup.zones[0].budget


def test_the_page_costs_the_same_queries_whatever_the_number_of_lines(tenant, lead):
    url = reverse("funding:zone_budget", kwargs={"zone_pk": tenant.zone.pk})
    BudgetFactory(zone=tenant.zone, fiscal_year=2011, category=ELT, amount=Decimal("1000.00"))
    before = query_counts(lead, [url])
    for year in (2012, 2013):
        BudgetFactory(zone=tenant.zone, fiscal_year=year, category=PARTNER, amount=Decimal("1000.00"))
        spend(tenant.commitment, "10.00", D(year - 1, 8, 1), category=Expenditure.Category.OTHER)

    assert query_counts(lead, [url]) == before
