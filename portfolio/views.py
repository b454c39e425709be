"""The composing pages: home, the portfolio, a state, a zone (and its renewal), a school, a state's audit trail."""

from collections import defaultdict
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from accountability import calendar
from accountability.models import Baseline, Measurement, Metric, RenewalDecision, StatusUpdate, Target
from accountability.recording import locked_periods, period_key
from accountability.renewal import RENEWAL_DUE_DAYS, record_decision, renewals_due
from accountability.services import (
    SchoolStanding,
    StandingCounts,
    late_by_school,
    mark_late,
    progress_for_schools,
    ratings_hidden_from,
    school_standings,
    staleness_by_school,
    worst_first,
)
from accountability.tables import MEASUREMENTS, PROGRESS, STANDINGS, STATUS_UPDATES
from autonomy.services import ledger_summary
from core.tenancy import reads_state_rows, state_scope
from funding.match import match_series
from funding.models import Commitment, Expenditure, Funder
from funding.money import portfolio_money
from funding.services import spending_by_use
from funding.tables import COMMITMENTS, EXPENDITURES
from network.activity import ROLLUP, activity_rollup, reads_activity_reports
from network.models import ActivityReport
from partners.models import CollaboratorEngagement, LeadPartner, NationalCollaborator
from proposals.choices import ProposalKind
from proposals.services import may_propose, pending_count
from reports.models import ReportRun
from reports.rollups import state_rollup, state_rollups
from reports.services import renewal_dossier
from schools.models import School
from web.charts import funding_chart, line_chart, progress_chart
from web.csv_export import csv_response
from web.forms import add_model_errors
from web.tables import csv_export, paginate
from zones.models import District, Initiative, State, Zone

from . import audit
from .forms import AuditFilterForm, PortfolioFilterForm, RenewalDecisionForm, SchoolListFilterForm
from .school_list import listed, school_rows
from .services import funders_by_month, reads_state_money, state_timeline
from .tables import DISTRICTS, ENGAGEMENTS, PORTFOLIO, SCHOOL_LIST, ZONES

# Sortable portfolio columns: query value -> (heading, sort key).
PORTFOLIO_SORTS = {
    "name": ("State", lambda row: row.state.name),
    "zones": ("Zones", lambda row: len(row.zones)),
    "schools": ("Schools", lambda row: row.school_count),
    "launch": ("Launch", lambda row: row.launch_year or None),
    "pledged": ("Pledged", lambda row: row.funding.pledged),
    "committed": ("Committed", lambda row: row.funding.committed),
    "received": ("Received", lambda row: row.funding.received),
    "spent": ("Spent", lambda row: row.funding.spent),
    "match": ("Match of target", lambda row: row.match.ratio),
    "lapse": ("Lapse risk", lambda row: row.money.at_risk),
    "on_track": ("On track", lambda row: row.on_track_share),
    "at_risk": ("At risk", lambda row: row.at_risk_share),
    "off_track": ("Off track", lambda row: row.off_track_share),
    "updated": ("Last update", lambda row: row.days_since_update),
    "late": ("Late", lambda row: row.late),
    "stale": ("Stale", lambda row: row.stale),
}
# "Bad" figures sort worst first on the first click.
DESCENDING_FIRST = {"at_risk", "off_track", "late", "stale", "lapse"}


def sort_columns(sort: str, keys: dict, descending_first=frozenset()) -> list[tuple[str, str, str, str]]:
    """(field, heading, aria-sort direction, the sort its heading's link asks for) per column:
    the active column's link reverses it; any other starts ascending, or descending for a bad figure."""
    columns = []
    for field, (heading, _key) in keys.items():
        direction = {field: "ascending", f"-{field}": "descending"}.get(sort, "")
        first = f"-{field}" if field in descending_first else field
        following = {"ascending": f"-{field}", "descending": field}.get(direction, first)
        columns.append((field, heading, direction, following))
    return columns


def sort_rows(rows, sort: str, keys: dict):
    """Rows sorted by ``sort`` (``-`` for descending); rows without a value always come last."""
    field = sort.lstrip("-")
    if field not in keys:
        return rows
    _heading, key = keys[field]
    known = sorted((row for row in rows if key(row) is not None), key=key, reverse=sort.startswith("-"))
    return known + [row for row in rows if key(row) is None]


