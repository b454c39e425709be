"""The accountability cycle's pages: the period grid on the workspace, the review, the collection
calendar — scope, one-request saves, errors, locks, roles, filters and CSV."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accountability import cycle
from accountability.choices import Submission
from accountability.models import Measurement, Metric, PeriodSubmission, ReportingPeriod
from accounts.models import Role
from tests.factories import (
    LaunchedZoneFactory,
    MetricFactory,
    PeriodSubmissionFactory,
    ReportingPeriodFactory,
    StateFactory,
)
from tests.worlds import grow_state, make_tenant, member, query_counts

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
SPRING_DUE = datetime.date(2011, 5, 31)


@pytest.fixture
def spring(tenant):
    return ReportingPeriodFactory(state=tenant.state, school_year="2010-11", period=3, due_on=SPRING_DUE)


@pytest.fixture
def school(tenant):
    return tenant.schools[1]


@pytest.fixture
def partner_user(tenant):
    return member(Role.LEAD_PARTNER_STAFF, tenant)


def signed_in(user) -> Client:
    """A client of its own for ``user`` (a test acts as the Lead Partner and the state lead in turn)."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def partner(partner_user):
    return signed_in(partner_user)


@pytest.fixture
def lead_user(tenant):
    return member(Role.STATE_LEAD, tenant)


@pytest.fixture
def lead(lead_user):
    return signed_in(lead_user)


def grid_url(school, period):
    return f"{reverse('accountability:period_form')}?school={school.pk}&period={period.pk}"


def indicators(period, count, **fields):
    """``count`` indicators chosen for ``period`` (percentages, 0–100)."""
    metrics = [
        MetricFactory(name=f"Indicator {index:02d}", kind=Metric.Kind.LEADING, **fields) for index in range(count)
    ]
    period.indicators.set(metrics)
    return metrics


def values(metrics, start=10):
    return {f"value_{metric.pk}": str(start + index) for index, metric in enumerate(metrics)}


def recorded(school, period):
    return dict(
        Measurement.objects.filter(school=school, school_year=period.school_year, period=period.period).values_list(
            "metric_id", "value"
        )
    )


def submission_url(submission):
    return reverse("accountability:submission_detail", kwargs={"periodsubmission_pk": submission.pk})


def calendar_url(state):
    return reverse("accountability:calendar", kwargs={"state_pk": state.pk})


# --- The grid ------------------------------------------------------------------------------------


def test_the_grid_shows_each_indicator_prefilled_with_its_unit_and_range(tenant, school, spring, partner):
    metric = school.baselines.get().metric  # achievement (lagging), with spring measured below
    minutes = MetricFactory(name="Minutes in the school year", kind=Metric.Kind.LEADING, unit="minutes", max_value=None)
    Measurement.objects.create(school=school, metric=metric, school_year="2010-11", period=3, value=Decimal("47.5"))
    page = partner.get(grid_url(school, spring))
    assert page.status_code == 200
    form = page.context["grid"]["form"]
    assert form[f"value_{metric.pk}"].value() == Decimal("47.5")
    content = page.content.decode()
    assert "Minutes, 0 to no limit" in content and "Percent, 0 to 100" in content
    assert content.index("Leading indicators") < content.index("Achievement")
    assert minutes.name in content


def test_the_grid_saves_a_whole_period_in_one_htmx_request(school, spring, partner):
    metrics = indicators(spring, 6)
    response = partner.post(grid_url(school, spring), {**values(metrics), "save": "1"}, headers=HTMX)
    assert response.status_code == 200
    assert response.templates[0].name == "accountability/_period_grid.html"  # the grid only, in place
    assert "saved." in response.content.decode()
    assert recorded(school, spring) == {metric.pk: Decimal(10 + index) for index, metric in enumerate(metrics)}
    assert PeriodSubmission.objects.get(school=school, reporting_period=spring).status == Submission.IN_PROGRESS


