"""Running the network end to end in headless Chromium: a collaborator files an activity report;
the state lead adds an action item to a State Development Group call's follow-up; its owner finds
it in the inbox (unread count in the header) and closes it with a note."""

import datetime

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from network.models import ActionItem, ActivityReport
from notifications.models import Notification
from tests.browsers import log_in, switch_to, verified
from tests.factories import MeetingFactory
from tests.worlds import make_tenant, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_activity_report_then_an_action_item_from_a_meeting_read_in_the_inbox_and_closed(page, screenshot):
    tenant = make_tenant("Colorado")
    collaborator = verified(member(Role.COLLABORATOR, tenant))
    lead = verified(member(Role.STATE_LEAD, tenant))
    meeting = MeetingFactory(state=tenant.state, title="Colorado zone planning call")

    # The collaborator files what it did under its engagement.
    log_in(page, collaborator)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Activity").click()
    page.get_by_role("link", name="New activity report").click()
    page.get_by_label("Engagement").select_option(str(tenant.engagement.pk))
    page.get_by_label("Date").fill("2011-03-15")
    page.get_by_label("Hours").fill("6.5")
    page.get_by_label("Participants").fill("State turnaround director")
    page.get_by_label("Topics").fill("Budget audit of the zone's schools")
    page.get_by_label("Outcome").fill("Three reallocations identified")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("Three reallocations identified")
    report = ActivityReport.objects.get()
    assert (report.engagement, report.hours, report.author) == (tenant.engagement, 6.5, collaborator)

    # The state lead adds an action item for the collaborator from the meeting.
    switch_to(page, lead)
    page.goto(f"/network/meetings/{meeting.pk}/")
    page.get_by_role("link", name="Add action item").click()
    page.get_by_label("Title").fill("Share the budget audit with the district")
    page.get_by_label("Owner").select_option(str(collaborator.pk))
    page.get_by_label("Due on").fill((datetime.date.today() + datetime.timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("Share the budget audit with the district")
    item = ActionItem.objects.get()
    assert (item.owner, item.meeting, item.created_by) == (collaborator, meeting, lead)

    # The owner sees it in the inbox, opens it and closes it with a note.
    switch_to(page, collaborator)
    expect(page.locator(".inbox-count")).to_have_text("1 unread")
    page.get_by_role("link", name="Inbox").click()
    page.get_by_role("button", name="Share the budget audit with the district").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Share the budget audit with the district")
    assert Notification.objects.get(recipient=collaborator).read_at is not None
    page.get_by_role("link", name="Close").click()
    page.get_by_label("Done").check()
    page.get_by_label("How was it closed?").fill("Sent to the district's budget office.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("Sent to the district's budget office.")
    screenshot("action-item-closed")
    item.refresh_from_db()
    assert (item.status, item.closed_by) == (ActionItem.Status.DONE, collaborator)
    assert page.console_errors == []
