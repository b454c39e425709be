"""The demo's network: activity reports of six of the seven national collaborators in the states
and service areas of their engagements; two monthly State Development Group calls with agenda,
attendees, minutes, decisions and action items (open ones, one overdue, one closed with a note)
and a site visit to Colorado's Front Range Valley Zone; the demo users' notification preferences
and watches, and a status update posted on a watched zone.

Everything goes through the use cases (``activity.save_activity_report``, ``meetings.save_meeting``,
``actions.create_action_item`` and ``close_action_item``, ``notifications.events.emit``), so the inbox fills as
it would in use: the attendees hear of their meetings, the owners of their items. Meetings and
their items are dated from the day the demo is first loaded (the calls a few weeks back, the items
due around today); a second load finds each report, meeting and event and does nothing.
"""

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from network import actions, activity, meetings
from network.models import ActionItem, ActivityReport, Meeting
from notifications.choices import Delivery, EventKind
from notifications.events import emit
from notifications.models import Preference, Watch
from partners.models import CollaboratorEngagement
from schools.models import School
from zones.models import State, Zone

D = datetime.date
FRONT_RANGE = "Front Range Valley Zone"

# (collaborator, state, date, zone or None, school or None, hours, participants, topics, outcome, next steps)
ACTIVITY_REPORTS = [
    ("Education Resource Strategies", "CO", D(2010, 10, 12), FRONT_RANGE, None, "12.00",
     "State turnaround director\nZone budget officer\nSummit Turnaround Partners finance lead",
     "Budget audit of the zone's four schools: how Title I and SIG dollars reach classrooms",
     "Found $310,000 in central-office charges that can move to the schools' extended day.",
     "Draft the reallocation memo for the district's November board meeting."),
    ("Education Resource Strategies", "CO", D(2011, 2, 8), FRONT_RANGE, "Cottonwood Middle School", "6.50",
     "Principal\nAssistant principal\nZone budget officer",
     "School budget review: staffing the two open math positions",
     "The school can fund both positions by converting two paraprofessional lines.",
     "Principal to confirm the conversion with the district HR office."),
    ("KSA-Plus Communications", "CO", D(2010, 8, 20), FRONT_RANGE, None, "8.00",
     "State communications director\nZone family liaisons",
     "Launch communications: what families hear about the zone before school starts",
     "A family letter in English and Spanish, and talking points for principals.",
     "Hold two community meetings in the zone's neighborhoods in September."),
    ("KSA-Plus Communications", "LA", D(2010, 9, 14), "Bayou Teche Zone", None, "10.00",
     "Parish communications officer\nGulf Coast Achievement Partners director",
     "Community meetings on the zone's extended day",
     "Two meetings, 140 families; the main concern is the bus schedule.",
     "Publish the revised bus schedule with the Lead Partner."),
    ("The New Teacher Project", "NY", D(2010, 6, 15), "Hudson Harbor Zone", None, "16.00",
     "District HR director\nZone principals\nHudson Harbor Office of Zone Schools",
     "Recruiting and selecting teachers for the zone's first year",
     "Hiring timeline moved to April; mutual-consent hiring agreed with the union.",
     "Screen the first 200 applicants by June 30."),
    ("The New Teacher Project", "CO", D(2011, 1, 20), FRONT_RANGE, None, "9.00",
     "State educator effectiveness lead\nZone principals",
     "Teacher evaluation in the zone: observation rubric and calibration",
     "Principals calibrated on three recorded lessons; ratings now agree within one level.",
     "A second calibration round in April."),
    ("Education Counsel", "DE", D(2010, 4, 22), None, None, "5.00",
     "Deputy secretary of education\nState attorney general's office",
     "The state's authority to grant zone schools waivers from district policy",
     "The Race to the Top legislation suffices; no new regulation is needed.",
     "Write the legal memo for the state board."),
    ("Turnaround for Children", "NY", D(2011, 2, 15), "Mohawk Falls Zone", "Mohawk Falls Middle School", "7.50",
     "Principal\nSchool social worker\nEmpire Learning Partners student support lead",
     "Planning student support services: a school-wide behavior system",
     "A student support team meets weekly; referrals go through one coordinator.",
     "Train the team on the referral protocol in March."),
    ("Education First Consulting", "MA", D(2010, 11, 3), None, None, "6.00",
     "Commissioner's zone planning team",
     "The state's zone framework: Level 4 plans and the Lead Partner role",
     "Agreed a one-page framework the districts can sign before the SIG application.",
     "Circulate the framework to the two districts."),
]  # fmt: skip