@require_safe
@login_required
def home(request):
    """Send each role where its work is: the portfolio, its state, or the Lead Partner workspace."""
    scope = request.user.scope
    if scope.is_admin:
        return redirect("portfolio:portfolio")
    if scope.lead_partner_ids and not scope.state_ids:
        return redirect("accountability:workspace")
    states = list(State.objects.values_list("pk", flat=True)[:2])
    if len(states) == 1:
        return redirect("portfolio:state_detail", state_pk=states[0])
    if states:
        return redirect("portfolio:portfolio")
    return render(request, "portfolio/no_access.html", status=403)


@login_required
def portfolio(request):
    """Every state the user sees: zones, schools, money against targets and the latest ratings."""
    rows = state_rollups(request.user)
    due = defaultdict(list)
    for item in renewals_due(zone.zone for row in rows for zone in row.zones):
        due[item.zone.state_id].append(item)
    for row in rows:  # read by the renewal column and its CSV (portfolio.tables.PORTFOLIO)
        row.renewals_due = due[row.state.pk]
    filters = PortfolioFilterForm(request.GET or None, label_suffix="")
    shown = filters.apply(rows) if filters.is_valid() else rows
    sort = request.GET.get("sort", "name")
    shown = sort_rows(shown, sort, PORTFOLIO_SORTS)
    activity = activity_rollup(ActivityReport.objects.all()) if reads_activity_reports(request.user) else None
    tables = {"portfolio": (PORTFOLIO, shown)}
    if activity is not None:
        tables["activity"] = (ROLLUP, activity.by_collaborator)
    if response := csv_export(request, "portfolio", tables):
        return response
    counts = sum((row.counts for row in rows), StandingCounts())
    initiative = Initiative.objects.first()
    money = portfolio_money(initiative, lambda queryset: queryset.all())
    context = {
        "rows": paginate(request, shown),
        "sort": sort,
        "sort_columns": sort_columns(sort, PORTFOLIO_SORTS, DESCENDING_FIRST),
        "filters": filters,
        "initiative": initiative,
        "money": money,
        "below_match": [row for row in rows if row.match.below],
        "awards_at_risk": [(row, outlook) for row in rows for outlook in row.money.awards_at_risk],
        "state_count": len(rows),
        "school_count": counts.schools,
        "zone_count": sum(len(row.zones) for row in rows),
        "funding_chart": funding_chart("Funding by state", [(row.state.postal_code, row.funding) for row in rows])
        if rows
        else "",
        "counts": counts,
        "whole_initiative": request.user.scope.is_admin,
        "ratings_hidden": ratings_hidden_from(request.user),
        "renewal_due_days": RENEWAL_DUE_DAYS,
        "activity": activity,
    }
    template = "portfolio/_portfolio_table.html" if request.htmx else "portfolio/portfolio.html"
    return render(request, template, context)