def test_without_javascript_the_grid_posts_and_comes_back_to_the_same_period(school, spring, partner):
    metrics = indicators(spring, 2)
    response = partner.post(grid_url(school, spring), values(metrics))
    assert response.status_code == 302
    assert response["Location"] == grid_url(school, spring) + "#period"
    page = partner.get(response["Location"])
    assert page.context["grid"]["school"] == school and page.context["grid"]["reporting_period"] == spring


def grid_save_queries(client, school, period, metrics) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(grid_url(school, period), values(metrics), headers=HTMX)
    assert response.status_code == 200, response.content
    return len(queries)


def test_the_grid_saves_in_constant_queries_at_5_and_15_indicators(tenant, partner):
    small = ReportingPeriodFactory(state=tenant.state, school_year="2010-11", period=2, due_on=SPRING_DUE)
    large = ReportingPeriodFactory(state=tenant.state, school_year="2010-11", period=3, due_on=SPRING_DUE)
    few, many = indicators(small, 5), [MetricFactory(name=f"More {index:02d}") for index in range(15)]
    large.indicators.set(many)
    school = tenant.schools[1]
    assert grid_save_queries(partner, school, small, few) == grid_save_queries(partner, school, large, many)
    assert len(recorded(school, large)) == 15


def test_a_wrong_value_is_shown_beside_its_indicator_and_nothing_is_lost(school, spring, partner):
    metrics = indicators(spring, 3)
    data = {**values(metrics), f"value_{metrics[1].pk}": "140", f"value_{metrics[2].pk}": "N/A"}
    response = partner.post(grid_url(school, spring), data, headers=HTMX)
    assert response.status_code == 400
    form = response.context["grid"]["form"]
    assert set(form.errors) == {f"value_{metrics[2].pk}"}  # not a number: refused before saving
    assert 'value="N/A"' in response.content.decode() and 'value="140"' in response.content.decode()
    fixed = partner.post(grid_url(school, spring), {**data, f"value_{metrics[2].pk}": "12"}, headers=HTMX)
    assert fixed.status_code == 400  # 140 % is out of range: the model's rule, beside its indicator
    assert f"value_{metrics[1].pk}" in fixed.context["grid"]["form"].errors
    assert 'value="140"' in fixed.content.decode() and 'value="10"' in fixed.content.decode()
    assert recorded(school, spring) == {}  # one transaction: nothing half-saved


def test_submitting_locks_the_grid_and_a_forced_post_is_refused(school, spring, partner, partner_user):
    metrics = indicators(spring, 2)
    response = partner.post(grid_url(school, spring), {**values(metrics), "submit": "1"})
    assert response.status_code == 302
    submission = PeriodSubmission.objects.get(school=school, reporting_period=spring)
    assert submission.status == Submission.SUBMITTED and submission.submitted_by == partner_user
    grid = partner.get(grid_url(school, spring)).context["grid"]
    assert grid["read_only"] and all(field.disabled for field in grid["form"].fields.values())
    forced = partner.post(grid_url(school, spring), values(metrics, start=50))
    assert forced.status_code == 409
    assert recorded(school, spring)[metrics[0].pk] == Decimal(10)


def test_the_workspace_opens_the_most_urgent_period(tenant, school, partner):
    late = ReportingPeriodFactory(
        state=tenant.state, school_year="2010-11", period=1, due_on=datetime.date(2010, 11, 1)
    )
    returned = ReportingPeriodFactory(state=tenant.state, school_year="2010-11", period=2, due_on=SPRING_DUE)
    later = ReportingPeriodFactory(
        state=tenant.state, school_year="2030-31", period=1, due_on=datetime.date(2030, 11, 1)
    )
    for other in tenant.schools:
        for period in (late, returned, later):
            if period is not late:
                PeriodSubmissionFactory(school=other, reporting_period=period, status=Submission.APPROVED)
    PeriodSubmission.objects.filter(reporting_period=returned, school=school).update(status=Submission.RETURNED)
    PeriodSubmission.objects.filter(reporting_period=later, school=school).update(status=Submission.IN_PROGRESS)
    assert partner.get(reverse("accountability:workspace")).context["grid"]["reporting_period"] == late
    for other in tenant.schools:
        PeriodSubmissionFactory(school=other, reporting_period=late, status=Submission.APPROVED)
    grid = partner.get(reverse("accountability:workspace")).context["grid"]
    assert (grid["school"], grid["reporting_period"]) == (school, returned)
    PeriodSubmission.objects.filter(reporting_period=returned).update(status=Submission.APPROVED)
    assert partner.get(reverse("accountability:workspace")).context["grid"]["reporting_period"] == later


