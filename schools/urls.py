from django.urls import path

from . import views

app_name = "schools"

urlpatterns = [
    path("schools/<int:school_pk>/edit/", views.school_edit, name="school_edit"),
    path("states/<int:state_pk>/schools/new/", views.school_create, name="school_create"),
    path("states/<int:state_pk>/zones/new/", views.zone_create, name="zone_create"),
    path("zones/<int:zone_pk>/edit/", views.zone_edit, name="zone_edit"),
    path("schools/<int:school_pk>/delete/", views.school_delete, name="school_delete"),
    path("zones/<int:zone_pk>/remove/", views.zone_remove, name="zone_remove"),
]
