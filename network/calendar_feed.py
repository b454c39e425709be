"""A user's private iCalendar feed: the reporting periods they report on or oversee, their
contracts' deliverables, the meetings they read and the action items they own, read through the
tenant wall as their own requests would (a feed of someone who lost a membership shows only what
they read now). The feed URL's key is the credential: it is shown once and stored hashed
(``CalendarFeed``); a revoked or unknown key answers like a missing page.

``feed_for`` is the one builder (the feed view serves it); ``issue_feed``, ``revoke_feed``,
``active_feed`` and ``mark_used`` are the feed's use cases."""

import datetime
from collections import Counter, defaultdict
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from icalendar import Calendar, Event, vDuration

from accountability.calendar import requirements
from accountability.choices import Collection
from accountability.models import ReportingPeriod
from contracts.models import ContractDeliverable
from core.tenancy import reach_scope

from .choices import ActionStatus
from .models import ActionItem, CalendarFeed, Meeting

WINDOW_BACK = datetime.timedelta(days=90)
WINDOW_AHEAD = datetime.timedelta(days=400)
REFRESH = datetime.timedelta(hours=1)  # how often clients should fetch the feed again
LAST_USED_RESOLUTION = datetime.timedelta(minutes=5)  # a feed's last use is recorded at most this often
PRODID = "-//Zone Portfolio//Calendar feed//EN"


def _site() -> str:
    return settings.SITE_URL.rstrip("/")


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "zoneportfolio"


def _uid(kind: str, pk: int) -> str:
    """A stable UID, so a client updates an entry rather than adding a second one."""
    return f"{kind}-{pk}@{_host()}"


def _day_event(uid, day, summary, description, url, stamp, status="CONFIRMED") -> Event:
    """An all-day entry on ``day`` (DTEND is the next day: the end is exclusive)."""
    return Event.new(
        uid=uid,
        start=day,
        end=day + datetime.timedelta(days=1),
        summary=summary,
        description=description,
        url=url,
        stamp=stamp,
        status=status,
        transparency="TRANSPARENT",
    )


def _period_events(start, end, today, stamp):
    """One entry per reporting period due in the window, saying how many of the schools the user
    reads owe it and where they stand (the collection calendar's requirements)."""
    periods = list(ReportingPeriod.objects.filter(due_on__range=(start, end)))
    owed = defaultdict(list)
    for requirement in requirements(periods=periods, today=today) if periods else []:
        owed[requirement.reporting_period].append(requirement)
    for period, owing in owed.items():
        counts = Counter(requirement.status for requirement in owing)
        standing = ", ".join(f"{counts[status]} {status.label.lower()}" for status in Collection if counts[status])
        schools = f"{len(owing)} school{'s' if len(owing) != 1 else ''}"
        yield _day_event(
            _uid("reportingperiod", period.pk),
            period.due_on,
            f"{period.state.name}: {period.get_period_display()} {period.school_year} report due ({schools})",
            f"{schools} owe this reporting period: {standing}.",
            _site() + reverse("accountability:calendar", kwargs={"state_pk": period.state_id}),
            stamp,
        )


def _deliverable_events(start, end, today, stamp):
    deliverables = ContractDeliverable.objects.filter(due_on__range=(start, end)).select_related(
        "contract__zone", "contract__lead_partner"
    )
    for deliverable in deliverables:
        contract = deliverable.contract
        yield _day_event(
            _uid("contractdeliverable", deliverable.pk),
            deliverable.due_on,
            f"Deliverable due: {deliverable.title} ({contract.zone.name})",
            f"{contract.lead_partner.name}, {contract.zone.name}: {deliverable.status_on(today).label}.\n"
            f"{deliverable.description}".strip(),
            _site() + reverse("contracts:contract_detail", kwargs={"performancecontract_pk": contract.pk}),
            stamp,
        )


