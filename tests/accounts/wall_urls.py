"""Views that forget ``visible_to``, to prove the tenant wall (core.tenancy) still holds."""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from rest_framework.response import Response

from accountability.models import StatusUpdate
from config.urls import urlpatterns as project_urlpatterns
from schools.models import School
from web.rest import ScopedReadOnlyViewSet


def school_without_visible_to(request, school_pk):
    """A page that forgets ``visible_to``."""
    return HttpResponse(get_object_or_404(School, pk=school_pk).name)


def rows_without_visible_to(request):
    """A page that lists schools and status updates, forgetting ``visible_to``."""
    return JsonResponse(
        {
            "schools": sorted(School.objects.values_list("pk", flat=True)),
            "status_updates": sorted(StatusUpdate.objects.values_list("pk", flat=True)),
        }
    )


class SchoolNamesWithoutVisibleTo(ScopedReadOnlyViewSet):
    """An API list that forgets ``visible_to``."""

    queryset = School.objects.order_by("name")

    def list(self, request, *args, **kwargs):
        return Response(sorted(self.queryset.all().values_list("name", flat=True)))


urlpatterns = [
    *project_urlpatterns,
    path("walled/<int:school_pk>/", school_without_visible_to),
    path("walled/rows/", rows_without_visible_to),
    path("walled-api/", SchoolNamesWithoutVisibleTo.as_view({"get": "list"})),
]
