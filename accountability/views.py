from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.permissions import ANYWHERE
from core.validators import current_school_year, school_year_from_start, school_year_start
from partners.models import LeadPartner
from schools.models import School
from web.forms import add_model_errors, object_form_page
from web.pages import DirectoryPages, object_delete_page
from web.tables import Column, Table, csv_export, paginate
from zones.models import State, Zone

from . import calendar, cycle, recording, removal
from .choices import Collection, Submission
from .forms import (
    AccountabilitySettingsForm,
    BaselineForm,
    CalendarFilterForm,
    DueDateForm,
    IndicatorForm,
    MeasurementForm,
    PeriodValuesForm,
    ReviewForm,
    SchoolYearCalendarForm,
    StatusUpdateForm,
    TargetForm,
    WorkspaceFilterForm,
)
from .models import (
    Baseline,
    Measurement,
    Metric,
    PeriodSubmission,
    ReportingPeriod,
    StatusUpdate,
    Target,
    period_form_url,
)
from .services import late_by_school, mark_late, school_standings, worst_first
from .tables import REQUIREMENTS, STANDINGS


def reportable_schools(user):
    """Schools in zones the user may post status updates and measurements for (one query, the
    permission table's rule as a filter), by zone then name."""
    return (
        School.objects.reported_on_by(user)
        .filter(zone__isnull=False)
        .select_related("district__state", "zone__lead_partner")
        .order_by("zone__name", "name", "pk")
    )


# Schools per CSV chunk: the export's standings are read a chunk at a time, never all at once.
EXPORT_CHUNK = 500


def _standings(schools, requirements=None) -> list:
    """The standings of ``schools`` (a page's), each with its late requirements (among
    ``requirements``, the schools' calendar when the caller already read it)."""
    standings = school_standings(schools, StatusUpdate.objects.all())
    if requirements is None:
        requirements = calendar.requirements(schools=schools)
    mark_late(standings, late_by_school(requirements))
    return standings


def _all_standings(schools):
    """Every school's standing, a chunk of schools at a time (the CSV streams them)."""
    for start in range(0, schools.count(), EXPORT_CHUNK):
        yield from _standings(list(schools[start : start + EXPORT_CHUNK]))


def _workspace(request, schools, status_form=None, measurement_form=None, *, period=None, grid=None, status=None):
    """The workspace page: a page of the user's schools (filtered by state, zone and name) with
    their standings, the quick forms over that page's schools, and the period grid of ``period``
    (school, reporting period; default: the most urgent of the page's schools)."""
    user = request.user
    if not schools.exists() and not user.has_perm("accountability.add_statusupdate", ANYWHERE):
        raise PermissionDenied("The workspace is where Lead Partner staff and state leads post updates and results.")
    filters = WorkspaceFilterForm(request.GET, schools=schools)
    shown = worst_first(filters.apply(schools))  # every page in one order: worst standing first
    if response := csv_export(request, "workspace", {"schools": (STANDINGS, _all_standings(shown))}):
        return response
    page = paginate(request, shown)
    page_schools = list(page.object_list)
    requirements = calendar.requirements(schools=page_schools)
    page.object_list = _standings(page_schools, requirements)
    school, reporting_period = period or (
        _chosen_period(request, schools, requirements) if page_schools else (None, None)
    )
    if grid is None and reporting_period is not None:
        grid = _period_grid(request, school, reporting_period)
    # The dropdowns offer the page's schools (and the one asked for or posted): they never grow
    # with the portfolio; the forms still accept any school the user reports on (``_save_report``).
    if school is not None and school not in page_schools:
        page_schools.append(school)
    offered = [row.pk for row in page_schools] + [_pk(request.POST.get("school"))]
    choices = schools.filter(pk__in=[pk for pk in offered if pk is not None])
    for failed_form in (status_form, measurement_form):
        if failed_form is not None:
            failed_form.fields["school"].queryset = choices
    initial = {"school": request.GET.get("school")}
    context = {
        "lead_partners": LeadPartner.objects.filter(pk__in=user.scope.lead_partner_ids),
        "filters": filters,
        "standings": page,
        "status_form": status_form or StatusUpdateForm(user=user, schools=choices, initial=initial),
        "measurement_form": measurement_form or MeasurementForm(user=user, schools=choices, initial=initial),
        "grid": grid,
        "picker": _picker(page_schools, school, reporting_period),
        "today": timezone.localdate(),
    }
    failed = bool(status_form or measurement_form)
    return render(request, "accountability/workspace.html", context, status=status or (400 if failed else 200))


