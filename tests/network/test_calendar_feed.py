"""Calendar feeds: what a user's .ics holds (read through their wall, parsed by icalendar), and the
feed pages: the key shown once and stored hashed, revoked and unknown keys alike 404, anonymous
fetches, revoking only one's own feed."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from icalendar import Calendar

from accounts.models import Membership
from network.calendar_feed import LAST_USED_RESOLUTION, feed_for, issue_feed
from network.models import CalendarFeed, Meeting
from tests.factories import (
    ActionItemFactory,
    CalendarFeedFactory,
    ContractDeliverableFactory,
    MeetingFactory,
    PerformanceContractFactory,
    ReportingPeriodFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2011, 3, 1)  # the factories' data sit in 2010-11
HOST = "127.0.0.1"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = f"http://{HOST}:8000"


def entries(ics: bytes) -> dict:
    """The feed's VEVENTs by UID."""
    calendar = Calendar.from_ical(ics)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def uid(obj) -> str:
    return f"{type(obj)._meta.model_name}-{obj.pk}@{HOST}"


@pytest.fixture
def network(world):
    """Both states' reporting periods, deliverables, meetings and action items, and an SDG call."""
    home, away = world.home, world.away
    lead = home.users["state_lead"]
    partner = home.users["lead_partner_staff"]
    rows = {
        "period": ReportingPeriodFactory(state=home.state),
        "away_period": ReportingPeriodFactory(state=away.state),
        "deliverable": ContractDeliverableFactory(
            contract=PerformanceContractFactory(zone=home.zone), due_on=D(2011, 4, 15)
        ),
        "away_deliverable": ContractDeliverableFactory(
            contract=PerformanceContractFactory(zone=away.zone), due_on=D(2011, 4, 15)
        ),
        "meeting": MeetingFactory(
            state=home.state,
            title="Colorado zone planning",
            starts_at=datetime.datetime(2011, 3, 10, 15, 0, tzinfo=datetime.UTC),
            duration_minutes=90,
            location="State office, room 4; https://meet.example.org/co",
            agenda="1. Launch timeline, the budget; comma\n2. Staffing",
        ),
        "site_visit": MeetingFactory(
            kind=Meeting.Kind.SITE_VISIT,
            state=home.state,
            zone=home.zone,
            starts_at=datetime.datetime(2011, 4, 5, 13, 0, tzinfo=datetime.UTC),
        ),
        "sdg_call": MeetingFactory(
            kind=Meeting.Kind.SDG_CALL,
            state=None,
            title="State Development Group call",
            starts_at=datetime.datetime(2011, 3, 15, 16, 0, tzinfo=datetime.UTC),
        ),
        "away_meeting": MeetingFactory(
            state=away.state, starts_at=datetime.datetime(2011, 3, 10, 15, 0, tzinfo=datetime.UTC)
        ),
        "too_old": MeetingFactory(
            state=home.state, starts_at=datetime.datetime(2010, 9, 1, 15, 0, tzinfo=datetime.UTC)
        ),
    }
    rows["item"] = ActionItemFactory(meeting=rows["meeting"], owner=lead, due_on=D(2011, 3, 20))
    rows["overdue"] = ActionItemFactory(meeting=rows["meeting"], owner=lead, due_on=D(2011, 2, 20))
    rows["closed"] = ActionItemFactory(
        meeting=rows["meeting"], owner=lead, due_on=D(2011, 2, 25), status="done", closing_note="Sent on time."
    )
    rows["partner_item"] = ActionItemFactory(meeting=rows["site_visit"], zone=home.zone, owner=partner)
    rows["away_item"] = ActionItemFactory(
        meeting=rows["away_meeting"], owner=world.away.users["state_lead"], due_on=D(2011, 3, 20)
    )
    return rows


def test_a_state_leads_feed_holds_their_states_due_dates_meetings_and_their_items(world, network):
    lead = world.home.users["state_lead"]
    ics = feed_for(lead, TODAY)
    calendar = Calendar.from_ical(ics)
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["PRODID"])
    assert str(calendar["X-WR-CALNAME"]) == f"Zone Portfolio — {lead}"
    assert calendar.refresh_interval == datetime.timedelta(hours=1)
    assert b"X-PUBLISHED-TTL:PT1H" in ics

    found = entries(ics)
    expected = ["period", "deliverable", "meeting", "site_visit", "sdg_call", "item", "overdue", "closed"]
    assert set(found) == {uid(network[name]) for name in expected}

    period = found[uid(network["period"])]
    assert period.start == D(2011, 5, 31) and period.end == D(2011, 6, 1)  # all day
    assert "(3 schools)" in str(period["SUMMARY"]) and "3 due" in str(period["DESCRIPTION"])
    meeting = found[uid(network["meeting"])]
    assert meeting.start == datetime.datetime(2011, 3, 10, 15, 0, tzinfo=datetime.UTC)
    assert meeting.end == datetime.datetime(2011, 3, 10, 16, 30, tzinfo=datetime.UTC)
    assert str(meeting["LOCATION"]) == "State office, room 4; https://meet.example.org/co"
    assert "1. Launch timeline, the budget; comma\n2. Staffing" in str(meeting["DESCRIPTION"])
    assert str(meeting["URL"]).endswith(f"/network/meetings/{network['meeting'].pk}/")
    item = found[uid(network["item"])]
    assert item.start == D(2011, 3, 20) and str(item["STATUS"]) == "CONFIRMED"
    assert str(item["URL"]).endswith(f"/network/action-items/{network['item'].pk}/")
    assert "(overdue)" in str(found[uid(network["overdue"])]["SUMMARY"])
    assert str(found[uid(network["closed"])]["STATUS"]) == "CANCELLED"
    assert all("DTSTAMP" in event for event in found.values())


