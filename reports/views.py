"""Report pages: live progress reports, requesting runs, following them and downloading the files."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.tenancy import state_scope
from web.files import private_file_response
from web.tables import paginate
from zones.models import State, Zone

from . import requesting, services
from .forms import ReportIndexFilterForm, ReportRequestForm
from .models import ReportRun

RECENT_RUNS = 20  # on the index; each state's and zone's page lists its own


def _require_report_access(request, kind, **scope):
    """Report pages show narratives and money: only those who may request the report see it (else 404)."""
    if not requesting.may_request(request.user, kind, **scope):
        raise Http404("No report here.")


@login_required
def index(request):
    """The states and zones the user may report on, searchable by name and paged, each with its
    request buttons; the portfolio report for admins; the latest runs."""
    filters = ReportIndexFilterForm(request.GET or None)
    runs = ReportRun.objects.current().select_related("state", "zone", "requested_by")
    context = {
        "filters": filters,
        "page": paginate(request, requesting.reportables(request.user, filters.query())),
        "runs": runs[:RECENT_RUNS],
        "may_request_portfolio": requesting.may_request(request.user, ReportRun.Kind.PORTFOLIO),
    }
    return render(request, "reports/index.html", context)


ZONES_PER_PAGE = 5


def _progress_page(request, runs, scope, **report_scope):
    """The live report, read like its PDF: for the whole state, not one viewer's rows (whoever
    reaches this page may request the report, see ``_require_report_access``)."""
    state = report_scope.get("state") or report_scope["zone"].state
    with state_scope(state.pk):
        report = services.progress_report(**report_scope)
        # A few zones' tables per page (a state's are thousands of rows: the PDF has them all).
        zones = paginate(request, report.zones, "zones_page", per_page=ZONES_PER_PAGE)
        context = {"report": report, "zones": zones, "charts": report.charts(), "runs": runs, "scope": scope}
        return render(request, "reports/progress.html", context)


@login_required
def state_report(request, state_pk):
    state = get_object_or_404(State, pk=state_pk)
    _require_report_access(request, ReportRun.Kind.STATE_PROGRESS, state=state)
    runs = ReportRun.objects.current().filter(state=state, zone=None)
    return _progress_page(request, runs, {"state": state, "kinds": ReportRun.STATE_KINDS}, state=state)


@login_required
def zone_report(request, zone_pk):
    zone = get_object_or_404(Zone.objects.select_related("state"), pk=zone_pk)
    _require_report_access(request, ReportRun.Kind.ZONE_PROGRESS, state=zone.state, zone=zone)
    runs = ReportRun.objects.current().filter(zone=zone)
    return _progress_page(request, runs, {"zone": zone, "kinds": [ReportRun.Kind.ZONE_PROGRESS]}, zone=zone)


@login_required
@require_POST
def request_report(request):
    """Queue a report (or reuse this month's run of it) and follow it on its page."""
    form = ReportRequestForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        scope = {"state": data["state"], "zone": data["zone"], "period": data["period"], "review": data["review"]}
        try:
            run, _created = requesting.request_report(request.user, data["kind"], force=data["force"], **scope)
        except ValidationError as error:
            form.add_error(None, error)
        except requesting.TooManyForcedRenders as error:
            form.add_error(None, str(error))
            response = render(request, "reports/request_error.html", {"form": form}, status=429)
            response["Retry-After"] = str(error.wait)
            return response
        else:
            return redirect(run)
    return render(request, "reports/request_error.html", {"form": form}, status=400)


@login_required
def run_detail(request, reportrun_pk):
    """A run's status; htmx polls the status fragment until the run is done or failed."""
    run = get_object_or_404(ReportRun.objects.select_related("state", "zone"), pk=reportrun_pk)
    template = "reports/_run_status.html" if request.htmx else "reports/run_detail.html"
    return render(request, template, {"run": run})


def download_response(run) -> FileResponse:
    """The run's file as an attachment; 404 until the run is done (shared with the API).

    The only way to a report file: callers look the run up among those the user may read.
    """
    if run.status != ReportRun.Status.DONE or not run.file:
        raise Http404("This report is not ready.")
    return private_file_response(run.file, filename=run.file.name.rsplit("/", 1)[-1])


@login_required
def run_download(request, reportrun_pk):
    return download_response(get_object_or_404(ReportRun, pk=reportrun_pk))