def _meeting_events(start, end, stamp):
    window = (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=datetime.UTC),
        datetime.datetime.combine(end, datetime.time.max, tzinfo=datetime.UTC),
    )
    for meeting in Meeting.objects.filter(starts_at__range=window).select_related("state"):
        where = meeting.state.name if meeting.state_id else "The network"
        agenda = f"Agenda:\n{meeting.agenda}" if meeting.agenda else "No agenda yet."
        yield Event.new(
            uid=_uid("meeting", meeting.pk),
            start=meeting.starts_at.astimezone(datetime.UTC),
            end=meeting.ends_at.astimezone(datetime.UTC),
            summary=meeting.title,
            description=f"{meeting.get_kind_display()} ({where}).\n{agenda}",
            location=meeting.location or None,
            url=_site() + reverse("network:meeting_detail", kwargs={"meeting_pk": meeting.pk}),
            stamp=stamp,
            categories=[meeting.get_kind_display()],
        )


def _action_item_events(user, start, end, today, stamp):
    """The user's own action items on their due dates; closed ones show as cancelled."""
    items = ActionItem.objects.filter(owner=user, due_on__range=(start, end)).select_related("state")
    for item in items:
        status = ActionStatus(item.status)
        flag = " (overdue)" if item.is_overdue(today) else ""
        summary = (
            f"Action item ({status.label}): {item.title}" if item.is_closed else f"Action item: {item.title}{flag}"
        )
        note = f"\nClosed: {item.closing_note}" if item.is_closed else ""
        yield _day_event(
            _uid("actionitem", item.pk),
            item.due_on,
            summary,
            f"{status.label}. {item.description}".strip() + note,
            _site() + reverse("network:action_item_detail", kwargs={"actionitem_pk": item.pk}),
            stamp,
            status="CANCELLED" if item.is_closed else "CONFIRMED",
        )


def feed_for(user, today: datetime.date) -> bytes:
    """The user's feed (RFC 5545) for 90 days back to 400 days ahead of ``today``, read inside the
    user's own scope."""
    start, end = today - WINDOW_BACK, today + WINDOW_AHEAD
    stamp = timezone.now().astimezone(datetime.UTC)
    calendar = Calendar.new(
        prodid=PRODID,
        name=f"Zone Portfolio — {user}",
        description="Due dates, meetings and action items from Zone Portfolio.",
        refresh_interval=REFRESH,
        uid=_uid("calendar", user.pk),
    )
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))  # an extension icalendar types as text
    with reach_scope(user):
        entries = [
            *_period_events(start, end, today, stamp),
            *_deliverable_events(start, end, today, stamp),
            *_meeting_events(start, end, stamp),
            *_action_item_events(user, start, end, today, stamp),
        ]
    for entry in entries:
        calendar.add_component(entry)
    return calendar.to_ical()


def issue_feed(user, name: str) -> tuple[CalendarFeed, str]:
    """A new feed of ``user``; returns it with its key, which is shown once and never stored."""
    feed = CalendarFeed(user=user, name=name)
    key = feed.issue_key()
    feed.full_clean()
    feed.save()
    return feed, key


def revoke_feed(feed: CalendarFeed) -> None:
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])


def active_feed(key: str) -> CalendarFeed | None:
    """The unrevoked feed of an active user a presented key opens, or None (unknown or revoked
    alike). Looked up by the key's hash with the wall off: the key is the credential."""
    with scopes_disabled():
        return (
            CalendarFeed.objects.active()
            .filter(key_hash=CalendarFeed.hash_key(key), user__is_active=True)
            .select_related("user")
            .first()
        )


def mark_used(feed: CalendarFeed) -> None:
    """Record the feed's use, at most once per ``LAST_USED_RESOLUTION``: clients poll often, and
    a single conditional update never races another poll into a second write."""
    now = timezone.now()
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
    with scopes_disabled():
        CalendarFeed.objects.filter(stale, pk=feed.pk).update(last_used_at=now)