def test_another_states_school_or_period_is_not_found(tenant, other_tenant, school, spring, partner):
    elsewhere = ReportingPeriodFactory(state=other_tenant.state, school_year="2010-11", period=3, due_on=SPRING_DUE)
    assert partner.get(grid_url(other_tenant.schools[0], elsewhere)).status_code == 404
    assert partner.get(grid_url(school, elsewhere)).status_code == 404  # a period of another state
    assert partner.post(grid_url(other_tenant.schools[0], elsewhere), {}).status_code == 404
    assert partner.get(f"{reverse('accountability:period_form')}?school=x").status_code == 404


def test_a_state_viewer_cannot_enter_values(tenant, school, spring, login):
    viewer = login(member(Role.STATE_VIEWER, tenant))
    metrics = indicators(spring, 1)
    assert viewer.get(grid_url(school, spring)).status_code == 403
    assert viewer.post(grid_url(school, spring), values(metrics)).status_code == 403
    assert recorded(school, spring) == {}


# --- The review ----------------------------------------------------------------------------------


@pytest.fixture
def submitted(school, spring, partner_user):
    metrics = indicators(spring, 2)
    submission = cycle.save_period_values(
        partner_user, school, spring, {metrics[0].pk: Decimal(20), metrics[1].pk: Decimal(7)}
    )
    return cycle.submit_period(partner_user, submission)


def test_the_review_shows_values_against_the_period_before_and_the_target(tenant, school, spring, lead, partner_user):
    metric = school.baselines.get().metric  # with a target of 50
    Measurement.objects.create(school=school, metric=metric, school_year="2010-11", period=2, value=Decimal("41"))
    Measurement.objects.create(school=school, metric=metric, school_year="2010-11", period=3, value=Decimal("43"))
    submission = PeriodSubmissionFactory(school=school, reporting_period=spring, status=Submission.SUBMITTED)
    page = lead.get(submission_url(submission))
    assert page.status_code == 200
    rows = {row[0]: row[1:] for row in page.context["rows"]}
    assert rows[metric] == (Decimal("43"), Decimal("41"), Decimal("50"))


def test_returning_needs_a_comment_that_the_lead_partner_then_reads(submitted, school, spring, lead, partner):
    url = submission_url(submitted)
    refused = lead.post(url, {"step": "return", "comment": "  "})
    assert refused.status_code == 400
    submitted.refresh_from_db()
    assert submitted.status == Submission.SUBMITTED
    assert (
        lead.post(url, {"step": "return", "comment": "Attendance looks like a count, not a rate."}).status_code == 302
    )
    submitted.refresh_from_db()
    assert submitted.status == Submission.RETURNED
    page = partner.get(url)
    assert page.status_code == 200 and not page.context["can_review"]
    assert "Attendance looks like a count, not a rate." in page.content.decode()
    assert grid_url(school, spring).replace("&", "&amp;") in page.content.decode()
    grid = partner.get(grid_url(school, spring))
    assert not grid.context["grid"]["read_only"]
    assert "Attendance looks like a count, not a rate." in grid.content.decode()
    steps = [step.status for step in lead.get(url).context["steps"]]
    assert steps[-2:] == [Submission.SUBMITTED, Submission.RETURNED]


