from django.urls import path

from . import views

app_name = "portfolio"

urlpatterns = [
    path("", views.home, name="home"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path("states/<int:state_pk>/", views.state_detail, name="state_detail"),
    path("states/<int:state_pk>/money/", views.state_money, name="state_money"),
    path("states/<int:state_pk>/history/", views.state_history, name="state_history"),
    path("zones/<int:zone_pk>/", views.zone_detail, name="zone_detail"),
    path("zones/<int:zone_pk>/renewal/", views.zone_renewal, name="zone_renewal"),
    path("schools/<int:school_pk>/", views.school_detail, name="school_detail"),
    path("schools/", views.school_list, name="school_list"),
    path("directory/", views.directory, name="directory"),
]