@login_required
def workspace(request):
    """The Lead Partner's schools, with quick forms to post a status update and enter a measurement."""
    return _workspace(request, reportable_schools(request.user))


def _save_report(request, form_class, form_name: str, record):
    """Check a workspace form and hand its report to ``record`` (the use case, in accountability.recording).

    Returns (report, None), or (None, the workspace re-rendered with the input and its errors)."""
    schools = reportable_schools(request.user)
    form = form_class(request.POST, user=request.user, schools=schools)
    if form.is_valid():
        try:
            return record(form.instance), None
        except ValidationError as error:  # e.g. the same measurement recorded meanwhile by someone else
            add_model_errors(form, error)
    return None, _workspace(request, schools, **{form_name: form})


@login_required
@require_POST
def post_status_update(request):
    def post(update):
        return recording.post_status_update(request.user, update)

    update, failed = _save_report(request, StatusUpdateForm, "status_form", post)
    if failed:
        return failed
    messages.success(request, f"Status update for {update.school} posted: {update.get_rating_display()}.")
    return redirect(f"{reverse('accountability:workspace')}?{urlencode({'school': update.school_id})}#status-form")


@login_required
@require_POST
def post_measurement(request):
    def record(measurement):
        return recording.record_measurements(request.user, [measurement])[0]

    measurement, failed = _save_report(request, MeasurementForm, "measurement_form", record)
    if failed:
        return failed
    messages.success(request, f"Recorded {measurement}.")
    return redirect("accountability:workspace")


def _school_value_form_page(request, form_class, instance):
    """Create or edit a school's baseline or target; back to the school's progress after."""
    school_url = reverse("portfolio:school_detail", kwargs={"school_pk": instance.school.pk}) + "#progress"
    name = instance._meta.verbose_name
    return object_form_page(
        request,
        form_class(request.POST or None, instance=instance, user=request.user),
        title=f"New {name} for {instance.school}" if instance.pk is None else f"Edit {instance.school}'s {name}",
        cancel_url=school_url,
        success_url=lambda saved: school_url,
    )


def _create(request, school_pk, form_class):
    school = get_object_or_404(School.objects.select_related("district", "zone"), pk=school_pk)
    return _school_value_form_page(request, form_class, form_class._meta.model(school=school))


def _edit(request, pk, form_class):
    values = form_class._meta.model.objects.all()
    instance = get_object_or_404(values.select_related("school__district", "school__zone"), pk=pk)
    return _school_value_form_page(request, form_class, instance)


@login_required
def baseline_create(request, school_pk):
    return _create(request, school_pk, BaselineForm)


@login_required
def baseline_edit(request, baseline_pk):
    return _edit(request, baseline_pk, BaselineForm)


@login_required
def target_create(request, school_pk):
    return _create(request, school_pk, TargetForm)


@login_required
def target_edit(request, target_pk):
    return _edit(request, target_pk, TargetForm)


def _school_value_delete(request, model, pk, *, anchor="progress", delete):
    """Delete a school's baseline, target or measurement, with the reason its history keeps."""
    value = get_object_or_404(model.objects.select_related("school__district", "school__zone", "metric"), pk=pk)
    school_url = reverse("portfolio:school_detail", kwargs={"school_pk": value.school_id}) + f"#{anchor}"
    return object_delete_page(
        request,
        value,
        delete=lambda obj, reason: delete(obj, reason=reason, user=request.user),
        cancel_url=school_url,
        success_url=school_url,
        ask_reason=True,
        label=f"{value.school}'s {value._meta.verbose_name} {value.metric.name} ({value.value})",
        explanation="It no longer counts in the school's progress; its history keeps the value and your reason.",
    )


@login_required
def baseline_delete(request, baseline_pk):
    return _school_value_delete(request, Baseline, baseline_pk, delete=removal.delete_school_value)


@login_required
def target_delete(request, target_pk):
    return _school_value_delete(request, Target, target_pk, delete=removal.delete_school_value)


@login_required
def measurement_delete(request, measurement_pk):
    """A measurement recorded by mistake; a submitted or approved period's value is refused (it is
    corrected by a proposal)."""
    return _school_value_delete(
        request, Measurement, measurement_pk, anchor="measurements", delete=removal.delete_measurement
    )


