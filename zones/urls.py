from django.urls import path

from . import views

app_name = "zones"

urlpatterns = [
    path("", views.home, name="home"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path("states/<int:state_pk>/", views.state_detail, name="state_detail"),
    path("states/<int:state_pk>/zones/new/", views.zone_create, name="zone_create"),
    path("zones/<int:zone_pk>/", views.zone_detail, name="zone_detail"),
    path("zones/<int:zone_pk>/edit/", views.zone_edit, name="zone_edit"),
]
