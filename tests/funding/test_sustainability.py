"""Sustainability: what a recurring cost leaves unpaid each year once its grant ends, per school and
per state by fiscal year, the schools flagged from their zone's second year, and their plans."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from funding.models import Commitment, Expenditure, Funder, RecurringCost
from funding.sustainability import CostOutlook, state_sustainability
from tests.factories import (
    CommitmentFactory,
    FunderFactory,
    LaunchedZoneFactory,
    RecurringCostFactory,
    StateFactory,
)
from tests.problems import field_errors
from tests.worlds import member, query_counts

pytestmark = pytest.mark.django_db
D = datetime.date
ELT = Expenditure.Category.ELT_COMPENSATION
INCENTIVE = Expenditure.Category.INCENTIVE_PAY


def grant(state, ends, **kwargs):
    """A federal grant to ``state`` whose period ends on ``ends``."""
    funder = FunderFactory(kind=Funder.Kind.FEDERAL_FORMULA)
    return CommitmentFactory(state=state, funder=funder, period_end=ends, **kwargs)


def cost(school, ends, annual, after="0.00", plan="", category=ELT):
    state = school.district.state
    return RecurringCostFactory(
        school=school,
        category=category,
        added_minutes_per_day=60 if category == ELT else None,
        annual_cost=Decimal(annual),
        paid_by=grant(state, ends),
        funder_after_grant=FunderFactory(kind=Funder.Kind.STATE, state=state) if Decimal(after) else None,
        amount_after_grant=Decimal(after),
        plan=plan,
    )


def school_with(enrollment, zone=None):
    zone = zone or LaunchedZoneFactory()
    school = zone.schools.first()
    school.enrollment = enrollment
    school.save()
    return school


def sustainability_of(state, as_of=None):
    return state_sustainability(RecurringCost.objects.filter(state=state), as_of=as_of)[state.pk]


# --- One cost --------------------------------------------------------------------------------------


def test_the_gap_is_the_cost_less_what_the_funder_after_pays_per_year_and_pupil():
    school = school_with(400)
    outlook = CostOutlook(cost(school, D(2012, 6, 30), "250000.00", after="100000.00"))

    assert outlook.gap == Decimal("150000.00")
    assert outlook.gap_per_pupil == Decimal("375.00")  # 150,000 / 400
    assert outlook.grant_ends == D(2012, 6, 30)


def test_a_funder_paying_it_all_leaves_no_gap():
    outlook = CostOutlook(cost(school_with(400), D(2012, 6, 30), "90000.00", after="120000.00"))
    assert outlook.gap == Decimal("0.00") and outlook.gap_per_pupil == Decimal("0.00")


@pytest.mark.parametrize(
    ("ends", "first_year_after"),
    [
        (D(2012, 6, 30), 2013),  # the last day of FY2012: FY2013 is the first unpaid
        (D(2012, 7, 1), 2014),  # a day into FY2013: it pays part of it, FY2014 is the first unpaid
        (D(2013, 1, 31), 2014),
    ],
)
def test_the_first_fiscal_year_after_the_grant(ends, first_year_after):
    outlook = CostOutlook(cost(school_with(400), ends, "1000.00"))
    assert outlook.first_year_after == first_year_after
    assert outlook.gap_in(first_year_after - 1) == Decimal("0.00")
    assert outlook.gap_in(first_year_after) == Decimal("1000.00")


# --- A state, by fiscal year ------------------------------------------------------------------------------


def test_the_state_adds_by_fiscal_year_only_the_grants_ended_by_then():
    state = StateFactory()
    first = school_with(450, LaunchedZoneFactory(state=state))
    second = school_with(300, LaunchedZoneFactory(state=state))
    cost(first, D(2012, 6, 30), "250000.00", after="100000.00")  # gap 150,000 from FY2013
    cost(second, D(2013, 6, 30), "60000.00")  # gap 60,000 from FY2014
    cost(second, D(2014, 6, 30), "20000.00", after="20000.00", category=INCENTIVE)  # no gap

    by_year = sustainability_of(state).by_year()

    assert by_year == [
        (2013, Decimal("150000.00"), Decimal("333.33")),  # 150,000 / 450 pupils
        (2014, Decimal("210000.00"), Decimal("280.00")),  # 210,000 / 750 pupils
        (2015, Decimal("210000.00"), Decimal("280.00")),
        (2016, Decimal("210000.00"), Decimal("280.00")),
        (2017, Decimal("210000.00"), Decimal("280.00")),  # three years after the last grant ends (FY2015)
    ]


def test_the_gap_is_flagged_from_the_zones_second_school_year_with_or_without_a_plan():
    state = StateFactory()
    zone = LaunchedZoneFactory(state=state, launch_school_year="2010-11")
    planned = school_with(400, zone)
    cost(planned, D(2012, 6, 30), "1000.00", plan="The district takes it on from FY2013.")
    unplanned = zone.schools.exclude(pk=planned.pk).first()
    cost(unplanned, D(2012, 6, 30), "1000.00")
    paid = zone.schools.exclude(pk__in=[planned.pk, unplanned.pk]).first()
    cost(paid, D(2012, 6, 30), "1000.00", after="1000.00")

    first_year = sustainability_of(state, as_of=D(2011, 6, 30))
    second_year = sustainability_of(state, as_of=D(2011, 7, 1))

    assert first_year.flagged_schools == []
    assert {row.school for row in second_year.flagged_schools} == {planned, unplanned}
    assert [row.school for row in second_year.without_plan] == [unplanned]


def test_a_plan_is_needed_for_every_cost_with_a_gap():
    state = StateFactory()
    school = school_with(400, LaunchedZoneFactory(state=state))
    cost(school, D(2012, 6, 30), "1000.00", plan="Raise it from the district's budget.")
    cost(school, D(2012, 6, 30), "1000.00", plan="   ", category=INCENTIVE)

    (row,) = sustainability_of(state).schools

    assert not row.has_plan
    assert row.gap == Decimal("2000.00") and row.gap_per_pupil == Decimal("5.00")


# --- The model's rules, as form errors -------------------------------------------------------------------


@pytest.fixture
def lead(tenant, login):
    return login(member(Role.STATE_LEAD, tenant))


def cost_data(tenant, **changes):
    data = {
        "category": ELT,
        "annual_cost": "250000.00",
        "added_minutes_per_day": "60",
        "paid_by": grant(tenant.state, D(2012, 6, 30)).pk,
        "funder_after_grant": "",
        "amount_after_grant": "0.00",
        "plan": "",
    }
    return {**data, **changes}


def test_the_form_records_a_cost_with_its_plan(tenant, lead):
    school = tenant.zone.schools.first()
    new = reverse("funding:recurring_cost_create", kwargs={"school_pk": school.pk})

    response = lead.post(new, cost_data(tenant, plan="The district pays from FY2013."))

    assert response.status_code == 302
    saved = RecurringCost.objects.get(school=school)
    assert saved.state == tenant.state and saved.plan == "The district pays from FY2013."


def test_the_form_explains_the_models_rules(tenant, other_tenant, lead):
    school = tenant.zone.schools.first()
    new = reverse("funding:recurring_cost_create", kwargs={"school_pk": school.pk})
    withdrawn = grant(tenant.state, D(2012, 6, 30), status=Commitment.Status.WITHDRAWN, withdrawn_on=D(2010, 4, 1))
    data = cost_data(
        tenant, category=INCENTIVE, added_minutes_per_day="30", amount_after_grant="5000.00", funder_after_grant=""
    )

    refused = lead.post(new, data)
    errors = refused.context["form"].errors
    elsewhere = lead.post(new, cost_data(tenant, paid_by=other_tenant.commitment.pk)).context["form"].errors
    gone = lead.post(new, cost_data(tenant, paid_by=withdrawn.pk)).context["form"].errors

    assert refused.status_code == 400
    assert errors["added_minutes_per_day"] == ["Added minutes are for extended learning time."]
    assert errors["funder_after_grant"] == ["Name who pays the amount after the grant."]
    assert "paid_by" in elsewhere and "paid_by" in gone  # not offered: another state's, withdrawn
    assert not RecurringCost.objects.filter(school=school).exists()


def test_the_model_refuses_a_withdrawn_grant_and_another_states_funds(invalid, tenant, other_tenant):
    school = tenant.zone.schools.first()
    withdrawn = grant(tenant.state, D(2012, 6, 30), status=Commitment.Status.WITHDRAWN, withdrawn_on=D(2010, 4, 1))
    errors = invalid(RecurringCostFactory.build(school=school, paid_by=withdrawn), "paid_by")
    assert "withdrawn" in errors["paid_by"][0]
    foreign = FunderFactory(kind=Funder.Kind.STATE, state=other_tenant.state)
    invalid(
        RecurringCostFactory.build(
            school=school, paid_by=tenant.commitment, funder_after_grant=foreign, amount_after_grant=Decimal("1")
        ),
        "funder_after_grant",
    )


# --- The pages and the API -------------------------------------------------------------------------------


def test_the_school_page_shows_each_cost_its_grant_who_pays_after_and_the_gap(tenant, lead):
    school = tenant.zone.schools.first()
    recorded = cost(school, D(2012, 6, 30), "250000.00", after="100000.00", plan="Phase in district money.")
    page = lead.get(reverse("funding:school_sustainability", kwargs={"school_pk": school.pk}))

    html = page.content.decode()
    assert page.status_code == 200
    assert recorded.paid_by.funder.name in html and recorded.funder_after_grant.name in html
    assert "Jun 30, 2012" in html and "from FY2013" in html
    assert f'data-figure="gap" data-value="{Decimal("150000.00")}"' in html
    assert "Phase in district money." in html
    assert reverse("funding:recurring_cost_edit", kwargs={"recurringcost_pk": recorded.pk}) in html


def test_the_state_page_shows_the_gap_by_year_and_the_schools_flagged_without_a_plan(tenant, lead):
    school = tenant.zone.schools.first()
    cost(school, D(2012, 6, 30), "90000.00")

    page = lead.get(reverse("funding:state_sustainability", kwargs={"state_pk": tenant.state.pk}))

    html = page.content.decode()
    assert page.status_code == 200
    assert '<tr data-fiscal-year="2013"><th scope="row">FY2013</th><td class="num" data-figure="gap">$90,000' in html
    assert 'data-figure="flagged" data-value="1"' in html  # the zone launched in 2010-11: long past its first year
    assert 'data-figure="without_plan" data-value="1"' in html
    assert school.name in html


def test_a_viewer_reads_another_states_is_not_found(tenant, other_tenant, login):
    viewer = login(member(Role.STATE_VIEWER, tenant))
    school, foreign = tenant.zone.schools.first(), other_tenant.zone.schools.first()
    recorded = cost(school, D(2012, 6, 30), "1000.00")

    assert viewer.get(reverse("funding:school_sustainability", kwargs={"school_pk": school.pk})).status_code == 200
    assert viewer.get(reverse("funding:school_sustainability", kwargs={"school_pk": foreign.pk})).status_code == 404
    assert (
        viewer.get(reverse("funding:state_sustainability", kwargs={"state_pk": other_tenant.state.pk})).status_code
        == 404
    )
    edit = reverse("funding:recurring_cost_edit", kwargs={"recurringcost_pk": recorded.pk})
    assert viewer.get(edit).status_code == 403
    new = reverse("funding:recurring_cost_create", kwargs={"school_pk": school.pk})
    assert viewer.post(new, cost_data(tenant)).status_code == 403
    assert RecurringCost.objects.filter(school=school).count() == 1


def test_the_api_reads_the_outlook_and_writes_for_the_state_lead_only(tenant, other_tenant, lead, login):
    school = tenant.zone.schools.first()
    url = reverse("api:recurringcost-list")
    data = {**cost_data(tenant, amount_after_grant="50000.00"), "school": school.pk}
    data["funder_after_grant"] = FunderFactory(kind=Funder.Kind.STATE, state=tenant.state).pk

    created = lead.post(url, data, content_type="application/json")

    assert created.status_code == 201, created.json()
    assert created.json()["outlook"] == {
        "grant_ends": "2012-06-30",
        "first_year_after": 2013,
        "gap": "200000.00",
        "gap_per_pupil": str((Decimal("200000") / school.enrollment).quantize(Decimal("0.01"))),
    }
    refused = lead.post(
        url, {**data, "category": INCENTIVE, "added_minutes_per_day": 20}, content_type="application/json"
    )
    assert refused.status_code == 400 and "added_minutes_per_day" in field_errors(refused)
    viewer = login(member(Role.STATE_VIEWER, tenant))
    assert [row["id"] for row in viewer.get(url).json()["results"]] == [created.json()["id"]]
    assert viewer.post(url, {**data, "category": INCENTIVE}, content_type="application/json").status_code == 403
    foreign = cost(other_tenant.zone.schools.first(), D(2012, 6, 30), "1.00")
    assert viewer.get(reverse("api:recurringcost-detail", kwargs={"pk": foreign.pk})).status_code == 404


def test_the_pages_cost_the_same_queries_whatever_the_number_of_costs(tenant, lead):
    schools = list(tenant.zone.schools.all())
    cost(schools[0], D(2012, 6, 30), "1000.00")
    urls = [
        reverse("funding:state_sustainability", kwargs={"state_pk": tenant.state.pk}),
        reverse("funding:school_sustainability", kwargs={"school_pk": schools[0].pk}),
    ]
    before = query_counts(lead, urls)
    cost(schools[0], D(2013, 6, 30), "2000.00", after="500.00", category=INCENTIVE)
    for school in schools[1:]:
        cost(school, D(2012, 6, 30), "3000.00", plan="District money.")

    assert query_counts(lead, urls) == before
