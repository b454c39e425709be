from django.urls import path

from . import views

app_name = "schools"

urlpatterns = [
    path("schools/<int:school_pk>/", views.school_detail, name="school_detail"),
    path("schools/<int:school_pk>/edit/", views.school_edit, name="school_edit"),
    path("states/<int:state_pk>/schools/new/", views.school_create, name="school_create"),
]
