from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("states/<int:state_pk>/", views.state_report, name="state"),
    path("zones/<int:zone_pk>/", views.zone_report, name="zone"),
    path("runs/new/", views.request_report, name="request"),
    path("runs/<int:reportrun_pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:reportrun_pk>/download/", views.run_download, name="run_download"),
]
