"""A URLconf with deliberately broken views, to prove the isolation matrix catches them."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django_scopes import scopes_disabled

from config.urls import urlpatterns as project_urlpatterns
from schools.models import School


def school_filtered_by_hand(request, school_pk):
    """Forgets ``visible_to`` and steps outside the tenant wall: any signed-in user reads any school."""
    with scopes_disabled():
        return HttpResponse(get_object_or_404(School, pk=school_pk).name)


def rename_school_without_permission(request, school_pk):
    """Reads in scope but writes without asking the permission table."""
    school = get_object_or_404(School.objects.visible_to(request.user), pk=school_pk)
    if request.method == "POST":
        school.name = "renamed"
        school.save()
    return HttpResponse(school.name)


urlpatterns = [
    *project_urlpatterns,
    path("leaky/<int:school_pk>/", school_filtered_by_hand, name="leaky_school"),
    path("careless/<int:school_pk>/", rename_school_without_permission, name="careless_school"),
]
