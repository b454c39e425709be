"""The accountability cycle end to end in headless Chromium: a Lead Partner enters and submits a
school's period in one form, the state lead returns it with a comment, the Lead Partner corrects
and resubmits, the state lead approves, and the values are locked."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accountability.choices import Submission
from accountability.models import Measurement, Metric, PeriodSubmission
from accounts.models import Role
from tests.browsers import log_in, switch_to, verified
from tests.factories import MetricFactory, ReportingPeriodFactory
from tests.worlds import make_tenant, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def spring_values(school, period):
    return dict(
        Measurement.objects.filter(school=school, school_year=period.school_year, period=period.period).values_list(
            "metric__name", "value"
        )
    )


def test_a_period_goes_from_entry_to_return_to_approval_and_locks(page, screenshot):
    tenant = make_tenant("Colorado")
    school = tenant.schools[1]
    achievement = school.baselines.get().metric
    attendance = MetricFactory(name="Student attendance rate", kind=Metric.Kind.LEADING)
    spring = ReportingPeriodFactory(
        state=tenant.state, school_year="2010-11", period=3, due_on=datetime.date(2011, 5, 31)
    )
    spring.indicators.set([achievement, attendance])
    partner = verified(member(Role.LEAD_PARTNER_STAFF, tenant))
    lead = verified(member(Role.STATE_LEAD, tenant))

    # The Lead Partner enters the whole period in one form and submits it.
    log_in(page, partner)
    picker = page.locator("form.period-picker")
    picker.get_by_label("School").select_option(str(school.pk))
    picker.get_by_label("Reporting period").select_option(str(spring.pk))
    picker.get_by_role("button", name="Open").click()
    grid = page.locator("#period-grid")
    expect(grid.get_by_role("heading")).to_contain_text(school.name)
    grid.get_by_label("Student attendance rate").fill("91.5")
    grid.get_by_label(achievement.name).fill("140")  # a percentage: out of range
    grid.get_by_role("button", name="Save").click()
    expect(grid.locator(".errorlist")).to_contain_text("out of range")
    expect(grid.get_by_label("Student attendance rate")).to_have_value("91.5")  # nothing lost
    grid.get_by_label(achievement.name).fill("41")
    grid.get_by_role("button", name="Submit for review").click()
    expect(grid.locator(".submission-status")).to_contain_text("Submitted")
    expect(grid.get_by_label(achievement.name)).to_be_disabled()
    assert spring_values(school, spring) == {achievement.name: Decimal("41"), attendance.name: Decimal("91.5")}

    # The state lead returns it with a comment (required).
    switch_to(page, lead)
    page.goto(f"/states/{tenant.state.pk}/calendar/?status=submitted")
    page.get_by_role("link", name=school.name).click()
    expect(page.get_by_role("heading", name="Values")).to_be_visible()
    page.get_by_role("button", name="Return with a comment").click()
    expect(page.locator(".form-errors")).to_contain_text("Say what to correct")
    page.get_by_role("textbox", name="Comment:", exact=True).fill(
        "Proficiency matches last spring's file: check the spring export."
    )
    page.get_by_role("button", name="Return with a comment").click()
    expect(page.locator(".review-comment")).to_contain_text("check the spring export.")

    # The Lead Partner sees the comment, corrects and resubmits.
    switch_to(page, partner)
    page.goto(f"/workspace/period/?school={school.pk}&period={spring.pk}")
    grid = page.locator("#period-grid")
    expect(grid.locator(".review-comment")).to_contain_text("check the spring export.")
    grid.get_by_label(achievement.name).fill("44")
    grid.get_by_role("button", name="Submit for review").click()
    expect(grid.locator(".submission-status")).to_contain_text("Submitted")

    # The state lead approves.
    switch_to(page, lead)
    submission = PeriodSubmission.objects.get(school=school, reporting_period=spring)
    page.goto(f"/submissions/{submission.pk}/")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".messages")).to_contain_text("approved: its values are locked")
    expect(page.locator("#steps")).to_contain_text("Returned")

    # The values are locked: the grid is read-only and a forced POST is refused.
    switch_to(page, partner)
    url = f"/workspace/period/?school={school.pk}&period={spring.pk}"
    page.goto(url)
    grid = page.locator("#period-grid")
    expect(grid.locator(".submission-status")).to_contain_text("Approved")
    expect(grid.get_by_label(achievement.name)).to_be_disabled()
    expect(grid.get_by_role("button", name="Save")).to_have_count(0)
    token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    forced = page.request.post(url, form={"csrfmiddlewaretoken": token, f"value_{achievement.pk}": "99", "save": "1"})
    assert forced.status == 409
    assert spring_values(school, spring)[achievement.name] == Decimal("44")
    submission.refresh_from_db()
    assert submission.status == Submission.APPROVED and submission.times_returned == 1
    screenshot("cycle-approved-period")
    assert page.console_errors == []


def test_a_save_that_is_not_swapped_in_still_says_what_happened(page):
    """A grid saved after its period was removed answers 404, which htmx does not swap in: the page's
    alert says so, and what was typed stays in the form."""
    tenant = make_tenant("Colorado")
    school = tenant.schools[1]
    fall = ReportingPeriodFactory(
        state=tenant.state, school_year="2010-11", period=1, due_on=datetime.date(2010, 11, 15)
    )
    fall.indicators.set([school.baselines.get().metric])
    log_in(page, verified(member(Role.LEAD_PARTNER_STAFF, tenant)))
    page.goto(f"/workspace/period/?school={school.pk}&period={fall.pk}")
    grid = page.locator("#period-grid")
    field = grid.get_by_label(school.baselines.get().metric.name)
    field.fill("42")
    fall.delete()  # the state removed the period meanwhile
    grid.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("no longer here")
    expect(field).to_have_value("42")