# (user, event kind, delivery): what the demo users chose on their preferences page.
PREFERENCES = [
    ("lead.co", EventKind.STATUS_UPDATE_POSTED, Delivery.WEEKLY),  # status updates in a weekly digest
    ("lead.co", EventKind.MEETING_SCHEDULED, Delivery.IN_APP),
    ("partner", EventKind.PERIOD_RETURNED, Delivery.IMMEDIATE),  # returned periods at once
    ("partner", EventKind.PERIOD_APPROVED, Delivery.WEEKLY),
    ("viewer.co", EventKind.PERIOD_LATE, Delivery.DAILY),
    ("commissioner.co", EventKind.STATUS_UPDATE_POSTED, Delivery.OFF),
    ("collaborator", EventKind.ACTION_ITEM_ASSIGNED, Delivery.DAILY),
]


def load(loader) -> None:
    """Add the demo's network to what ``loader`` (a devdata.demo.DemoLoader) has loaded."""
    from .demo import demo_email  # the demo module imports this one

    users = {
        name: User.objects.get(email=demo_email(name))
        for name in ("admin", "lead.co", "viewer.co", "commissioner.co", "partner", "collaborator")
    }
    load_activity_reports(loader, users)
    load_preferences_and_watches(loader, users)
    load_meetings(loader, users, today=timezone.localdate())
    load_watched_status_update(loader, users)


def load_activity_reports(loader, users) -> None:
    """Each report once (by engagement and date), saved by the collaborator's login where the demo
    has one, else by the initiative admin."""
    for collaborator, postal_code, date, zone, school, hours, *text in ACTIVITY_REPORTS:
        engagement = CollaboratorEngagement.objects.get(collaborator__name=collaborator, state__postal_code=postal_code)
        if ActivityReport.objects.filter(engagement=engagement, date=date).exists():
            loader.counts["unchanged"] += 1
            continue
        participants, topics, outcome, next_steps = text
        report = ActivityReport(
            engagement=engagement,
            date=date,
            zone=Zone.objects.get(name=zone) if zone else None,
            school=School.objects.get(name=school) if school else None,
            hours=Decimal(hours),
            participants=participants,
            topics=topics,
            outcome=outcome,
            next_steps=next_steps,
        )
        author = users["collaborator"] if collaborator == "Education Resource Strategies" else users["admin"]
        activity.save_activity_report(report, author)
        loader.counts["created"] += 1


def load_preferences_and_watches(loader, users) -> None:
    for name, kind, delivery in PREFERENCES:
        loader.upsert(Preference, {"user": users[name], "kind": kind}, delivery=delivery)
    colorado = State.objects.get(postal_code="CO")
    front_range = Zone.objects.get(name=FRONT_RANGE)
    loader.upsert(Watch, {"user": users["lead.co"], "zone": front_range})
    loader.upsert(Watch, {"user": users["viewer.co"], "state": colorado})
    loader.upsert(Watch, {"user": users["partner"], "school": School.objects.get(name="Front Range High School")})