def test_approving_locks_and_reopening_needs_a_reason(submitted, school, spring, lead, partner):
    url = submission_url(submitted)
    assert lead.post(url, {"step": "approve"}).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Submission.APPROVED
    assert partner.get(grid_url(school, spring)).context["grid"]["read_only"]
    refused = lead.post(url, {"step": "reopen", "comment": ""})
    assert refused.status_code == 400 and "comment" in refused.context["form"].errors
    assert lead.post(url, {"step": "reopen", "comment": "The district corrected its enrollment."}).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status != Submission.APPROVED
    assert not partner.get(grid_url(school, spring)).context["grid"]["read_only"]


def test_a_lead_partner_cannot_approve(submitted, partner):
    assert partner.post(submission_url(submitted), {"step": "approve"}).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == Submission.SUBMITTED


def test_a_state_viewer_reads_the_review_but_cannot_act(tenant, submitted, login):
    viewer = login(member(Role.STATE_VIEWER, tenant))
    page = viewer.get(submission_url(submitted))
    assert page.status_code == 200 and not page.context["can_review"]
    assert 'value="approve"' not in page.content.decode()
    assert viewer.post(submission_url(submitted), {"step": "approve"}).status_code == 403


def test_another_states_submission_is_not_found(other_tenant, lead, partner):
    elsewhere = PeriodSubmissionFactory(school=other_tenant.schools[0])
    assert lead.get(submission_url(elsewhere)).status_code == 404
    assert partner.get(submission_url(elsewhere)).status_code == 404
    assert lead.post(submission_url(elsewhere), {"step": "approve"}).status_code == 404


# --- The collection calendar ---------------------------------------------------------------------


@pytest.fixture
def calendar_rows(tenant, spring):
    """Spring 2010-11, late for the first school, submitted by the second, approved for the third."""
    first, second, third = tenant.schools
    PeriodSubmissionFactory(school=second, reporting_period=spring, status=Submission.SUBMITTED)
    PeriodSubmissionFactory(school=third, reporting_period=spring, status=Submission.APPROVED)
    return first, second, third


def test_the_calendar_lists_each_schools_period_with_its_status(tenant, calendar_rows, lead):
    page = lead.get(calendar_url(tenant.state))
    assert page.status_code == 200
    statuses = {row.school: row.status for row, _link in page.context["rows"]}
    assert statuses == dict(zip(calendar_rows, ["late", "submitted", "approved"], strict=True))
    content = page.content.decode()
    assert 'data-collection="late"' in content and 'fill="#b3261e"' in content  # the colour of choices.Collection
    links = {row.school: link for row, link in page.context["rows"]}
    assert links[calendar_rows[1]].startswith("/submissions/")  # the state lead reviews what is submitted
    assert links[calendar_rows[0]].startswith(reverse("accountability:period_form"))


def test_the_calendar_lists_what_is_late_first(tenant, spring, calendar_rows, lead):
    fall = ReportingPeriodFactory(state=tenant.state, period=1, due_on=datetime.date(2010, 11, 15))
    for school in calendar_rows:
        PeriodSubmissionFactory(school=school, reporting_period=fall, status=Submission.APPROVED)
    rows = [row for row, _link in lead.get(calendar_url(tenant.state)).context["rows"]]
    assert [row.status for row in rows] == ["late", "submitted", "approved", "approved", "approved", "approved"]
    assert [row.reporting_period for row in rows] == [spring, spring, fall, fall, fall, spring]  # then by due date


def test_the_calendar_filters_by_status_and_zone_and_exports_csv(tenant, other_tenant, calendar_rows, lead):
    page = lead.get(calendar_url(tenant.state), {"status": "late"})
    assert [row.school for row, _link in page.context["rows"]] == [calendar_rows[0]]
    csv = lead.get(calendar_url(tenant.state), {"status": "approved", "export": "calendar"})
    assert csv["Content-Type"].startswith("text/csv")
    body = csv.content.decode()
    assert calendar_rows[2].name in body and calendar_rows[0].name not in body
    assert body.splitlines()[0].startswith("School,NCES id,Zone,Lead Partner")
    other_zone = lead.get(calendar_url(tenant.state), {"zone": other_tenant.zone.pk})
    assert other_zone.status_code == 200 and other_zone.context["filters"].errors  # not a choice: unfiltered


