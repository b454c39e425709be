from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from web.forms import DeleteReasonForm, add_model_errors, object_form_page
from web.pages import object_delete_page
from zones.models import District, State, Zone

from . import services
from .forms import SchoolForm, ZoneForm
from .models import School
from .services import save_zone


def _school_form_page(request, school, state, title, cancel_url):
    return object_form_page(
        request,
        SchoolForm(request.POST or None, instance=school, user=request.user, state=state),
        title=title,
        cancel_url=cancel_url,
        success_url=lambda saved: reverse("portfolio:school_detail", kwargs={"school_pk": saved.pk}),
    )


@login_required
def school_create(request, state_pk):
    state = get_object_or_404(State, pk=state_pk)
    cancel_url = reverse("portfolio:state_detail", kwargs={"state_pk": state.pk})
    school = School(district=District(state=state))
    return _school_form_page(request, school, state, f"New school in {state.name}", cancel_url)


@login_required
def school_edit(request, school_pk):
    school = get_object_or_404(School.objects.select_related("district__state"), pk=school_pk)
    cancel_url = reverse("portfolio:school_detail", kwargs={"school_pk": school.pk})
    return _school_form_page(request, school, school.district.state, f"Edit {school.name}", cancel_url)


def _zone_form_page(request, zone, title, cancel_url):
    form = ZoneForm(request.POST or None, instance=zone, user=request.user)
    return object_form_page(
        request,
        form,
        title=title,
        cancel_url=cancel_url,
        success_url=lambda saved: reverse("portfolio:zone_detail", kwargs={"zone_pk": saved.pk}),
        save=lambda form: save_zone(
            form.save(commit=False),
            form.cleaned_data["status"],
            form.cleaned_data["districts"],
            form.cleaned_data["schools"],
        ),
    )


@login_required
def zone_create(request, state_pk):
    state = get_object_or_404(State, pk=state_pk)
    cancel_url = reverse("portfolio:state_detail", kwargs={"state_pk": state.pk})
    return _zone_form_page(request, Zone(state=state), f"New zone in {state.name}", cancel_url)


@login_required
def zone_edit(request, zone_pk):
    zone = get_object_or_404(Zone.objects.select_related("state"), pk=zone_pk)
    cancel_url = reverse("portfolio:zone_detail", kwargs={"zone_pk": zone.pk})
    return _zone_form_page(request, zone, f"Edit {zone.name}", cancel_url)


@login_required
def school_delete(request, school_pk):
    """Delete a school entered by mistake; one in a zone or with results is kept (marked closed)."""
    school = get_object_or_404(School.objects.select_related("district__state", "zone"), pk=school_pk)
    state_url = reverse("portfolio:state_detail", kwargs={"state_pk": school.district.state_id})
    return object_delete_page(
        request,
        school,
        delete=lambda obj, reason: services.delete_school(obj, reason=reason, user=request.user),
        cancel_url=reverse("portfolio:school_detail", kwargs={"school_pk": school.pk}),
        success_url=state_url,
        kept=lambda: services.school_kept_because(school),
        ask_reason=True,
    )


@login_required
def zone_remove(request, zone_pk):
    """Delete a zone that never launched, or close (archive) a launched one, with the reason."""
    zone = get_object_or_404(Zone.objects.select_related("state"), pk=zone_pk)
    if not request.user.has_perm("zones.delete_zone", zone):
        raise PermissionDenied
    form = DeleteReasonForm(request.POST or None)
    planning = zone.status == Zone.Status.PLANNING
    form.fields["reason"].label = "Reason for deleting" if planning else "Reason for closing"
    if request.method == "POST" and form.is_valid():
        try:
            done = services.remove_zone(zone, reason=form.cleaned_data["reason"], user=request.user)
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            messages.success(request, f"{done.capitalize()} the zone {zone.name}.")
            if done == "deleted":
                return redirect("portfolio:state_detail", state_pk=zone.state_id)
            return redirect("portfolio:zone_detail", zone_pk=zone.pk)
    context = {"zone": zone, "form": form, "planning": planning, "closed": zone.status == Zone.Status.CLOSED}
    return render(request, "schools/zone_remove.html", context, status=400 if form.is_bound else 200)
