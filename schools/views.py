from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from accountability.models import Baseline, Measurement, StatusUpdate, Target
from accountability.services import progress_for_schools
from accountability.tables import MEASUREMENTS, PROGRESS, STATUS_UPDATES
from reports.charts import progress_chart
from web.forms import object_form_page
from web.tables import csv_export, paginate
from zones.models import District, State

from .forms import SchoolForm
from .models import School


def metric_charts(measurements, progress) -> list[str]:
    """One chart per metric: its measurements over time with the baseline and target lines."""
    lines = {item.metric.pk: item for item in progress}
    charts = []
    for metric, rows in groupby(measurements, key=lambda measurement: measurement.metric):
        points = [(f"{row.school_year} {row.get_period_display()}", row.value) for row in rows]
        line = lines.get(metric.pk)
        charts.append(
            progress_chart(
                f"{metric.name} ({metric.get_unit_display().lower()})",
                points,
                baseline=line.baseline if line else None,
                target=line.target if line else None,
            )
        )
    return charts


@login_required
def school_detail(request, school_pk):
    user = request.user
    school = get_object_or_404(
        School.objects.visible_to(user).select_related("district__state", "zone__lead_partner"), pk=school_pk
    )
    progress = progress_for_schools([school]).get(school.pk, [])
    measurements = (
        Measurement.objects.visible_to(user)
        .filter(school=school)
        .select_related("metric")
        .order_by("metric__name", "metric_id", "school_year", "period")
    )
    updates = StatusUpdate.objects.visible_to(user).filter(school=school).select_related("school", "author")
    tables = {
        "progress": (PROGRESS, progress),
        "measurements": (MEASUREMENTS, measurements),
        "status-updates": (STATUS_UPDATES, updates),
    }
    if response := csv_export(request, school.name, tables):
        return response
    measurements = list(measurements)
    context = {
        "school": school,
        "progress": progress,
        "charts": metric_charts(measurements, progress),
        "measurements": paginate(request, measurements, "measurements_page"),
        "updates": paginate(request, updates, "updates_page", per_page=10),
        "baselines": Baseline.objects.visible_to(user).filter(school=school).select_related("metric"),
        "targets": Target.objects.visible_to(user).filter(school=school).select_related("metric"),
        "can_edit": user.has_perm("schools.change_school", school),
        "can_add_baseline": user.has_perm("accountability.add_baseline", Baseline(school=school)),
        "can_report": user.has_perm("accountability.add_statusupdate", StatusUpdate(school=school)),
    }
    return render(request, "schools/school_detail.html", context)


def _school_form_page(request, school, state, title, cancel_url):
    return object_form_page(
        request,
        SchoolForm(request.POST or None, instance=school, user=request.user, state=state),
        permission="schools.add_school" if school.pk is None else "schools.change_school",
        title=title,
        cancel_url=cancel_url,
        success_url=lambda saved: reverse("schools:school_detail", kwargs={"school_pk": saved.pk}),
    )


@login_required
def school_create(request, state_pk):
    state = get_object_or_404(State.objects.visible_to(request.user), pk=state_pk)
    cancel_url = reverse("zones:state_detail", kwargs={"state_pk": state.pk})
    school = School(district=District(state=state))
    return _school_form_page(request, school, state, f"New school in {state.name}", cancel_url)


@login_required
def school_edit(request, school_pk):
    school = get_object_or_404(School.objects.visible_to(request.user).select_related("district__state"), pk=school_pk)
    cancel_url = reverse("schools:school_detail", kwargs={"school_pk": school.pk})
    return _school_form_page(request, school, school.district.state, f"Edit {school.name}", cancel_url)