def test_a_lead_partners_feed_holds_their_zones_only(world, network):
    partner = world.home.users["lead_partner_staff"]
    found = entries(feed_for(partner, TODAY))
    # their schools' period and contract, the site visit of their zone and their item; not the
    # state's own meeting, the network's call or another state's rows
    assert set(found) == {uid(network[name]) for name in ("period", "deliverable", "site_visit", "partner_item")}
    assert found[uid(network["partner_item"])].start == D(2011, 3, 1)
    visit = found[uid(network["site_visit"])]
    assert visit.start == datetime.datetime(2011, 4, 5, 13, 0, tzinfo=datetime.UTC)


def test_a_feed_shows_only_what_its_user_reads_now(world, network):
    lead = world.home.users["state_lead"]
    with scopes_disabled():
        Membership.objects.filter(user=lead).delete()
    lead.refresh_from_db()
    fresh = type(lead).objects.get(pk=lead.pk)  # a new request's user: its scope is worked out anew
    assert entries(feed_for(fresh, TODAY)) == {}


def test_a_feed_is_served_without_a_session_and_records_its_use(client, world):
    lead = world.home.users["state_lead"]
    soon = timezone.now() + datetime.timedelta(days=3)
    meeting = MeetingFactory(state=world.home.state, starts_at=soon)
    with scopes_disabled():
        feed, key = issue_feed(lead, "Outlook")
    response = client.get(f"/calendar/{key}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    assert uid(meeting) in entries(response.content)
    feed.refresh_from_db()
    first_use = feed.last_used_at
    assert first_use is not None
    client.get(f"/calendar/{key}.ics")
    feed.refresh_from_db()
    assert feed.last_used_at == first_use  # at most once per LAST_USED_RESOLUTION
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=first_use - LAST_USED_RESOLUTION)
    client.get(f"/calendar/{key}.ics")
    feed.refresh_from_db()
    assert feed.last_used_at > first_use


def test_revoked_and_unknown_keys_answer_the_same_404(client, world):
    with scopes_disabled():
        feed, key = issue_feed(world.home.users["state_lead"], "Phone")
    assert client.get(f"/calendar/{key}.ics").status_code == 200
    client.force_login(world.home.users["state_lead"])
    assert client.post(reverse("network:calendar_revoke", kwargs={"calendarfeed_pk": feed.pk})).status_code == 302
    client.logout()
    revoked = client.get(f"/calendar/{key}.ics")
    unknown = client.get(f"/calendar/{key[:-2]}xy.ics")
    assert revoked.status_code == unknown.status_code == 404
    assert revoked.content == unknown.content
    feed.refresh_from_db()
    assert feed.revoked_at is not None


def test_a_new_feed_shows_its_url_once_and_keeps_only_its_hash(client, world):
    lead = world.home.users["state_lead"]
    client.force_login(lead)
    response = client.post(reverse("network:calendar"), {"name": "Outlook at work"})
    assert response.status_code == 200
    url = response.context["created"]["url"]
    key = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert url in response.content.decode()
    assert response.context["created"]["webcal"] == "webcal://" + url.split("://", 1)[1]
    with scopes_disabled():
        feed = CalendarFeed.objects.get(user=lead)
        stored = repr(list(CalendarFeed.objects.values_list()))
    assert feed.key_hash == CalendarFeed.hash_key(key) and feed.key_prefix == key[:8]
    assert key not in stored
    listing = client.get(reverse("network:calendar")).content.decode()
    assert "Outlook at work" in listing and key not in listing


def test_a_blank_name_is_a_form_error(client, world):
    client.force_login(world.home.users["state_viewer"])
    response = client.post(reverse("network:calendar"), {"name": ""})
    assert response.status_code == 200 and response.context["form"].errors["name"]
    with scopes_disabled():
        assert not CalendarFeed.objects.exists()


def test_another_users_feed_cannot_be_revoked_or_listed(client, world):
    other = CalendarFeedFactory(user=world.away.users["state_lead"], name="Borealis feed")
    for user in (world.home.users["state_lead"], world.admin):
        client.force_login(user)
        response = client.post(reverse("network:calendar_revoke", kwargs={"calendarfeed_pk": other.pk}))
        assert response.status_code == 404
        assert "Borealis feed" not in client.get(reverse("network:calendar")).content.decode()
    other.refresh_from_db()
    assert other.revoked_at is None
