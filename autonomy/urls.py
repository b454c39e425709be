from django.urls import path

from . import views

app_name = "autonomy"

urlpatterns = [
    path("zones/<int:zone_pk>/autonomy/", views.zone_ledger, name="zone_ledger"),
    path("zones/<int:zone_pk>/autonomy/new/", views.term_create, name="term_create"),
    path("states/<int:state_pk>/autonomy/", views.state_ledger, name="state_ledger"),
    path("autonomy/terms/<int:autonomyterm_pk>/edit/", views.term_edit, name="term_edit"),
    path("autonomy/terms/<int:autonomyterm_pk>/status/", views.term_status, name="term_status"),
    path("autonomy/terms/<int:autonomyterm_pk>/check-ins/new/", views.check_in, name="check_in"),
]