@login_required
def state_detail(request, state_pk):
    user = request.user
    state = get_object_or_404(State.objects.select_related("initiative"), pk=state_pk)
    districts = District.objects.filter(state=state).annotate(school_count=Count("schools"))
    schools = School.objects.filter(district__state=state).select_related("district", "zone")
    engagements = CollaboratorEngagement.objects.filter(state=state).select_related("collaborator")
    activity = (
        activity_rollup(ActivityReport.objects.filter(engagement__state=state))
        if reads_state_rows(user, ActivityReport, state.pk)
        else None
    )
    commitments = Commitment.objects.filter(state=state).select_related("funder", "state", "zone", "initiative")
    expenditures = Expenditure.objects.filter(state=state).select_related("commitment__funder", "zone", "school")
    tables = {  # the rollup and the standings computed only for their own CSV (or the page)
        "districts": (DISTRICTS, districts),
        "zones": (ZONES, lambda: state_rollup(state, user, schools=False).zones),
        "schools": (STANDINGS, lambda: _school_standings(schools, state_rollup(state, user))),
        "engagements": (ENGAGEMENTS, engagements),
        "commitments": (COMMITMENTS, commitments),
        "expenditures": (EXPENDITURES, expenditures),
    }
    if response := csv_export(request, state.name, tables):
        return response
    rollup = state_rollup(state, user)
    standings = _school_standings(schools, rollup)
    context = {
        "state": state,
        "rollup": rollup,
        "districts": districts,
        "standings": paginate(request, standings, "schools_page"),
        "off_track": [row for row in rollup.schools if row.needs_attention],
        "engagements": engagements,
        "activity": activity,
        "commitments": paginate(request, commitments, "commitments_page"),
        "expenditures": paginate(request, expenditures, "expenditures_page"),
        "funding": rollup.funding,
        "spending": spending_by_use(rollup.funding),
        "reads_money": reads_state_money(user, state),
        "money": rollup.money,
        "awards": flagged_first(rollup.money.awards),
        "funders": [(funder, funder.share(rollup.match.private)) for funder in rollup.money.match.funders],
        "timeline": state_timeline(state, [zone.zone for zone in rollup.zones]),
        "autonomy": ledger_summary([row.zone.pk for row in rollup.zones], history=False),
        "ratings_hidden": ratings_hidden_from(user, state),
        "can_add_zone": user.has_perm("zones.add_zone", Zone(state=state)),
        "can_add_school": user.has_perm("schools.add_school", School(district=District(state=state))),
        "can_add_commitment": user.has_perm("funding.add_commitment", Commitment(state=state)),
        "can_view_history": user.has_perm("zones.view_state_history", state),
        "can_request_reports": user.has_perm(
            "reports.add_reportrun", ReportRun(kind=ReportRun.Kind.COMMISSIONER_BRIEF, state=state)
        ),
        "can_add_expenditure": user.has_perm("funding.add_expenditure", Expenditure(state=state)),
        "can_propose_commitment": may_propose(user, ProposalKind.COMMITMENT_STATUS, Commitment(state=state)),
        "pending_proposals": pending_count(state) if user.has_perm("proposals.decide_changeproposal", state) else None,
    }
    return render(request, "portfolio/state_detail.html", context)


def _school_standings(schools, rollup) -> list:
    """The state's schools' standings, those needing attention first, then by name: the rollup's for
    the schools it holds (with their late submissions), computed for the others (outside zones)."""
    others = school_standings(
        schools.exclude(pk__in=[row.school.pk for row in rollup.schools]), StatusUpdate.objects.all()
    )
    return sorted([*rollup.schools, *others], key=lambda row: (not row.needs_attention, row.school.name, row.school.pk))


def flagged_first(outlooks: list) -> list:
    """Awards' outlooks with those at risk of lapsing (or lapsed) first, each group by deadline."""
    return sorted(outlooks, key=lambda outlook: not outlook.flagged)


@require_safe
@login_required
def state_money(request, state_pk):
    """A state's money over time: its match month by month against its target (the state's, or
    one zone's), what each private funder added over the last months, and its awards' outlooks.
    Refused to whoever reads the state but not its money (Lead Partner staff)."""
    user = request.user
    state = get_object_or_404(State.objects.select_related("initiative"), pk=state_pk)
    if not reads_state_money(user, state):
        raise PermissionDenied("A state's money is read by its state staff and engaged collaborators.")
    rollup = state_rollup(state, user)
    zones = {str(row.zone.pk): row for row in rollup.zones}
    zone = zones.get(request.GET.get("zone", ""))
    standing = zone.match if zone else rollup.match
    series = match_series(
        standing.terms,
        Commitment.objects.filter(state=state),
        until=timezone.localdate(),
        zone=zone.zone if zone else None,
    )
    place = zone.zone.name if zone else state.name
    months, funders = funders_by_month(series)
    context = {
        "state": state,
        "rollup": rollup,
        "zone": zone,
        "standing": standing,
        "series": series,
        "chart": line_chart(
            f"{place}: private per public dollar, {standing.terms.stage_label}",
            [(f"{point.month:%b %Y}", point.ratio) for point in series],
            series_label="Match ratio",
            target=standing.target_ratio,
            target_label="Target",
        ),
        "months": months,
        "funders": funders,
        "awards": flagged_first(rollup.money.awards),
    }
    return render(request, "portfolio/state_money.html", context)


