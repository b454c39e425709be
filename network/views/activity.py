"""Activity reports' pages: the list (filtered, with its rollup and CSV), a report, and the form
that files or edits one. Thin: saving is ``activity.save_activity_report``, the figures are
``activity.activity_rollup``'s."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from core.permissions import ANYWHERE, permission_name, write_action
from partners.models import CollaboratorEngagement, NationalCollaborator, ServiceArea
from schools.models import School
from web.forms import DomainForm, DomainModelForm, add_model_errors
from web.tables import paginate
from zones.models import State, Zone

from ..activity import (
    REPORTS,
    ROLLUP,
    activity_rollup,
    filter_reports,
    reads_activity_reports,
    reporting_engagements,
    save_activity_report,
)
from ..models import ActivityReport


class ActivityFilterForm(DomainForm):
    state = forms.ModelChoiceField(queryset=State.objects.all(), required=False, empty_label="Every state")
    collaborator = forms.ModelChoiceField(
        queryset=NationalCollaborator.objects.all(), required=False, empty_label="Every collaborator"
    )
    service_area = forms.ChoiceField(required=False, choices=[("", "Every service area"), *ServiceArea.choices])
    since = forms.DateField(required=False, label="From")
    until = forms.DateField(required=False, label="To")

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The end of the range comes before its start.")
        return cleaned


class ActivityReportForm(DomainModelForm):
    """A report under one of the engagements the user files for; zones and schools of those
    engagements' states (plain selects: the model refuses a zone or school of another state than
    the chosen engagement's)."""

    fieldsets = (
        ("Where", ("engagement", "zone", "school")),
        ("What", ("date", "hours", "participants", "topics", "outcome", "next_steps")),
    )

    class Meta:
        model = ActivityReport
        fields = ["engagement", "zone", "school", "date", "hours", "participants", "topics", "outcome", "next_steps"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        engagements = reporting_engagements(user)
        states = engagements.values("state_id")
        self.fields["engagement"].queryset = engagements
        self.fields["zone"].queryset = Zone.objects.filter(state__in=states).select_related("state")
        self.fields["school"].queryset = School.objects.filter(zone__state__in=states).select_related("zone")
        self.fields["school"].label_from_instance = lambda school: f"{school.name} ({school.zone.name})"
        self.fields["zone"].help_text = "Optional: the zone the activity was about, in the engagement's state."
        self.fields["school"].help_text = "Optional: the school, in that zone."


def activity_url(report) -> str:
    return reverse("network:activity_detail", kwargs={"activityreport_pk": report.pk})


def _require_reader(user) -> None:
    if not reads_activity_reports(user):
        raise PermissionDenied("Activity reports are read by state staff, collaborators and the initiative.")


def _filtered_reports(request):
    """The filter form and the reports it selects (every report the user reads when it is invalid)."""
    filters = ActivityFilterForm(request.GET or None)
    wanted = filters.cleaned_data if filters.is_valid() else {}
    reports = filter_reports(
        ActivityReport.objects.all(),
        state=wanted.get("state"),
        collaborator=wanted.get("collaborator"),
        service_area=wanted.get("service_area", ""),
        since=wanted.get("since"),
        until=wanted.get("until"),
    )
    return filters, reports


@require_safe
@login_required
def activity_list(request):
    """The reports the user reads, filtered, with their hours rolled up by collaborator above them."""
    _require_reader(request.user)
    filters, reports = _filtered_reports(request)
    listed = reports.select_related("engagement__collaborator", "engagement__state", "zone", "school")
    context = {
        "filters": filters,
        "rollup": activity_rollup(reports),
        "reports": paginate(request, listed),
        "can_add": request.user.has_perm("network.add_activityreport", ANYWHERE),
    }
    return render(request, "network/activity_list.html", context)


@require_safe
@login_required
def activity_csv(request):
    """The list page's reports as CSV, one row each; ``?rollup=1``: its rollup by collaborator."""
    _require_reader(request.user)
    _filters, reports = _filtered_reports(request)
    if request.GET.get("rollup"):
        return ROLLUP.csv(activity_rollup(reports).by_collaborator, "activity")
    return REPORTS.csv(
        reports.select_related("engagement__collaborator", "engagement__state", "zone", "school"), "activity"
    )


@require_safe
@login_required
def activity_detail(request, activityreport_pk):
    report = get_object_or_404(
        ActivityReport.objects.select_related(
            "engagement__collaborator", "engagement__state", "zone", "school", "author"
        ),
        pk=activityreport_pk,
    )
    context = {"report": report, "can_edit": request.user.has_perm("network.change_activityreport", report)}
    return render(request, "network/activity_detail.html", context)


def _posted_engagement(request):
    """The engagement the POST names, looked up through the wall (another state's: 404), or None
    when it names none (the form then says the field is required or invalid)."""
    try:
        pk = forms.IntegerField(min_value=1, max_value=2**63 - 1).clean(request.POST.get("engagement"))
    except ValidationError:
        return None
    return get_object_or_404(CollaboratorEngagement.objects.select_related("collaborator", "state"), pk=pk)


def _report_form_page(request, report, *, title, cancel_url):
    """File or edit a report. The add or change permission is asked of the report as it stands,
    then of the report under the posted engagement, before any input is validated."""
    user = request.user
    permission = permission_name(ActivityReport, write_action(report))
    if not user.has_perm(permission, report if report.engagement_id else ANYWHERE):
        raise PermissionDenied
    if request.method == "POST" and (engagement := _posted_engagement(request)) is not None:
        report.engagement = engagement
        if not user.has_perm(permission, report):
            raise PermissionDenied("You file activity reports only under your own engagements that are active now.")
    form = ActivityReportForm(request.POST or None, instance=report, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_activity_report(form.instance, user)
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            messages.success(request, f"Saved the activity report: {saved}.")
            return redirect(activity_url(saved))
    context = {"form": form, "title": title, "cancel_url": cancel_url}
    return render(request, "web/object_form.html", context, status=400 if form.is_bound else 200)


@login_required
def activity_create(request):
    """A collaborator files a report under one of their engagements that grant access now (an
    admin: under any engagement)."""
    return _report_form_page(
        request, ActivityReport(), title="New activity report", cancel_url=reverse("network:activity_list")
    )


@login_required
def activity_edit(request, activityreport_pk):
    """The report's collaborator (while the engagement grants access) or an admin edits it."""
    report = get_object_or_404(
        ActivityReport.objects.select_related("engagement__collaborator", "engagement__state"), pk=activityreport_pk
    )
    return _report_form_page(request, report, title=f"Edit activity report: {report}", cancel_url=activity_url(report))
