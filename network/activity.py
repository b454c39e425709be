"""Collaborators' activity reports: the one use case that records or changes a report
(``save_activity_report``: pages, API and demo alike) and the one read model of the hours they add
up to (``activity_rollup``: per collaborator and per state, by service area), read by the activity
pages and CSV, the portfolio and state pages."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Max, Sum

from core.tenancy import scope_of
from partners.models import CollaboratorEngagement, NationalCollaborator, ServiceArea
from web.tables import Column, Table
from zones.models import State

from .models import ActivityReport

ZERO = Decimal("0.00")


def save_activity_report(report: ActivityReport, user) -> ActivityReport:
    """Validate and save a report (its author: who filed it). The caller has checked the add or
    change permission on the report as it would be saved."""
    with transaction.atomic():
        report.full_clean()
        if report._state.adding and user is not None:
            report.author = user
        report.save()
    return report


def reads_activity_reports(user) -> bool:
    """Whether any activity report can reach the user: admins, state roles and collaborators
    (Lead Partner staff read none): for the navigation and the pages' sections."""
    scope = scope_of(user)
    return bool(scope.is_admin or scope.state_ids or scope.collaborator_state_ids)


def reporting_engagements(user):
    """The engagements the user may file a report under, among those they read: a collaborator's
    own that grant access now; every engagement for an admin (a report may come late)."""
    engagements = CollaboratorEngagement.objects.select_related("collaborator", "state")
    scope = scope_of(user)
    if scope.is_admin:
        return engagements
    return engagements.granting_access().filter(collaborator_id__in=scope.collaborator_ids)


def in_period(reports, since: datetime.date | None = None, until: datetime.date | None = None):
    """Reports dated within [since, until] (either end open)."""
    if since:
        reports = reports.filter(date__gte=since)
    if until:
        reports = reports.filter(date__lte=until)
    return reports


def filter_reports(reports, *, state=None, collaborator=None, service_area="", since=None, until=None):
    """The reports the list page, its rollup and its CSV show for the chosen filters."""
    if state:
        reports = reports.filter(engagement__state=state)
    if collaborator:
        reports = reports.filter(engagement__collaborator=collaborator)
    if service_area:
        reports = reports.filter(engagement__service_area=service_area)
    return in_period(reports, since, until)


def no_hours() -> dict:
    """Hours per service area, every area present (in ServiceArea's order), all zero."""
    return dict.fromkeys(ServiceArea, ZERO)


@dataclass
class ActivityHours:
    """Reported hours per service area, their total, the reports and the last one's date."""

    hours: dict = field(default_factory=no_hours)
    total_hours: Decimal = ZERO
    reports: int = 0
    last_date: datetime.date | None = None

    def add(self, area: ServiceArea, hours: Decimal, reports: int, last_date: datetime.date) -> None:
        self.hours[area] += hours
        self.total_hours += hours
        self.reports += reports
        self.last_date = max(self.last_date or last_date, last_date)


@dataclass(kw_only=True)
class CollaboratorActivity(ActivityHours):
    """One collaborator's hours and the states it served."""

    collaborator: NationalCollaborator
    states: list = field(default_factory=list)  # names, alphabetical


@dataclass(kw_only=True)
class StateActivity(ActivityHours):
    """One state's hours and the collaborators who served it."""

    state: State
    collaborators: list = field(default_factory=list)  # names, alphabetical


@dataclass(kw_only=True)
class ActivityRollup(ActivityHours):
    """Every report's hours (the network's, or the filtered set's), by collaborator and by state."""

    by_collaborator: list = field(default_factory=list)
    by_state: list = field(default_factory=list)

    @property
    def areas(self) -> list:
        return list(ServiceArea)


def activity_rollup(reports, *, since=None, until=None) -> ActivityRollup:
    """The hours of ``reports`` (a queryset, already scoped), optionally within a date range, by
    collaborator and by state, per service area: one grouped query."""
    groups = (
        in_period(reports, since, until)
        .order_by()
        .values(
            "engagement__collaborator_id",
            "engagement__collaborator__name",
            "engagement__state_id",
            "engagement__state__name",
            "engagement__service_area",
        )
        .annotate(hours=Sum("hours"), reports=Count("pk"), last_date=Max("date"))
    )
    rollup = ActivityRollup()
    collaborators, states = {}, {}
    served, serving = {}, {}
    for group in groups:
        area = ServiceArea(group["engagement__service_area"])
        collaborator_id, state_id = group["engagement__collaborator_id"], group["engagement__state_id"]
        collaborator_name, state_name = group["engagement__collaborator__name"], group["engagement__state__name"]
        by_collaborator = collaborators.setdefault(
            collaborator_id,
            CollaboratorActivity(collaborator=NationalCollaborator(pk=collaborator_id, name=collaborator_name)),
        )
        by_state = states.setdefault(state_id, StateActivity(state=State(pk=state_id, name=state_name)))
        for row in (by_collaborator, by_state, rollup):
            row.add(area, group["hours"], group["reports"], group["last_date"])
        served.setdefault(collaborator_id, set()).add(state_name)
        serving.setdefault(state_id, set()).add(collaborator_name)
    for collaborator_id, row in collaborators.items():
        row.states = sorted(served[collaborator_id])
    for state_id, row in states.items():
        row.collaborators = sorted(serving[state_id])
    rollup.by_collaborator = sorted(collaborators.values(), key=lambda row: row.collaborator.name)
    rollup.by_state = sorted(states.values(), key=lambda row: row.state.name)
    return rollup


def _area_hours(area):
    return Column(f"{area.label} (hours)", lambda row: row.hours[area])


# The CSVs of the list page: its reports, one row each, and its rollup by collaborator.
REPORTS = Table(
    "reports",
    (
        Column.of("Date", "date"),
        Column.of("Collaborator", "engagement.collaborator.name"),
        Column.of("State", "engagement.state.name"),
        Column.of("Service area", "engagement.get_service_area_display"),
        Column.of("Zone", "zone.name"),
        Column.of("School", "school.name"),
        Column.of("Hours", "hours"),
        Column.of("Participants", "participants"),
        Column.of("Topics", "topics"),
        Column.of("Outcome", "outcome"),
        Column.of("Next steps", "next_steps"),
    ),
)
ROLLUP = Table(
    "rollup",
    (
        Column.of("Collaborator", "collaborator.name"),
        *(_area_hours(area) for area in ServiceArea),
        Column.of("Total hours", "total_hours"),
        Column("States served", lambda row: "; ".join(row.states)),
        Column.of("Reports", "reports"),
        Column.of("Last activity", "last_date"),
    ),
)