@login_required
def zone_detail(request, zone_pk):
    user = request.user
    zone = get_object_or_404(Zone.objects.select_related("state", "lead_partner"), pk=zone_pk)
    updates = StatusUpdate.objects.filter(school__zone=zone).select_related("school", "author")
    rollup = state_rollup(zone.state, user, zone=zone).zones[0]
    standings = sorted(rollup.schools, key=lambda row: not row.needs_attention)  # off track first
    decisions = RenewalDecision.objects.filter(zone=zone).select_related("decided_by")
    tables = {"schools": (STANDINGS, standings), "status-updates": (STATUS_UPDATES, updates)}
    if response := csv_export(request, zone.name, tables):
        return response
    context = {
        "zone": zone,
        "districts": District.objects.filter(zones=zone),
        "autonomy": ledger_summary([zone.pk], history=False),
        "standings": standings,
        "updates": paginate(request, updates, "updates_page", per_page=10),
        "rollup": rollup,
        "funding": rollup.funding,
        "reads_money": reads_state_money(user, zone.state),
        "ratings_hidden": ratings_hidden_from(user, zone.state),
        "can_edit": user.has_perm("zones.change_zone", zone),
        "remove_label": _zone_remove_label(user, zone),
        "decisions": list(decisions.order_by("-decided_on", "-created_at", "-pk")),  # the history, latest first
        "can_read_dossier": may_read_dossier(user, zone),
        "can_report": any(
            user.has_perm("accountability.add_statusupdate", StatusUpdate(school=row.school)) for row in standings
        ),
    }
    return render(request, "portfolio/zone_detail.html", context)


# --- A zone's renewal: its dossier and the decision ---


def may_read_dossier(user, zone) -> bool:
    """The renewal dossier is read by whoever may request its PDF (the zone's state staff, its Lead Partner)."""
    return user.has_perm(
        "reports.add_reportrun", ReportRun(kind=ReportRun.Kind.RENEWAL_DOSSIER, zone=zone, state=zone.state)
    )


@login_required
def zone_renewal(request, zone_pk):
    """A zone's renewal dossier, as its PDF says it, and for the state lead the decision form with
    the exit-criteria checks beside it."""
    user = request.user
    zone = get_object_or_404(Zone.objects.select_related("state", "lead_partner"), pk=zone_pk)
    if not may_read_dossier(user, zone):
        raise Http404("No renewal dossier here.")
    may_decide = user.has_perm("accountability.add_renewaldecision", RenewalDecision(zone=zone))
    if request.method == "POST" and not may_decide:
        raise PermissionDenied("Only the state records a renewal decision.")
    form = RenewalDecisionForm(request.POST or None, instance=RenewalDecision(zone=zone)) if may_decide else None
    if form is not None and form.is_bound and form.is_valid():
        try:
            decision = record_decision(user, form.instance)
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            messages.success(request, f"Recorded the decision on {zone}: {decision.get_decision_display()}.")
            return redirect(reverse("portfolio:zone_detail", kwargs={"zone_pk": zone.pk}) + "#renewal")
    runs = ReportRun.objects.current().filter(zone=zone, kind=ReportRun.Kind.RENEWAL_DOSSIER)
    with state_scope(zone.state_id):  # the whole zone, as the PDF reads it (whoever reaches the page may request it)
        context = {"zone": zone, "dossier": renewal_dossier(zone), "form": form, "runs": runs}
        return render(request, "portfolio/zone_renewal.html", context, status=400 if form and form.is_bound else 200)


def metric_charts(measurements, progress) -> list[str]:
    """One chart per metric: its measurements over time with the baseline and target lines, and
    the projection to the target year in its band."""
    lines = {item.metric.pk: item for item in progress}
    charts = []
    for metric, rows in groupby(measurements, key=lambda measurement: measurement.metric):
        points = [(row.time_index, f"{row.school_year} {row.get_period_display()}", row.value) for row in rows]
        line = lines.get(metric.pk)
        charts.append(
            progress_chart(
                f"{metric.name} ({metric.get_unit_display().lower()})",
                points,
                baseline=line.baseline if line else None,
                target=line.target if line else None,
                band=line.chart_band if line else None,
            )
        )
    return charts