def test_lead_partner_staff_see_their_schools_on_the_calendar_linked_to_the_grid(tenant, spring, calendar_rows, login):
    theirs = LaunchedZoneFactory(state=tenant.state)  # another Lead Partner's zone in the state
    partner = login(member(Role.LEAD_PARTNER_STAFF, tenant))
    page = partner.get(calendar_url(tenant.state))
    schools = {row.school for row, _link in page.context["rows"]}
    assert schools == set(calendar_rows)
    assert not schools & set(theirs.schools.all())
    assert all(link.startswith(reverse("accountability:period_form")) for _row, link in page.context["rows"])
    assert not page.context["may_plan"]
    assert (
        partner.post(calendar_url(tenant.state), {"school_year": "2011-12", "due_1": "2011-11-15"}).status_code == 403
    )


def test_another_states_calendar_is_not_found(other_tenant, lead, partner):
    assert lead.get(calendar_url(other_tenant.state)).status_code == 404
    assert partner.get(calendar_url(other_tenant.state)).status_code == 404


def test_the_state_lead_creates_a_school_years_periods_and_moves_a_due_date(tenant, spring, lead):
    page = lead.get(calendar_url(tenant.state))
    assert page.context["plan_form"]["due_2"].value() == datetime.date(2012, 2, 15)  # after 2010-11's
    data = {"school_year": "2011-12", "due_1": "2011-11-01", "due_3": "2012-05-25"}
    assert lead.post(calendar_url(tenant.state), data).status_code == 302
    periods = ReportingPeriod.objects.filter(state=tenant.state, school_year="2011-12").order_by("period")
    assert [period.due_on for period in periods] == [
        datetime.date(2011, 11, 1),
        datetime.date(2012, 2, 15),  # left as proposed
        datetime.date(2012, 5, 25),
        datetime.date(2012, 8, 15),
    ]
    spring = periods[2]
    url = reverse("accountability:reporting_period_due_date", kwargs={"reportingperiod_pk": spring.pk})
    assert lead.post(url, {"due_on": "2012-06-07"}).status_code == 302
    spring.refresh_from_db()
    assert spring.due_on == datetime.date(2012, 6, 7)
    assert lead.post(calendar_url(tenant.state), {**data, "school_year": "2011"}).status_code == 400


# --- Constant queries ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.STATE_LEAD, Role.LEAD_PARTNER_STAFF])
def test_the_cycle_pages_run_constant_queries_at_two_data_sizes(role, db):
    tenant = make_tenant("Colorado")
    fall = ReportingPeriodFactory(state=tenant.state, period=1, due_on=datetime.date(2010, 11, 15))
    spring = ReportingPeriodFactory(state=tenant.state, period=3, due_on=SPRING_DUE)
    school = tenant.schools[0]
    submission = PeriodSubmissionFactory(school=school, reporting_period=fall, status=Submission.SUBMITTED)
    client = signed_in(member(role, tenant))
    urls = [
        calendar_url(tenant.state),
        calendar_url(tenant.state) + "?export=calendar",
        calendar_url(tenant.state) + "?status=late",
        submission_url(submission),
        reverse("accountability:workspace"),
        grid_url(school, spring),
    ]
    small = query_counts(client, urls)

    # More of everything: zones of the same Lead Partner, periods, submissions, indicators, another state.
    for zone, schools, _commitment, _expenditure in grow_state(tenant.state, zones=2):
        zone.lead_partner = tenant.zone.lead_partner
        zone.save()
        for other in schools:
            PeriodSubmissionFactory(school=other, reporting_period=fall, status=Submission.RETURNED)
    ReportingPeriodFactory(state=tenant.state, school_year="2011-12", period=1, due_on=datetime.date(2011, 11, 15))
    for index in range(4):
        MetricFactory(name=f"Leading {index}", kind=Metric.Kind.LEADING)
    grow_state(StateFactory())
    assert query_counts(client, urls) == small