def load_meetings(loader, users, today) -> None:
    """Two SDG calls four weeks apart and a site visit, each with its action items, once."""
    admin, lead, partner, collaborator = (users[name] for name in ("admin", "lead.co", "partner", "collaborator"))
    colorado = State.objects.get(postal_code="CO")
    front_range = Zone.objects.get(name=FRONT_RANGE)

    def at(day, hour):
        return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)

    def meeting(attendees, author, **fields):
        if Meeting.objects.filter(kind=fields["kind"], title=fields["title"]).exists():
            loader.counts["unchanged"] += 1
            return None
        loader.counts["created"] += 1
        return meetings.save_meeting(Meeting(**fields), attendees, author)

    def item(author, **fields):
        loader.counts["created"] += 1
        return actions.create_action_item(ActionItem(**fields), author)

    def sdg_call(day, topic, **notes):
        """A monthly call of the whole network, minuted by the initiative admin."""
        return meeting(
            [admin, lead, collaborator],
            admin,
            kind=Meeting.Kind.SDG_CALL,
            title=f"State Development Group call: {topic}",
            starts_at=at(day, 16),
            location="https://meet.demo.zoneportfolio.org/sdg",
            **notes,
        )

    first_call = today - datetime.timedelta(days=56)
    call = sdg_call(
        first_call,
        "zone budgets",
        agenda="1. Each state's zone budget for next year\n2. Education Resource Strategies' budget audit method"
        "\n3. Colorado site visit",
        minutes="The states compared their zone budgets. ERS walked through its audit of the Front Range Valley "
        "Zone; the reallocations it found fund most of the extended day. Colorado proposed a site visit.",
        decisions="Every state uses the common zone budget template from next year\n"
        "ERS shares its audit protocol with all states",
    )
    if call is not None:
        item(
            admin,
            meeting=call,
            state=colorado,
            owner=lead,
            due_on=first_call + datetime.timedelta(days=21),
            title="Send Colorado's zone budgets in the common template",
            description="Both zones' budgets for next year, in the template agreed on the call.",
        )
        item(
            admin,
            meeting=call,
            owner=collaborator,
            due_on=today + datetime.timedelta(days=14),
            title="Share the budget audit protocol with every state",
        )
        confirmed = item(
            admin,
            meeting=call,
            state=colorado,
            owner=lead,
            due_on=first_call + datetime.timedelta(days=7),
            title="Confirm the site visit's dates",
        )
        actions.close_action_item(confirmed, lead, ActionItem.Status.DONE, "Dates agreed with the Lead Partner.")

    second_call = first_call + datetime.timedelta(days=28)
    call = sdg_call(
        second_call,
        "staffing and renewals",
        agenda="1. Hiring for next year: mutual-consent timelines\n2. Renewal decisions due this spring",
        minutes="The states reported on next year's hiring; Colorado and New York hire by April. The initiative "
        "admin presented the renewal dossier each state lead receives before a zone's renewal date.",
        decisions="States share their hiring timelines before the next call",
    )
    if call is not None:
        item(
            admin,
            meeting=call,
            state=colorado,
            owner=lead,
            due_on=today + datetime.timedelta(days=30),
            title="Share Colorado's hiring timeline with the network",
        )

    visit = meeting(
        [lead, partner],
        lead,
        kind=Meeting.Kind.SITE_VISIT,
        state=colorado,
        zone=front_range,
        title="Site visit: Front Range Valley Zone",
        starts_at=at(today - datetime.timedelta(days=14), 14),
        duration_minutes=240,
        location="Cottonwood Middle School, 1200 Cottonwood Ave.",
        agenda="1. Classroom walkthroughs at Cottonwood Middle School\n2. Extended day schedule\n3. Math staffing",
        minutes="Walkthroughs in six classrooms; the extended day runs as planned. Two math positions are open.",
        decisions="The Lead Partner fills the math positions before the spring term",
    )
    if visit is not None:
        item(
            lead,
            meeting=visit,
            state=colorado,
            zone=front_range,
            owner=partner,
            due_on=today + datetime.timedelta(days=10),
            title="Send the revised math staffing plan",
        )


def load_watched_status_update(loader, users) -> None:
    """The latest status update of the watched zone, announced once (the event's key)."""
    update = School.objects.get(name="Aspen Ridge Elementary").status_updates.order_by("-reported_on", "-pk").first()
    event = emit(
        EventKind.STATUS_UPDATE_POSTED,
        summary=f"{update.school}: status update of {update.reported_on:%b %-d, %Y} ({update.get_rating_display()})",
        subject=update,
        school=update.school,
        link=reverse("portfolio:school_detail", kwargs={"school_pk": update.school_id}),
        actor=update.author,
        key=f"demo:status_update_posted:{update.pk}",
    )
    loader.counts["created" if event is not None else "unchanged"] += 1