@login_required
def school_detail(request, school_pk):
    user = request.user
    school = get_object_or_404(School.objects.select_related("district__state", "zone__lead_partner"), pk=school_pk)
    progress = progress_for_schools([school]).get(school.pk, [])
    flags = SchoolStanding(school, staleness=staleness_by_school([school]).get(school.pk))  # stale, late
    mark_late([flags], late_by_school(calendar.requirements(schools=[school])))
    measurements = (
        Measurement.objects.all()
        .filter(school=school)
        .select_related("metric")
        .order_by("metric__name", "metric_id", "school_year", "period")
    )
    updates = StatusUpdate.objects.filter(school=school).select_related("school", "author")
    tables = {
        "progress": (PROGRESS, progress),
        "measurements": (MEASUREMENTS, measurements),
        "status-updates": (STATUS_UPDATES, updates),
    }
    if response := csv_export(request, school.name, tables):
        return response
    measurements = list(measurements)
    may_correct = may_propose(user, ProposalKind.MEASUREMENT_CORRECTION, Measurement(school=school))
    may_delete = user.has_perm("accountability.delete_measurement", Measurement(school=school))
    if may_correct or may_delete:
        locked = locked_periods([school])  # a locked period's value is corrected by a proposal
        for measurement in measurements:
            measurement.correctable = may_correct and period_key(measurement) in locked
            measurement.deletable = may_delete and period_key(measurement) not in locked
    context = {
        "school": school,
        "flags": flags,
        "progress": progress,
        "charts": metric_charts(measurements, progress),
        "measurements": paginate(request, measurements, "measurements_page"),
        "updates": paginate(request, updates, "updates_page", per_page=10),
        "baselines": Baseline.objects.filter(school=school).select_related("metric"),
        "targets": Target.objects.filter(school=school).select_related("metric"),
        "can_edit": user.has_perm("schools.change_school", school),
        "can_delete": user.has_perm("schools.delete_school", school),
        "can_propose_status": may_propose(user, ProposalKind.SCHOOL_STATUS, school),
        "can_add_baseline": user.has_perm("accountability.add_baseline", Baseline(school=school)),
        "can_report": user.has_perm("accountability.add_statusupdate", StatusUpdate(school=school)),
        "ratings_hidden": ratings_hidden_from(user, school.district.state),
    }
    return render(request, "portfolio/school_detail.html", context)


@require_safe
@login_required
def state_history(request, state_pk):
    """Who changed what in a state and why, field by field, filtered by object and person, a page
    at a time or as CSV (initiative admins and the state's lead)."""
    state = get_object_or_404(State, pk=state_pk)
    if not request.user.has_perm("zones.view_state_history", state):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None, kinds=audit.kind_choices())
    filters = form.audit_filter()
    if request.GET.get("export") == "csv":
        actions, _more = audit.state_audit_trail(state, filters, per_page=audit.CSV_ROWS)
        return csv_response(f"{slugify(state.name)}-audit-trail.csv", audit.CSV_HEADER, audit.csv_rows(actions))
    before = form.cleaned_data.get("before") if form.is_bound and form.is_valid() else None
    actions, older = audit.state_audit_trail(state, filters, before=before)
    query = request.GET.copy()
    query.pop("before", None)
    context = {
        "state": state,
        "actions": actions,
        "form": form,
        "before": before,
        "older": older.isoformat() if older else None,
        "query": query.urlencode(),
    }
    return render(request, "portfolio/state_history.html", context)


# --- The cross-portfolio school list ---

# Sortable school list columns: query value -> (heading, sort key).
SCHOOL_SORTS = {
    "name": ("School", lambda row: row.school.name.lower()),
    "nces_id": ("NCES id", lambda row: row.school.nces_id),
    "district": ("District", lambda row: row.school.district.name.lower()),
    "state": ("State", lambda row: row.state.name),
    "zone": ("Zone", lambda row: row.zone.name.lower() if row.zone else None),
    "lead_partner": ("Lead Partner", lambda row: row.lead_partner.name.lower() if row.lead_partner else None),
    "standing": ("Standing", lambda row: row.standing.standing.severity),
    "projection": ("Projection", lambda row: row.standing.projection.severity),
    "rated_on": ("Latest rating", lambda row: row.standing.rated_on),
    "late": ("Late", lambda row: row.late),
    "renewal": ("Renewal", lambda row: row.zone.renewal_on if row.zone else None),
}


