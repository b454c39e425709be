from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from partners.models import LeadPartner
from schools.models import School
from web.forms import add_model_errors, object_form_page
from web.tables import csv_export, paginate

from . import recording
from .calendar import requirements
from .forms import BaselineForm, MeasurementForm, StatusUpdateForm, TargetForm
from .models import StatusUpdate
from .services import late_by_school, mark_late, school_standings
from .tables import STANDINGS


def reportable_schools(user):
    """Schools in zones the user may post status updates and measurements for."""
    schools = (
        School.objects.all()
        .filter(zone__isnull=False)
        .select_related("district", "zone__lead_partner")
        .order_by("zone__name", "name")
    )
    return [
        school for school in schools if user.has_perm("accountability.add_statusupdate", StatusUpdate(school=school))
    ]


def _choices(schools):
    """The schools as a queryset for a form's school field."""
    return School.objects.filter(pk__in=[school.pk for school in schools]).select_related("zone")


def _workspace(request, schools, status_form=None, measurement_form=None):
    user = request.user
    if not schools and not user.scope.lead_partner_ids:
        raise PermissionDenied
    standings = school_standings(schools, StatusUpdate.objects.all())
    mark_late(standings, late_by_school(requirements(schools=schools)))
    if response := csv_export(request, "workspace", {"schools": (STANDINGS, standings)}):
        return response
    initial = {"school": request.GET.get("school")}
    context = {
        "lead_partners": LeadPartner.objects.filter(pk__in=user.scope.lead_partner_ids),
        "standings": paginate(request, standings),
        "status_form": status_form or StatusUpdateForm(user=user, schools=_choices(schools), initial=initial),
        "measurement_form": measurement_form or MeasurementForm(user=user, schools=_choices(schools), initial=initial),
    }
    failed = bool(status_form or measurement_form)
    return render(request, "accountability/workspace.html", context, status=400 if failed else 200)


@login_required
def workspace(request):
    """The Lead Partner's schools, with quick forms to post a status update and enter a measurement."""
    return _workspace(request, reportable_schools(request.user))


def _save_report(request, form_class, form_name: str, record):
    """Check a workspace form and hand its report to ``record`` (the use case, in accountability.recording).

    Returns (report, None), or (None, the workspace re-rendered with the input and its errors)."""
    schools = reportable_schools(request.user)
    form = form_class(request.POST, user=request.user, schools=_choices(schools))
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
    return redirect(reverse("portfolio:zone_detail", kwargs={"zone_pk": update.school.zone_id}) + "#status-updates")


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