# The directory's metrics: the initiative's catalog and every state's own indicators (admins).

METRICS = Table(
    "metrics",
    (
        Column.of("Metric", "name"),
        Column.of("Code", "code"),
        Column.of("Kind", "get_kind_display"),
        Column.of("Unit", "get_unit_display"),
        Column.of("State", "state.name"),
    ),
)


def _metric_delete_back(request, metric) -> str:
    """A state lead deletes their state's own indicator from its indicators page, and goes back there."""
    if metric.state_id and not request.user.scope.is_admin:
        return reverse("accountability:state_indicators", kwargs={"state_pk": metric.state_id}) + "#own"
    return reverse("accountability:metric_list")


METRIC_PAGES = DirectoryPages(
    namespace="accountability",
    name="metric",
    segment="metrics",
    model=Metric,
    form=IndicatorForm,
    table=METRICS,
    title="Metrics",
    lede="The initiative's catalog (no state: measured in every state) and each state's own indicators. "
    "A metric that results, targets or contracts name cannot be deleted.",
    objects=lambda: Metric.objects.select_related("state").order_by("state__name", "name"),
    new_title="New metric in the catalog",  # a state's own is added on the state's indicators page
    back=_metric_delete_back,
)


# A state's own indicators and its accountability settings.


@login_required
def state_indicators(request, state_pk):
    """The indicators a state's schools are measured on: the catalog (achievement metrics and the
    SIG leading indicators) and the state's own, which its state lead adds and edits."""
    state = get_object_or_404(State, pk=state_pk)
    indicators = Metric.objects.for_state(state).order_by("kind", "name")
    context = {
        "state": state,
        "catalog": [metric for metric in indicators if metric.state_id is None],
        "own": [metric for metric in indicators if metric.state_id is not None],
        "can_add": request.user.has_perm("accountability.add_metric", Metric(state=state)),
    }
    return render(request, "accountability/indicators.html", context)


def _indicator_form_page(request, state, metric):
    list_url = reverse("accountability:state_indicators", kwargs={"state_pk": state.pk})
    return object_form_page(
        request,
        IndicatorForm(request.POST or None, instance=metric),
        title=f"New indicator for {state}" if metric.pk is None else f"Edit the indicator {metric}",
        cancel_url=list_url,
        success_url=lambda saved: list_url,
    )


@login_required
def indicator_create(request, state_pk):
    state = get_object_or_404(State, pk=state_pk)
    return _indicator_form_page(request, state, Metric(state=state, kind=Metric.Kind.LEADING))


@login_required
def indicator_edit(request, state_pk, metric_pk):
    """A state's own indicator (its state lead) or one of the catalog its schools are measured on
    (initiative admins); another state's indicator is not here."""
    state = get_object_or_404(State, pk=state_pk)
    return _indicator_form_page(request, state, get_object_or_404(Metric.objects.for_state(state), pk=metric_pk))


@login_required
def accountability_settings(request, state_pk):
    """The state lead tunes how the state's schools are judged and reminded (``State.ACCOUNTABILITY_FIELDS``)."""
    state = get_object_or_404(State, pk=state_pk)
    state_url = reverse("portfolio:state_detail", kwargs={"state_pk": state.pk}) + "#standing-rules"
    return object_form_page(
        request,
        AccountabilitySettingsForm(request.POST or None, instance=state),
        title=f"{state}'s accountability settings",
        cancel_url=state_url,
        success_url=lambda saved: state_url,
    )


# --- The accountability cycle: the period grid, the review, the collection calendar ---------------
# Pages over accountability.calendar (what is owed, and its status) and accountability.cycle (the
# use cases: save, submit, approve, return, reopen); the rules live there.


def _most_urgent(requirements):
    """The requirement to open first: late, then returned, then due (``Collection`` is worst first),
    the earliest due date first; None when nothing is waiting."""
    waiting = [row for row in requirements if row.status in (Collection.LATE, Collection.RETURNED, Collection.DUE)]
    order = list(Collection)
    return min(waiting, key=lambda row: (order.index(row.status), row.reporting_period.due_on), default=None)


