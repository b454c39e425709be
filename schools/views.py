from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.urls import reverse

from web.forms import object_form_page
from zones.models import District, State, Zone

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
