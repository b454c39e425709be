from django.urls import path

from . import views

app_name = "accountability"

urlpatterns = [
    path("workspace/", views.workspace, name="workspace"),
    path("workspace/status-updates/", views.post_status_update, name="post_status_update"),
    path("workspace/measurements/", views.post_measurement, name="post_measurement"),
    path("schools/<int:school_pk>/baselines/new/", views.baseline_create, name="baseline_create"),
    path("baselines/<int:baseline_pk>/edit/", views.baseline_edit, name="baseline_edit"),
    path("schools/<int:school_pk>/targets/new/", views.target_create, name="target_create"),
    path("targets/<int:target_pk>/edit/", views.target_edit, name="target_edit"),
    path("baselines/<int:baseline_pk>/delete/", views.baseline_delete, name="baseline_delete"),
    path("targets/<int:target_pk>/delete/", views.target_delete, name="target_delete"),
    path("measurements/<int:measurement_pk>/delete/", views.measurement_delete, name="measurement_delete"),
    # The directory's metrics (initiative admins).
    *views.METRIC_PAGES.urls(),
    # A state's own indicators and its accountability settings.
    path("states/<int:state_pk>/indicators/", views.state_indicators, name="state_indicators"),
    path("states/<int:state_pk>/indicators/new/", views.indicator_create, name="indicator_create"),
    path("states/<int:state_pk>/indicators/<int:metric_pk>/edit/", views.indicator_edit, name="indicator_edit"),
    path(
        "states/<int:state_pk>/accountability-settings/",
        views.accountability_settings,
        name="accountability_settings",
    ),
    # The accountability cycle: the period grid, the review, the collection calendar.
    path("workspace/period/", views.period_form, name="period_form"),
    path("submissions/<int:periodsubmission_pk>/", views.submission_detail, name="submission_detail"),
    path("states/<int:state_pk>/calendar/", views.collection_calendar, name="calendar"),
    path(
        "reporting-periods/<int:reportingperiod_pk>/due-date/",
        views.reporting_period_due_date,
        name="reporting_period_due_date",
    ),
]
