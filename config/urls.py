from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from imports.api import router as imports_api_router

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("imports/", include("imports.urls")),
    path("api/v1/", include(imports_api_router.urls)),
    path("", include("zones.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