# The sorts the database makes before any row is read (so a page computes only its 25 standings):
# query value -> the order_by, ascending; rows without a value last either way, as ``sort_rows``.
SCHOOL_SQL_SORTS = {
    "name": [Lower("name")],
    "nces_id": [F("nces_id")],
    "district": [Lower("district__name")],
    "state": [F("district__state__name")],
    "zone": [Lower("zone__name")],
    "lead_partner": [Lower("zone__lead_partner__name")],
    "standing": [F("standing_severity")],
}


def _sql_sorted(schools, sort: str):
    """``schools`` in the order of ``sort`` by the database, or None for a sort it cannot make."""
    field, descending = sort.lstrip("-"), sort.startswith("-")
    if field not in SCHOOL_SQL_SORTS:
        return None
    if field == "standing":
        schools = worst_first(schools)
    keys = [key.desc(nulls_last=True) if descending else key.asc(nulls_last=True) for key in SCHOOL_SQL_SORTS[field]]
    return schools.order_by(*keys, "name", "pk")


@require_safe
@login_required
def school_list(request):
    """Every school of every state the user sees, for admins and state staff: search, filters (off
    track, late, stale, renewal due, state), sortable columns and the filtered rows as CSV.

    Sorted by a column the database holds (the standing: the stored read model) and without a flag
    filter, only the page's schools get their rows computed; a flag filter or a computed column
    (late, latest rating, renewal) needs every school's row first."""
    scope = request.user.scope
    if not (scope.is_admin or scope.state_ids):
        raise PermissionDenied
    filters = SchoolListFilterForm(request.GET or None, label_suffix="")
    schools = listed(filters.filter_schools(School.objects.order_by("name", "pk")))
    sort = request.GET.get("sort", "standing")
    ordered = None if filters.flags_asked() or ratings_hidden_from(request.user) else _sql_sorted(schools, sort)
    if ordered is not None:
        if response := csv_export(request, "schools", {"schools": (SCHOOL_LIST, lambda: school_rows(ordered))}):
            return response
        page = paginate(request, ordered)
        page.object_list = school_rows(page.object_list)
    else:
        rows = sort_rows(filters.apply(school_rows(schools)), sort, SCHOOL_SORTS)
        if response := csv_export(request, "schools", {"schools": (SCHOOL_LIST, rows)}):
            return response
        page = paginate(request, rows)
    context = {
        "rows": page,
        "filters": filters,
        "sort": sort,
        "sort_columns": sort_columns(sort, SCHOOL_SORTS, {"late"}),
    }
    return render(request, "portfolio/school_list.html", context)


def _zone_remove_label(user, zone) -> str | None:
    """The zone page's removal button: a zone never launched is deleted, a launched one closed."""
    if zone.status == Zone.Status.CLOSED or not user.has_perm("zones.delete_zone", zone):
        return None
    return "Delete zone" if zone.status == Zone.Status.PLANNING else "Close zone"


# The directory: what initiative admins manage in the app (title, what it is, its list page, model).
DIRECTORY = (
    ("Funders", "Who gives money, public or private.", "funding:funder_list", Funder),
    ("Metrics", "The initiative's catalog and each state's own indicators.", "accountability:metric_list", Metric),
    ("Lead Partners", "The organizations that run zones.", "partners:lead_partner_list", LeadPartner),
    (
        "National collaborators",
        "The organizations that help states.",
        "partners:collaborator_list",
        NationalCollaborator,
    ),
)


@require_safe
@login_required
def directory(request):
    """The directory's sections an initiative admin manages, with how many of each."""
    sections = [
        {"title": title, "about": about, "url": reverse(url_name), "count": model.objects.count()}
        for title, about, url_name, model in DIRECTORY
        if request.user.has_perm(f"{model._meta.app_label}.add_{model._meta.model_name}", model())
    ]
    if not sections:
        raise PermissionDenied
    return render(request, "portfolio/directory.html", {"sections": sections})