def _pk(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


def _chosen_period(request, schools, requirements=None):
    """(school, reporting period) the grid shows: those of the query string (another's: 404), else
    the most urgent requirement of the chosen school or of all the user's schools (among
    ``requirements``, the calendar of ``schools`` when the caller already read it); (school, None)
    when nothing is due."""
    school_pk, period_pk = _pk(request.GET.get("school")), _pk(request.GET.get("period"))
    school = schools.filter(pk=school_pk).first() if school_pk is not None else None
    if request.GET.get("school") and school is None:
        raise Http404("No such school among yours.")
    if period_pk is not None and school is not None:
        periods = ReportingPeriod.objects.filter(state_id=school.district.state_id)
        return school, get_object_or_404(periods, pk=period_pk)
    if request.GET.get("period"):
        raise Http404("Choose a school and one of its state's reporting periods.")
    if requirements is None:
        requirements = calendar.requirements(schools=[school] if school else schools)
    urgent = _most_urgent([row for row in requirements if school is None or row.school.pk == school.pk])
    if urgent is None:
        return school, None
    return urgent.school, urgent.reporting_period


def _period_grid(request, school, reporting_period, *, indicators=None, form=None, saved=""):
    """The grid's context: the indicators ``school`` owes in ``reporting_period`` (when not given),
    prefilled with the values recorded, read-only (and why) while submitted or approved
    or when not the user's to enter."""
    user = request.user
    if indicators is None:
        indicators = calendar.indicators_for(school, reporting_period)
    submission = (
        PeriodSubmission.objects.filter(school=school, reporting_period=reporting_period)
        .select_related("submitted_by", "reviewed_by")
        .first()
    )
    if submission is not None:
        submission.school, submission.reporting_period = school, reporting_period
    may_enter = user.has_perm(
        "accountability.change_periodsubmission",
        submission or PeriodSubmission(school=school, reporting_period=reporting_period),
    )
    read_only = not may_enter or cycle.is_locked(submission)
    if form is None:
        recorded = Measurement.objects.filter(
            school=school,
            school_year=reporting_period.school_year,
            period=reporting_period.period,
            metric__in=indicators,
        ).values_list("metric_id", "value")
        form = PeriodValuesForm(indicators=indicators, initial_values=dict(recorded), read_only=read_only)
    return {
        "school": school,
        "reporting_period": reporting_period,
        "submission": submission,
        "form": form,
        "read_only": read_only,
        "may_enter": may_enter,
        "saved": saved,
        "url": period_form_url(school.pk, reporting_period.pk),
        "can_review": submission is not None and user.has_perm("accountability.review_periodsubmission", submission),
    }


def _picker(schools, school, reporting_period):
    """The school/period picker's choices: the page's schools, and their states' reporting periods."""
    state_ids = {school.district.state_id for school in schools}
    periods = ReportingPeriod.objects.filter(state_id__in=state_ids).select_related("state")
    return {
        "schools": schools,
        "periods": periods,
        "school": school,
        "reporting_period": reporting_period,
        "states": {school.district.state for school in schools},
    }


@login_required
def period_form(request):
    """A school's whole reporting period in one form on the workspace: save (htmx: one request that
    answers with the grid, errors beside their indicator) or submit it for the state's review."""
    schools = reportable_schools(request.user)
    if not schools.exists():
        raise PermissionDenied
    if request.method != "POST":
        return _workspace(request, schools)  # it opens the chosen period, reading the calendar once
    school, reporting_period = _chosen_period(request, schools)
    if reporting_period is None:
        raise Http404("Choose a school and one of its state's reporting periods.")
    if not request.user.has_perm(
        "accountability.change_periodsubmission", PeriodSubmission(school=school, reporting_period=reporting_period)
    ):
        raise PermissionDenied
    indicators = calendar.indicators_for(school, reporting_period)
    form = PeriodValuesForm(request.POST, indicators=indicators)
    status = 200
    if form.is_valid():
        try:
            with transaction.atomic():
                submission = cycle.save_period_values(request.user, school, reporting_period, form.values())
                if "submit" in request.POST:
                    submission = cycle.submit_period(request.user, submission)
        except ValidationError as error:
            form.add_service_errors(error)
            status = _error_status(error)
        else:
            done = "submitted for review" if submission.status == Submission.SUBMITTED else "saved"
            saved = f"{school.name}, {reporting_period.school_year} {reporting_period.get_period_display()}: {done}."
            if not request.htmx:
                messages.success(request, saved)
                return redirect(period_form_url(school.pk, reporting_period.pk) + "#period")
            grid = _period_grid(request, school, reporting_period, indicators=indicators, saved=saved)
            return render(request, "accountability/_period_grid.html", {"grid": grid})
    else:
        status = 400
    grid = _period_grid(request, school, reporting_period, indicators=indicators, form=form)
    if request.htmx:
        return render(request, "accountability/_period_grid.html", {"grid": grid}, status=status)
    return _workspace(request, schools, period=(school, reporting_period), grid=grid, status=status)


def _label(submission) -> str:
    period = submission.reporting_period
    return f"{submission.school.name}, {period.school_year} {period.get_period_display()},"


def _error_status(error) -> int:
    """409 when the period's state forbids the step (locked, or not at that step), else 400."""
    return 409 if isinstance(error, (cycle.PeriodLocked, cycle.WrongStep)) else 400


def _previous(school_year: str, period: int) -> tuple[str, int]:
    """The period before (``school_year``, ``period``): the end of the year before after the fall."""
    if period > 1:
        return school_year, period - 1
    return school_year_from_start(school_year_start(school_year) - 1), len(Measurement.Period)


def _review_rows(submission):
    """(metric, value, the previous period's value, target) per indicator the period collects."""
    school, reporting_period = submission.school, submission.reporting_period
    indicators = calendar.indicators_for(school, reporting_period)
    before = _previous(reporting_period.school_year, reporting_period.period)
    values = {}
    for metric_id, year, period, value in Measurement.objects.filter(
        school=school,
        metric__in=indicators,
        school_year__in={reporting_period.school_year, before[0]},
        period__in={reporting_period.period, before[1]},
    ).values_list("metric_id", "school_year", "period", "value"):
        values[metric_id, year, period] = value
    targets = dict(Target.objects.filter(school=school, metric__in=indicators).values_list("metric_id", "value"))
    now = (reporting_period.school_year, reporting_period.period)
    return [
        (metric, values.get((metric.pk, *now)), values.get((metric.pk, *before)), targets.get(metric.pk))
        for metric in indicators
    ]


def _steps(submission):
    """The submission's history, one line per change of status or comment: who, when, what."""
    steps, last = [], None
    for record in submission.history.select_related("history_user").order_by("history_date", "history_id"):
        key = (record.status, record.comment)
        if key != last:
            steps.append(record)
        last = key
    return steps


REVIEW_STEPS = {  # step -> (the use case, what the message says happened)
    ReviewForm.Step.APPROVE: (
        lambda user, submission, comment: cycle.approve_period(user, submission, comment=comment),
        "approved: its values are locked",
    ),
    ReviewForm.Step.RETURN: (
        lambda user, submission, comment: cycle.return_period(user, submission, comment=comment),
        "returned to the Lead Partner with your comment",
    ),
    ReviewForm.Step.REOPEN: (
        lambda user, submission, comment: cycle.reopen_period(user, submission, reason=comment),
        "reopened: the Lead Partner can correct it",
    ),
}


@login_required
def submission_detail(request, periodsubmission_pk):
    """A school's period for review: its values against the period before and the target; the state
    lead approves, returns (with a comment) or reopens (with a reason) it; everyone reading it sees
    the steps so far."""
    submission = get_object_or_404(
        PeriodSubmission.objects.select_related(
            "school__district", "school__zone__lead_partner", "reporting_period__state", "submitted_by", "reviewed_by"
        ),
        pk=periodsubmission_pk,
    )
    user = request.user
    can_review = user.has_perm("accountability.review_periodsubmission", submission)
    form, status = ReviewForm(), 200
    if request.method == "POST":
        if not can_review:
            raise PermissionDenied
        form = ReviewForm(request.POST)
        if form.is_valid():
            take_step, done = REVIEW_STEPS[form.cleaned_data["step"]]
            try:
                take_step(user, submission, form.cleaned_data["comment"])
            except ValidationError as error:
                if hasattr(error, "error_dict") and "reason" in error.error_dict:  # reopen's reason is the comment box
                    error.error_dict["comment"] = error.error_dict.pop("reason")
                add_model_errors(form, error)
                status = _error_status(error)
            else:
                messages.success(request, f"{_label(submission)} {done}.")
                return redirect("accountability:submission_detail", periodsubmission_pk=submission.pk)
        else:
            status = 400
    context = {
        "submission": submission,
        "rows": _review_rows(submission),
        "steps": _steps(submission),
        "form": form,
        "can_review": can_review,
        "may_enter": user.has_perm("accountability.change_periodsubmission", submission),
        "grid_url": period_form_url(submission.school_id, submission.reporting_period_id),
    }
    return render(request, "accountability/submission_detail.html", context, status=status)


def _requirement_link(user, requirement) -> str:
    """Where a calendar row leads: the review for a state lead (or a reader, read-only) once there is
    a submission, else the grid for those who enter the values; "" for a reader with nothing yet."""
    submission, school = requirement.submission, requirement.school
    if submission is not None:
        submission.school = school  # the permission rules follow it to the state
    if submission is not None and user.has_perm("accountability.review_periodsubmission", submission):
        return reverse("accountability:submission_detail", kwargs={"periodsubmission_pk": submission.pk})
    if user.has_perm(
        "accountability.change_periodsubmission",
        submission or PeriodSubmission(school=school, reporting_period=requirement.reporting_period),
    ):
        return period_form_url(school.pk, requirement.reporting_period.pk)
    if submission is not None:
        return reverse("accountability:submission_detail", kwargs={"periodsubmission_pk": submission.pk})
    return ""


@login_required
def collection_calendar(request, state_pk):
    """A state's collection calendar: each school's reporting periods, late first, then returned, due,
    submitted, approved (Lead Partner staff: their own schools), filtered, paged, as CSV; the state lead
    also sets up a school year's periods and their due dates here."""
    user = request.user
    state = get_object_or_404(State, pk=state_pk)
    periods = ReportingPeriod.objects.filter(state=state)
    may_plan = user.has_perm("accountability.add_reportingperiod", ReportingPeriod(state=state))
    latest = periods.order_by("-school_year").values_list("school_year", flat=True).first()
    next_year = school_year_from_start(school_year_start(latest) + 1) if latest else current_school_year()
    plan_form = SchoolYearCalendarForm(school_year=next_year)
    status = 200
    if request.method == "POST":
        if not may_plan:
            raise PermissionDenied
        plan_form = SchoolYearCalendarForm(request.POST, school_year=next_year)
        if plan_form.is_valid():
            year = plan_form.cleaned_data["school_year"]
            try:
                created = cycle.create_school_year_calendar(user, state, year, due_dates=plan_form.due_dates())
            except ValidationError as error:
                add_model_errors(plan_form, error)
            else:
                messages.success(request, f"{state.name}: {len(created)} reporting periods for {year}.")
                return redirect("accountability:calendar", state_pk=state.pk)
        status = 400
    requirements = calendar.requirements(states=[state])
    filters = CalendarFilterForm(
        request.GET or None,
        zones=Zone.objects.filter(state=state),
        lead_partners=LeadPartner.objects.filter(zones__state=state).distinct(),
        periods=periods,
    )
    order = list(Collection)  # worst first: late, returned, due, submitted, approved
    shown = sorted(filters.apply(requirements), key=lambda row: (order.index(row.status), row.reporting_period.due_on))
    if response := csv_export(request, f"{state.name} collection", {"calendar": (REQUIREMENTS, shown)}):
        return response
    page = paginate(request, shown)
    context = {
        "state": state,
        "filters": filters,
        "rows": [(row, _requirement_link(user, row)) for row in page],
        "page": page,
        "counts": [(choice, sum(1 for row in requirements if row.status == choice)) for choice in Collection],
        "periods": periods,
        "may_plan": may_plan,
        "plan_form": plan_form,
    }
    return render(request, "accountability/calendar.html", context, status=status)


@login_required
def reporting_period_due_date(request, reportingperiod_pk):
    """The state lead moves a reporting period's due date."""
    reporting_period = get_object_or_404(ReportingPeriod.objects.select_related("state"), pk=reportingperiod_pk)
    calendar_url = reverse("accountability:calendar", kwargs={"state_pk": reporting_period.state_id})
    return object_form_page(
        request,
        DueDateForm(request.POST or None, instance=reporting_period),
        title=f"Due date of {reporting_period.school_year} {reporting_period.get_period_display()}",
        cancel_url=calendar_url,
        success_url=lambda saved: calendar_url,
    )
